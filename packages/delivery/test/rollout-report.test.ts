// The rollout report counts every tenant once, by outcome, and everything that shows a count (the wave
// table, the headline, the tenant rows, the demo) reads those counts: no two places can disagree.
import { describe, expect, it } from "@jest/globals";
import { buildReport, planWaves, renderRolloutMarkdown, tenantOutcome } from "../src/rollout/index.ts";
import type { InventoryTenant, RolloutState, TenantRecord } from "../src/rollout/index.ts";

const rec = (name: string, wave: number, fields: Partial<TenantRecord>): TenantRecord => ({
  name,
  wave,
  status: "deployed",
  digest: "d",
  attempts: 1,
  ...fields,
});

/** A resumed run's view: `a` stood from the first run, `b` was deployed by this one; wave 2 halted. */
const state: RolloutState = {
  version: 1,
  rolloutId: "r",
  startedAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:10:00.000Z",
  sourceDigest: "s",
  appName: "A",
  space: "production",
  status: "halted",
  waves: [
    { index: 1, name: "canary", status: "passed", tenants: ["a", "b"], failures: 0, budget: 0 },
    { index: 2, name: "25%", status: "halted", tenants: ["c", "d", "e"], failures: 1, budget: 0 },
    { index: 3, name: "100%", status: "skipped", tenants: ["f"] },
  ],
  tenants: {
    a: rec("a", 1, { startedAt: "2026-01-01T00:01:00.000Z" }),
    b: rec("b", 1, { startedAt: "2026-01-01T00:06:00.000Z" }),
    // Its own deploy failed and restored the previous version.
    c: rec("c", 2, {
      status: "rolled-back",
      error: "Reload failed",
      rollbackReason: "the deploy failed and restored the previous version",
    }),
    // Healthy, rolled back because the wave halted.
    d: rec("d", 2, {
      status: "rolled-back",
      error: "wave 2 failed (1 failure, budget 0)",
      rollbackReason: "wave 2 failed (1 failure, budget 0)",
    }),
    // Its health check failed and the rollback failed too.
    e: rec("e", 2, { status: "failed", error: "Health check 'reload' failed: FAILED" }),
    f: rec("f", 3, { status: "skipped", attempts: 0, error: "not started: wave 2 halted the rollout" }),
  },
};
const RUN_STARTED = "2026-01-01T00:05:00.000Z";

describe("rollout report counts", () => {
  it("classifies each tenant once: deployed now, kept, failed (rolled back or not), rolled back with the wave", () => {
    expect(Object.values(state.tenants).map((r) => [r.name, tenantOutcome(r, RUN_STARTED)])).toEqual([
      ["a", "kept"],
      ["b", "deployed"],
      ["c", "failed"],
      ["d", "rolled-back"],
      ["e", "failed"],
      ["f", "not-run"],
    ]);
    // Without the run's start, every standing deploy counts as deployed.
    expect(tenantOutcome(state.tenants.a)).toBe("deployed");
  });

  it("adds the waves up to the totals, and every wave's categories up to its tenants", () => {
    const report = buildReport(state, { runStartedAt: RUN_STARTED });
    const row = (w: (typeof report.waves)[number]) => [
      w.tenants,
      w.deployed,
      w.kept,
      w.failed,
      w.rolledBack,
      w.skipped,
    ];
    expect(report.waves.map(row)).toEqual([
      [2, 1, 1, 0, 0, 0],
      [3, 0, 0, 2, 1, 0],
      [1, 0, 0, 0, 0, 1],
    ]);
    expect(report.counts).toEqual({ deployed: 1, kept: 1, failed: 2, rolledBack: 1, skipped: 1 });
    // The status lists stay as the state has them (they are the action's outputs).
    expect(report.rolledBack).toEqual(["c", "d"]);
    expect(report.failed).toEqual(["e"]);
  });

  it("renders the same numbers in the headline, the wave table and the tenant rows", () => {
    const md = renderRolloutMarkdown(buildReport(state, { runStartedAt: RUN_STARTED }));
    expect(md).toContain(
      "1 deployed, 1 kept from an earlier run, 2 failed, 1 rolled back with their wave, 1 not run. Source digest",
    );
    expect(md).toContain(
      "| Wave | Status | Tenants | Deployed | Kept | Failed | Rolled back with the wave | Not run | Failures / budget | Duration |",
    );
    expect(md).toContain("| 1. canary | passed | 2 | 1 | 1 | 0 | 0 | 0 | 0 / 0 |");
    expect(md).toContain("| 2. 25% | halted | 3 | 0 | 0 | 2 | 1 | 0 | 1 / 0 |");
    expect(md).toMatch(/^\| a \| 1 \| ✅ kept \(deployed earlier\) \|/m);
    expect(md).toMatch(/^\| c \| 2 \| ❌ failed, rolled back \|/m);
    expect(md).toMatch(/^\| d \| 2 \| ↩️ rolled back with the wave \|/m);
    expect(md).toMatch(/^\| e \| 2 \| ❌ failed \|/m);

    // A first run has nothing kept: no Kept column, and the headline leaves it out.
    const first = renderRolloutMarkdown(buildReport(state));
    expect(first).toContain("2 deployed, 2 failed, 1 rolled back with their wave, 1 not run.");
    expect(first).toContain("| Wave | Status | Tenants | Deployed | Failed |");
  });
});

describe("wave names", () => {
  const tenants = (n: number): InventoryTenant[] =>
    Array.from({ length: n }, (_, i) => ({
      name: `t${String(i + 1).padStart(2, "0")}`,
      url: `https://t${i + 1}.example`,
      labels: i < 2 ? ["canary"] : [],
      credentials: { apiKeyEnv: `K${i + 1}` },
    }));

  it("say how each wave was chosen and never carry a number of their own", () => {
    const names = (canary: string | undefined, waves: string) =>
      planWaves(tenants(20), { canary, waves }).waves.map((w) => `Wave ${w.index} (${w.name})`);
    expect(names("label=canary", "25%,100%")).toEqual(["Wave 1 (canary)", "Wave 2 (25%)", "Wave 3 (100%)"]);
    expect(names("1", "3,50%")).toEqual([
      "Wave 1 (canary)",
      "Wave 2 (3 tenants)",
      "Wave 3 (50%)",
      "Wave 4 (the rest)",
    ]);
    expect(names(undefined, "1")).toEqual(["Wave 1 (1 tenant)", "Wave 2 (the rest)"]);
    expect(names(undefined, "")).toEqual(["Wave 1 (all tenants)"]);
  });
});
