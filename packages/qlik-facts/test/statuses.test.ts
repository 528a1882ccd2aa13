import { describe, expect, it } from "@jest/globals";
import { AUTOMATION_RUN_STATUSES, isFinalReloadStatus, RELOAD_STATUSES } from "@qlik-cicd/qlik-facts";

describe("Qlik status lists", () => {
  it("name every reload status once and know which are final", () => {
    expect(new Set(RELOAD_STATUSES).size).toBe(RELOAD_STATUSES.length);
    expect(RELOAD_STATUSES.filter(isFinalReloadStatus)).toEqual([
      "SUCCEEDED",
      "FAILED",
      "CANCELED",
      "EXCEEDED_LIMIT",
    ]);
    expect(isFinalReloadStatus(undefined)).toBe(false);
  });

  it("include the automation run status that asks a run to stop", () => {
    expect(AUTOMATION_RUN_STATUSES).toContain("must stop");
  });
});
