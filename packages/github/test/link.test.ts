import { describe, expect, it } from "@jest/globals";
import { nextPageUrl } from "../src/index.ts";

describe("nextPageUrl", () => {
  it("parses Link headers", () => {
    expect(nextPageUrl(null)).toBeNull();
    expect(nextPageUrl('<https://a/b?page=3>; rel="next"')).toBe("https://a/b?page=3");
    expect(nextPageUrl('<https://a/b?page=1>; rel="prev"')).toBeNull();
    expect(nextPageUrl('<https://a/b?page=1>; rel="prev", <https://a/b?page=3>; rel="next"')).toBe(
      "https://a/b?page=3",
    );
  });
});
