import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import {
  auditActor,
  auditSummaryMarkdown,
  AuditTrail,
  MutationEvents,
  openAuditTrail,
  secrets,
} from "../src/index.ts";

describe("AuditTrail", () => {
  it("appends one JSON line per mutation with the run context and redacts secrets", () => {
    const events = new MutationEvents();
    const file = join(mkdtempSync(join(tmpdir(), "audit-")), "nested", "audit.jsonl");
    const trail = new AuditTrail({
      file,
      actor: "octocat",
      runUrl: "https://example.test/run/1",
      action: "deploy-to-space",
      events,
    });
    secrets.register("very-secret-token-123");
    events.emit({
      time: "2026-01-01T00:00:00.000Z",
      tenant: "acme",
      method: "POST",
      resource: "/api/v1/apps",
      operation: "create app",
      result: "ok",
      status: 201,
    });
    events.emit({
      time: "2026-01-01T00:00:01.000Z",
      tenant: "acme",
      method: "PUT",
      resource: "/api/v1/apps/very-secret-token-123",
      result: "error",
      status: 500,
    });
    trail.close();
    events.emit({
      time: "2026-01-01T00:00:02.000Z",
      tenant: "acme",
      method: "DELETE",
      resource: "/x",
      result: "ok",
    });

    const lines = readFileSync(file, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      actor: "octocat",
      action: "deploy-to-space",
      tenant: "acme",
      operation: "create app",
      result: "ok",
    });
    expect(lines[1].resource).toBe("/api/v1/apps/***");
    expect(trail.renderMarkdown()).toContain("| acme | create app | 1 | 0 |");
  });

  it("counts per operation once more than 20 tenants changed, keeping every change in the file", () => {
    const file = join(mkdtempSync(join(tmpdir(), "audit-")), "audit.jsonl");
    const events = new MutationEvents();
    const trail = new AuditTrail({ file, actor: "a", runUrl: "u", action: "rollout-canary", events });
    const change = (tenant: string, operation: string, result: "ok" | "error") =>
      events.emit({ time: "t", tenant, method: "POST", resource: "/r", operation, result });
    for (let i = 0; i < 20; i++) change(`tenant-${i}`, "import app", "ok");
    expect(trail.renderMarkdown()).toContain("| tenant-7 | import app | 1 | 0 |");
    for (let i = 20; i < 1000; i++) {
      change(`tenant-${i}`, "import app", "ok");
      change(`tenant-${i}`, "publish app", i % 100 ? "ok" : "error");
    }
    trail.close();
    const summary = trail.renderMarkdown();
    expect(summary).toContain("| import app | 1000 | 0 |");
    expect(summary).toContain("| publish app | 971 | 9 |");
    expect(summary).not.toContain("tenant-7");
    expect(summary.split("\n").length).toBeLessThan(10);
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(trail.count);
    expect(trail.count).toBe(1980);
  });

  it("says plainly when nothing changed", () => {
    const file = join(mkdtempSync(join(tmpdir(), "audit-")), "audit.jsonl");
    const trail = new AuditTrail({
      file,
      actor: "a",
      runUrl: "u",
      action: "x",
      events: new MutationEvents(),
    });
    expect(trail.renderMarkdown()).toBe("No changes were made to any tenant.\n");
    trail.close();
  });
});

describe("the audit context", () => {
  it("names the workflow's actor on a runner and the OS user anywhere else", () => {
    expect(auditActor({ GITHUB_ACTIONS: "true", GITHUB_ACTOR: "octocat" })).toBe("octocat");
    expect(auditActor({ GITHUB_ACTOR: "octocat" })).toBe(userInfo().username);
    expect(auditActor({})).toBe(userInfo().username);
  });

  it("opens the trail in the run's temp folder (or QLIK_AUDIT_FILE) and renders a summary GitHub shows as a table", () => {
    const tempDir = mkdtempSync(join(tmpdir(), "audit-open-"));
    const env = { GITHUB_RUN_ID: "7", GITHUB_RUN_ATTEMPT: "2", GITHUB_JOB: "deploy prod" };
    const events = new MutationEvents();
    const trail = openAuditTrail("deploy-to-space", { env, tempDir });
    expect(trail.file).toBe(join(tempDir, "qlik-audit", "deploy-to-space-7-2-deploy_prod.jsonl"));
    trail.close();
    const own = join(tempDir, "own.jsonl");
    const named = openAuditTrail("x", { env: { QLIK_AUDIT_FILE: own }, tempDir });
    named.close();
    expect(named.file).toBe(own);
    const table = new AuditTrail({
      file: join(tempDir, "t.jsonl"),
      actor: "a",
      runUrl: "r",
      action: "x",
      events,
    });
    expect(auditSummaryMarkdown(table)).toMatch(/^<h3>Audit trail<\/h3>\n\n/);
    table.close();
  });
});
