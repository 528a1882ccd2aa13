import { describe, expect, it } from "@jest/globals";
import {
  EVALUATION_STATUSES,
  evaluationVerdict,
  isTenantSettingName,
  TENANT_SETTING_NAMES,
} from "@qlik-cicd/qlik-facts";

describe("evaluation statuses", () => {
  it("read Qlik's statuses, in any case", () => {
    expect(EVALUATION_STATUSES.map(evaluationVerdict)).toEqual(["pending", "pending", "done", "failed"]);
    expect(evaluationVerdict("FINISHED")).toBe("done");
    expect(evaluationVerdict("RUNNING")).toBe("pending");
    expect(evaluationVerdict(undefined)).toBe("pending");
  });

  it("understand other words for the same outcomes, the status being a free string", () => {
    expect(evaluationVerdict("completed")).toBe("done");
    expect(evaluationVerdict("timed out")).toBe("failed");
    expect(evaluationVerdict("cancelled")).toBe("failed");
  });
});

describe("tenant settings", () => {
  it("name each setting once", () => {
    expect(new Set(TENANT_SETTING_NAMES).size).toBe(TENANT_SETTING_NAMES.length);
    expect(isTenantSettingName("enableAnalyticCreation")).toBe(true);
    expect(isTenantSettingName("name")).toBe(false);
  });
});
