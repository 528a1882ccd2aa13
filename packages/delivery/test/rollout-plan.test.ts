// Wave planning, shards, matrix, error budget and state merge: pure functions.
import { describe, expect, it } from "@jest/globals";
import { ConfigError } from "@qlik-cicd/common";
import {
  errorBudget,
  mergeStates,
  parseBudget,
  parseShard,
  percentCount,
  planWaves,
  rolloutMatrix,
  statusLists,
  type InventoryTenant,
  type RolloutState,
  type TenantRecord,
} from "../src/rollout/index.ts";

function tenants(n: number, labels: (i: number) => string[] = () => []): InventoryTenant[] {
  // Created out of order on purpose: plans sort by name.
  return Array.from({ length: n }, (_, k) => n - 1 - k).map((i) => ({
    name: `t${String(i + 1).padStart(3, "0")}`,
    url: `https://t${i + 1}.example.com`,
    region: i % 2 ? "us" : "eu",
    labels: labels(i),
    credentials: { apiKeyEnv: "K" },
  }));
}
const names = (list: { name: string }[]) => list.map((t) => t.name);

describe("wave planning", () => {
  it("percent rounding: up, at least one, never more than all", () => {
    expect(percentCount(5, 20)).toBe(1);
    expect(percentCount(10, 15)).toBe(2);
    expect(percentCount(10, 10)).toBe(1);
    expect(percentCount(0.1, 3)).toBe(1);
    expect(percentCount(100, 7)).toBe(7);
    expect(percentCount(50, 0)).toBe(0);
  });

  it("canary count first, then cumulative percent waves; each tenant exactly once, sorted", () => {
    const plan = planWaves(tenants(20), { canary: "2", waves: "10%,50%,100%" });
    // 10% of 20 is 2, already reached by the canary: that wave is empty and left out.
    expect(plan.waves.map((w) => [w.index, w.name, w.tenants.length])).toEqual([
      [1, "canary", 2],
      [2, "50%", 8],
      [3, "100%", 10],
    ]);
    expect(names(plan.waves[0].tenants)).toEqual(["t001", "t002"]);
    const all = plan.waves.flatMap((w) => names(w.tenants));
    expect(all).toEqual(names(tenants(20)).sort());
  });

  it("percent waves after a small canary still take their share of the estate", () => {
    const plan = planWaves(tenants(100), { canary: "5%", waves: "10%,50%" });
    expect(plan.waves.map((w) => w.tenants.length)).toEqual([5, 5, 40, 50]);
    expect(plan.waves.at(-1)?.name).toBe("the rest");
  });

  it("label selectors for canary and waves, and the rest as a last wave", () => {
    const list = tenants(10, (i) =>
      i < 2 ? ["canary"] : i < 5 ? ["wave-1"] : i < 7 ? ["wave-2", "eu"] : [],
    );
    const plan = planWaves(list, { canary: "label=canary", waves: "label=wave-1,label=wave-2" });
    expect(plan.waves.map((w) => names(w.tenants))).toEqual([
      ["t001", "t002"],
      ["t003", "t004", "t005"],
      ["t006", "t007"],
      ["t008", "t009", "t010"],
    ]);
    const selected = planWaves(list, {
      canary: "label=canary",
      selector: "label=canary,label=wave-2&region=us",
    });
    expect(selected.waves.map((w) => names(w.tenants))).toEqual([["t001", "t002"], ["t006"]]);
    expect(selected.excluded).toHaveLength(7);
    const neg = planWaves(list, { canary: "name=t00*&!label=canary" });
    expect(names(neg.waves[0].tenants)).toEqual(["t003", "t004", "t005", "t006", "t007", "t008", "t009"]);
  });

  it("a canary that matches nothing, a bad selector or a bad shard is a ConfigError", () => {
    expect(() => planWaves(tenants(3), { canary: "label=nope" })).toThrow(ConfigError);
    expect(() => planWaves(tenants(3), { waves: "colour=red" })).toThrow(/is not a selector/);
    expect(() => parseShard("4/3")).toThrow(/i\/n/);
    expect(() => parseShard("0/3")).toThrow(ConfigError);
    expect(parseShard("2/3")).toEqual({ index: 2, count: 3 });
    expect(() => planWaves(tenants(3), { canary: "0" })).toThrow(/at least 1/);
  });

  it("shards 1/3..3/3 cover every tenant of every wave exactly once", () => {
    const list = tenants(47);
    const full = planWaves(list, { canary: "3", waves: "20%,60%" });
    const seen = new Map<string, number>();
    for (let i = 1; i <= 3; i++) {
      const part = planWaves(list, { canary: "3", waves: "20%,60%", shard: `${i}/3` });
      expect(part.waves.map((w) => w.total)).toEqual(full.waves.map((w) => w.tenants.length));
      part.waves.forEach((w, k) => {
        for (const t of w.tenants) {
          expect(full.waves[k].tenants.map((x) => x.name)).toContain(t.name);
          seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
        }
      });
    }
    expect([...seen.keys()].sort()).toEqual(names(list).sort());
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  it("the matrix lists wave × shard with the shard sizes", () => {
    const plan = planWaves(tenants(10), { canary: "1", waves: "50%" });
    expect(rolloutMatrix(plan, 3)).toEqual({
      include: [
        { wave: 1, shard: "1/1", tenants: 1 },
        { wave: 2, shard: "1/3", tenants: 2 },
        { wave: 2, shard: "2/3", tenants: 1 },
        { wave: 2, shard: "3/3", tenants: 1 },
        { wave: 3, shard: "1/3", tenants: 2 },
        { wave: 3, shard: "2/3", tenants: 2 },
        { wave: 3, shard: "3/3", tenants: 1 },
      ],
    });
  });
});

describe("error budget", () => {
  it("counts and percents (rounded down) of the wave", () => {
    expect(errorBudget(parseBudget(undefined), 50)).toBe(0);
    expect(errorBudget(parseBudget("2"), 50)).toBe(2);
    expect(errorBudget(parseBudget("10%"), 50)).toBe(5);
    expect(errorBudget(parseBudget("10%"), 9)).toBe(0);
    expect(errorBudget(parseBudget("10%"), 10)).toBe(1);
    expect(errorBudget(parseBudget("33.4%"), 3)).toBe(1);
    expect(() => parseBudget("a few")).toThrow(/max-failures/);
    expect(() => parseBudget("150%")).toThrow(ConfigError);
  });
});

describe("state merge", () => {
  const record = (name: string, wave: number, status: TenantRecord["status"], at?: string): TenantRecord => ({
    name,
    wave,
    status,
    digest: `d-${name}`,
    attempts: status === "pending" ? 0 : 1,
    ...(at ? { startedAt: at, finishedAt: at } : {}),
  });
  const state = (shard: string, records: TenantRecord[], status: RolloutState["status"]): RolloutState => ({
    version: 1,
    rolloutId: `r-${shard}`,
    startedAt: `2026-01-01T00:00:0${shard[0]}Z`,
    updatedAt: `2026-01-01T01:00:0${shard[0]}Z`,
    sourceDigest: "abc",
    appName: "Sales",
    space: "production",
    shard,
    status,
    waves: [
      {
        index: 1,
        name: "canary",
        status: status === "halted" ? "halted" : "passed",
        tenants: records.filter((r) => r.wave === 1).map((r) => r.name),
        failures: records.filter((r) => r.status === "failed").length,
        budget: 0,
      },
    ],
    tenants: Object.fromEntries(records.map((r) => [r.name, r])),
  });

  it("joins shards, later records win, a halt in any shard halts the whole", () => {
    const a = state(
      "1/2",
      [record("a", 1, "deployed", "2026-01-01T00:10:00Z"), record("c", 1, "failed", "2026-01-01T00:10:00Z")],
      "halted",
    );
    const b = state("2/2", [record("b", 1, "deployed", "2026-01-01T00:11:00Z")], "succeeded");
    // A re-run of shard 1 after the fix: c deployed later.
    const a2 = state("1/2", [record("c", 1, "deployed", "2026-01-01T00:20:00Z")], "succeeded");
    const merged = mergeStates([a, b]);
    expect(merged.status).toBe("halted");
    expect(merged.rolloutId).toBe("r-1/2");
    expect(merged.waves[0].tenants).toEqual(["a", "b", "c"]);
    expect(merged.waves[0].status).toBe("halted");
    expect(statusLists(merged)).toEqual({
      succeeded: ["a", "b"],
      failed: ["c"],
      rolledBack: [],
      skipped: [],
    });
    const rerun = mergeStates([a, b, a2]);
    expect(statusLists(rerun).succeeded).toEqual(["a", "b", "c"]);
    expect(Object.keys(rerun.tenants)).toEqual(["a", "b", "c"]);
  });

  it("refuses states of different sources", () => {
    const a = state("1/2", [record("a", 1, "deployed", "2026-01-01T00:10:00Z")], "succeeded");
    const b = { ...state("2/2", [], "succeeded"), sourceDigest: "other" };
    expect(() => mergeStates([a, b])).toThrow(/different sources/);
    expect(() => mergeStates([])).toThrow(ConfigError);
  });
});
