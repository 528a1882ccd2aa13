import { describe, expect, it } from "@jest/globals";
import {
  EVALUATION_STATUSES,
  evaluationVerdict,
  isTenantSettingName,
  isValidWebhookSecret,
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

describe("webhook secrets", () => {
  it("are 32 to 64 characters", () => {
    expect(isValidWebhookSecret("x".repeat(31))).toBe(false);
    expect(isValidWebhookSecret("x".repeat(32))).toBe(true);
    expect(isValidWebhookSecret("x".repeat(64))).toBe(true);
    expect(isValidWebhookSecret("x".repeat(65))).toBe(false);
  });
});
