import { describe, expect, it } from "@jest/globals";
import { didYouMean, editDistance, nearbyNames } from "../src/index.ts";

const spaces = ["development", "test", "acceptance", "production"];

describe("names near a typo", () => {
  it("measures edit distance case-insensitively", () => {
    expect(editDistance("tset", "test")).toBe(2);
    expect(editDistance("Test", "test")).toBe(0);
  });

  it("suggests nearby names for a typo or a prefix", () => {
    expect(nearbyNames("tset", spaces)).toEqual(["test"]);
    expect(nearbyNames("prod", spaces)).toEqual(["production"]);
    expect(nearbyNames("zzzzzzzz", spaces)).toEqual([]);
  });

  it("says 'Did you mean …?' only when a name is near", () => {
    expect(didYouMean("Sales Analytic", ["Sales Analytics", "Inventory"])).toBe(
      "Did you mean 'Sales Analytics'?",
    );
    expect(didYouMean("Finance", ["Sales Analytics", "Inventory"])).toBe("");
  });
});
