import { describe, expect, it } from "@jest/globals";
import {
  AUTOMATION_RUN_CONTEXTS,
  AUTOMATION_RUN_FAILED,
  AUTOMATION_RUN_PENDING,
  AUTOMATION_RUN_STATUSES,
  AUTOMATION_RUN_SUCCEEDED,
  automationRunVerdict,
} from "@qlik-cicd/qlik-facts";

describe("automation run verdicts", () => {
  it("read every Qlik status as exactly one of succeeded, failed or pending", () => {
    const all = [...AUTOMATION_RUN_SUCCEEDED, ...AUTOMATION_RUN_FAILED, ...AUTOMATION_RUN_PENDING];
    expect([...all].sort()).toEqual([...AUTOMATION_RUN_STATUSES].sort());
    expect(AUTOMATION_RUN_STATUSES.map(automationRunVerdict)).toEqual([
      "failed",
      "succeeded",
      "succeeded",
      "failed",
      "pending",
      "pending",
      "pending",
      "failed",
      "failed",
      "pending",
    ]);
  });

  it("count 'must stop' as failed: a stop was requested, so the run will not succeed", () => {
    expect(automationRunVerdict("must stop")).toBe("failed");
  });

  it("keep waiting on a status Qlik does not list yet", () => {
    expect(automationRunVerdict("rebalancing")).toBe("pending");
    expect(automationRunVerdict(undefined)).toBe("pending");
  });

  it("name the run record's contexts, which never include the request's 'api'", () => {
    expect(AUTOMATION_RUN_CONTEXTS).toContain("api_async");
    expect(AUTOMATION_RUN_CONTEXTS as readonly string[]).not.toContain("api");
  });
});
