import { describe, expect, it } from "@jest/globals";
import { lazy } from "../src/lazy.ts";

describe("lazy", () => {
  it("makes nothing until first asked, then makes the value once and keeps it", () => {
    let calls = 0;
    const get = lazy(() => ({ n: ++calls }));
    expect(calls).toBe(0);
    const first = get();
    expect(get()).toBe(first);
    expect(calls).toBe(1);
  });

  it("keeps falsy values too (undefined is made once, not on every call)", () => {
    let calls = 0;
    const get = lazy(() => {
      calls++;
      return undefined;
    });
    get();
    get();
    expect(calls).toBe(1);
  });

  it("tries again after a failure (nothing is kept from a throw)", () => {
    let calls = 0;
    const get = lazy(() => {
      if (++calls === 1) throw new Error("first time");
      return "ok";
    });
    expect(get).toThrow("first time");
    expect(get()).toBe("ok");
  });
});
