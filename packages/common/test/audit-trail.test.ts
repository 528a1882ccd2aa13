import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditTrail, MutationEvents, secrets } from "../src/index.ts";

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
