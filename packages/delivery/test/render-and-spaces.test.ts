import { describe, expect, it } from "@jest/globals";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderDeployMarkdown, renderPlanMarkdown } from "../src/deploy/render.ts";
import { spaceNotFound, findSpace } from "../src/deploy/spaces.ts";
import { reloadErrorLines } from "../src/deploy/reload.ts";
import { DirectoryRollbackStore, MemoryRollbackStore, rollbackKey } from "../src/deploy/rollback-store.ts";
import type { DeployPlan, DeployResult, RollbackSnapshot } from "../src/deploy/types.ts";

const plan: DeployPlan = {
  tenant: "127.0.0.1:9000",
  appName: "Sales | Analytics",
  mode: "managed",
  space: { id: "s1", name: "production", type: "managed" },
  stagingSpace: { id: "", name: "production-staging", type: "shared" },
  environment: "production",
  changes: [
    { change: "add", kind: "sheet", name: "Overview" },
    { change: "remove", kind: "measure", name: "Margin" },
  ],
  steps: [
    { kind: "create-space", description: "Create shared staging space 'production-staging'" },
    { kind: "republish", description: "Republish over 'Sales' (abc)" },
  ],
  changed: true,
  dryRun: true,
  rollback: false,
};

describe("plan rendering", () => {
  it("renders changes and steps as tables, escaping pipes", () => {
    const md = renderPlanMarkdown(plan);
    expect(md).toContain(
      "App **Sales \\| Analytics** → managed space **production** (staged in **production-staging**)",
    );
    expect(md).toContain("| ➕ add | sheet | Overview |");
    expect(md).toContain("| ➖ remove | measure | Margin |");
    expect(md).toContain("| 1 | Create shared staging space 'production-staging' |");
    expect(md).toContain("| 2 | Republish over 'Sales' (abc) |");
    expect(renderPlanMarkdown(plan)).toBe(md);
  });

  it("says so when nothing changes", () => {
    const md = renderPlanMarkdown({ ...plan, changed: false, changes: [], steps: [] });
    expect(md).toContain("No changes: the target already matches the source.");
    expect(md).not.toContain("| Change |");
  });

  it("renders a deploy result with links, reload and verification; a dry run has no result table", () => {
    const dry: DeployResult = { appId: "", itemId: "", appUrl: "", changed: true, plan, verified: false };
    expect(renderDeployMarkdown(dry)).toContain("### Deploy plan (dry run: nothing was changed)");
    expect(renderDeployMarkdown(dry)).not.toContain("| Verified |");
    const done: DeployResult = {
      appId: "staging-1",
      publishedAppId: "pub-1",
      itemId: "item-1",
      appUrl: "http://127.0.0.1:9000/sense/app/pub-1",
      changed: true,
      plan: { ...plan, dryRun: false },
      reload: { id: "r1", status: "SUCCEEDED" },
      verified: true,
    };
    const md = renderDeployMarkdown(done);
    expect(md).toContain("### Deployed: Sales | Analytics → production");
    expect(md).toContain("| App | [Sales \\| Analytics](http://127.0.0.1:9000/sense/app/pub-1) |");
    expect(md).toContain("| Published app id | `pub-1` |");
    expect(md).toContain("| Reload | SUCCEEDED (`r1`) |");
    expect(md).toContain("| Verified | ✅ target matches the source |");
  });
});

describe("space lookup", () => {
  const spaces = [
    { id: "1", name: "development", type: "shared" },
    { id: "2", name: "test", type: "managed" },
    { id: "3", name: "acceptance", type: "managed" },
    { id: "4", name: "production", type: "managed" },
  ];

  it("finds by id, name and case-insensitive name", () => {
    expect(findSpace(spaces, "3")?.name).toBe("acceptance");
    expect(findSpace(spaces, "test")?.id).toBe("2");
    expect(findSpace(spaces, "Production")?.id).toBe("4");
    expect(findSpace(spaces, "tset")).toBeUndefined();
  });

  it("suggests nearby names for a typo", () => {
    const err = spaceNotFound("tset", "acme.eu.qlikcloud.com", spaces);
    expect(err.message).toBe(
      "Space 'tset' was not found on tenant acme.eu.qlikcloud.com. Did you mean 'test'?",
    );
    expect(err.field).toBe("space");
    expect(spaceNotFound("zzzzzzzz", "t", spaces).message).toContain("Spaces visible to these credentials:");
  });
});

describe("reload log lines", () => {
  it("keeps the error lines of a failed reload", () => {
    const log =
      "Started loading data\nSales << data.csv\nError: Field 'Amount' not found\nExecution failed\n";
    expect(reloadErrorLines(log)).toEqual(["Error: Field 'Amount' not found", "Execution failed"]);
    expect(reloadErrorLines("a\nb\n")).toEqual(["a", "b"]);
    expect(reloadErrorLines(undefined)).toEqual([]);
  });
});

describe("rollback stores", () => {
  const snapshot: RollbackSnapshot = {
    tenant: "t",
    spaceId: "s",
    appName: "Sales",
    appId: "a1",
    takenAt: "2026-01-01T00:00:00.000Z",
    content: { script: "LOAD 1 AS x AUTOGENERATE 1;\n" },
  };

  it("memory and directory stores give back what was saved, per key", async () => {
    const key = rollbackKey("t", "s", "Sales");
    for (const store of [
      new MemoryRollbackStore(),
      new DirectoryRollbackStore(mkdtempSync(join(tmpdir(), "rb-"))),
    ]) {
      expect(await store.load(key)).toBeUndefined();
      await store.save(key, snapshot);
      expect(await store.load(key)).toEqual(snapshot);
      expect(await store.load(rollbackKey("t", "s", "Other"))).toBeUndefined();
    }
  });
});
