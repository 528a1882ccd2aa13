import { describe, expect, it } from "@jest/globals";
import { editDistance, nearbyNames } from "../src/index.ts";

describe("did you mean", () => {
  it("measures typos case-insensitively and offers the nearest names", () => {
    expect(editDistance("tset", "test")).toBe(2);
    expect(editDistance("Test", "test")).toBe(0);
    expect(nearbyNames("tset", ["development", "test", "acceptance", "production"])).toEqual(["test"]);
    expect(nearbyNames("prod", ["development", "test", "acceptance", "production"])).toEqual(["production"]);
    expect(nearbyNames("zzzzzzzz", ["test"])).toEqual([]);
  });
});
