import { describe, expect, it } from "@jest/globals";
import { classifyNetworkError } from "../src/retry.ts";

describe("classifyNetworkError", () => {
  it("reads codes from the cause chain and says whether the request may have been sent", () => {
    const refused = new TypeError("fetch failed", {
      cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }),
    });
    expect(classifyNetworkError(refused)).toMatchObject({
      code: "ECONNREFUSED",
      maybeSent: false,
      transient: true,
    });
    const reset = new TypeError("fetch failed", {
      cause: Object.assign(new Error("x"), { code: "ECONNRESET" }),
    });
    expect(classifyNetworkError(reset)).toMatchObject({ maybeSent: true, kind: "network" });
  });

  it("treats a port that fetch refuses as unreachable and not worth retrying", () => {
    const badPort = new TypeError("fetch failed", { cause: new Error("bad port") });
    expect(classifyNetworkError(badPort)).toMatchObject({
      code: "FETCH_BAD_PORT",
      kind: "unreachable",
      maybeSent: false,
      transient: false,
    });
  });

  it("returns undefined for errors that are not network failures", () => {
    expect(classifyNetworkError(new Error("something else"))).toBeUndefined();
  });
});
