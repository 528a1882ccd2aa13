// The engine on its own: injected tenant operations, an in-memory state store and a fake clock/sleep.
import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "@qlik-cicd/common";
import {
  FileStateStore,
  MemoryStateStore,
  planWaves,
  readStateFile,
  runRollout,
  statusLists,
  type DeployTenantFn,
  type EngineOptions,
  type InventoryTenant,
  type RolloutState,
} from "../src/rollout/index.ts";

const tenants: InventoryTenant[] = Array.from({ length: 12 }, (_, i) => ({
  name: `t${String(i + 1).padStart(2, "0")}`,
  url: `https://t${i + 1}.example.com`,
  labels: i < 2 ? ["canary"] : [],
  credentials: { apiKeyEnv: "K" },
}));

function options(over: Partial<EngineOptions> = {}): EngineOptions {
  return {
    plan: planWaves(tenants, { canary: "label=canary", waves: "50%" }),
    sourceDigest: "src-1",
    appName: "Sales",
    space: "production",
    tenantDigest: (t) => `src-1/${t.name}`,
    maxParallel: 3,
    bakeSeconds: 5,
    budget: { count: 0 },
    rollback: true,
    resume: false,
    ...over,
  };
}

/** A running rollout's state with one wave of `names`, every tenant pending. */
function pendingState(names: string[], appName: string): RolloutState {
  return {
    version: 1,
    rolloutId: "r1",
    startedAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    sourceDigest: "d",
    appName,
    space: "production",
    status: "running",
    waves: [{ index: 0, name: "canary", status: "running", tenants: names }],
    tenants: Object.fromEntries(
      names.map((n) => [n, { name: n, wave: 0, status: "pending", digest: `d/${n}`, attempts: 0 }]),
    ),
  };
}

describe("rollout engine", () => {
  it("runs waves in order, at most max-parallel at a time, bakes, and checkpoints after every tenant", async () => {
    const store = new MemoryStateStore();
    let inFlight = 0;
    let peak = 0;
    const order: string[] = [];
    const sleeps: number[] = [];
    const deployTenant: DeployTenantFn = async (t) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      order.push(t.name);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { appId: `app-${t.name}`, changed: true, reloadStatus: "SUCCEEDED" };
    };
    const result = await runRollout(options(), {
      store,
      deployTenant,
      checkHealth: async () => [{ check: "reload", ok: true, detail: "ok" }],
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(result.status).toBe("succeeded");
    expect(peak).toBe(3);
    expect(order.slice(0, 2).sort()).toEqual(["t01", "t02"]);
    expect(result.state.waves.map((w) => [w.name, w.status, w.tenants.length])).toEqual([
      ["canary", "passed", 2],
      ["50%", "passed", 4],
      ["the rest", "passed", 6],
    ]);
    expect(sleeps).toEqual([5000, 5000, 5000]);
    // At least one save per tenant start and end.
    expect(store.saves).toBeGreaterThanOrEqual(12);
    expect(statusLists(result.state).succeeded).toHaveLength(12);
    expect(result.state.tenants.t05.health?.[0].ok).toBe(true);
  });

  it("halts on a failed canary, rolls back the wave's changed tenants and leaves later waves untouched", async () => {
    const deployed: string[] = [];
    const rolledBack: string[] = [];
    const result = await runRollout(options({ bakeSeconds: 0 }), {
      store: new MemoryStateStore(),
      deployTenant: async (t) => {
        deployed.push(t.name);
        return { appId: `app-${t.name}`, changed: true };
      },
      checkHealth: async (t) => [
        { check: "reload", ok: t.name !== "t02", detail: t.name === "t02" ? "FAILED" : "ok" },
      ],
      rollbackTenant: async (t) => {
        rolledBack.push(t.name);
        return { rolledBack: true, detail: "restored" };
      },
    });
    expect(result.status).toBe("halted");
    expect(result.haltedWave).toBe(1);
    expect(deployed.sort()).toEqual(["t01", "t02"]);
    expect(rolledBack.sort()).toEqual(["t01", "t02"]);
    const lists = statusLists(result.state);
    expect(lists.rolledBack).toEqual(["t01", "t02"]);
    expect(lists.skipped).toHaveLength(10);
    expect(result.state.tenants.t02.error).toContain("'reload' failed: FAILED");
    expect(result.state.tenants.t05.error).toContain("wave 1 halted");
    expect(result.state.waves.map((w) => w.status)).toEqual(["halted", "skipped", "skipped"]);
  });

  it("keeps going within the error budget and rolls back only the failed tenant", async () => {
    const rolledBack: string[] = [];
    const result = await runRollout(options({ budget: { percent: 20 }, bakeSeconds: 0 }), {
      store: new MemoryStateStore(),
      deployTenant: async (t) => {
        if (t.name === "t07") throw Object.assign(new Error("reload failed"), { name: "ReloadFailedError" });
        return { appId: t.name, changed: true };
      },
      rollbackTenant: async (t) => {
        rolledBack.push(t.name);
        return { rolledBack: true, detail: "restored" };
      },
    });
    // Wave 3 has 6 tenants: 20% = 1 failure allowed.
    expect(result.status).toBe("completed-with-failures");
    expect(rolledBack).toEqual(["t07"]);
    expect(result.state.tenants.t07).toMatchObject({ status: "rolled-back", attempts: 1 });
    expect(result.state.waves[2]).toMatchObject({ failures: 1, budget: 1, status: "passed" });
  });

  it("retries transient failures, not configuration errors", async () => {
    const calls = new Map<string, number>();
    const result = await runRollout(options({ bakeSeconds: 0, budget: { count: 5 } }), {
      store: new MemoryStateStore(),
      sleep: async () => undefined,
      deployTenant: async (t) => {
        const n = (calls.get(t.name) ?? 0) + 1;
        calls.set(t.name, n);
        if (t.name === "t03" && n < 3) throw new Error("socket hang up");
        if (t.name === "t04") throw new ConfigError("Space 'production' not found.");
        return { appId: t.name, changed: true };
      },
    });
    expect(result.state.tenants.t03).toMatchObject({ status: "deployed", attempts: 3 });
    expect(result.state.tenants.t04).toMatchObject({ status: "failed", attempts: 1 });
    expect(result.state.tenants.t04.error).toBe("Space 'production' not found.");
  });

  it("runs a deploy again when a change's outcome is unknown, not after the client gave up repeating a fault", async () => {
    const calls = new Map<string, number>();
    const sleeps: number[] = [];
    const qlikError = (name: string, retries: "exhausted" | "unsafe", message: string) =>
      Object.assign(new Error(message), { name, retries });
    const result = await runRollout(options({ bakeSeconds: 0, budget: { count: 5 } }), {
      store: new MemoryStateStore(),
      sleep: async (ms) => void sleeps.push(ms),
      deployTenant: async (t) => {
        const n = (calls.get(t.name) ?? 0) + 1;
        calls.set(t.name, n);
        // The client did not repeat a POST whose connection dropped: only another deploy can tell.
        if (t.name === "t03" && n === 1)
          throw qlikError("QlikApiError", "unsafe", "The connection failed during POST /api/v1/apps.");
        // The client repeated a read until it gave up: the engine does not repeat those requests.
        if (t.name === "t04")
          throw qlikError("QlikServerError", "exhausted", "Tenant t04 failed with 503 after 5 attempts.");
        // ...also when the failed deploy wraps it.
        if (t.name === "t05") {
          const cause = qlikError("QlikRateLimitedError", "exhausted", "Tenant t05 kept rate-limiting.");
          throw Object.assign(new Error("rolled back", { cause }), { name: "DeployFailedError" });
        }
        return { appId: t.name, changed: true };
      },
    });
    expect(result.state.tenants.t03).toMatchObject({ status: "deployed", attempts: 2 });
    expect(result.state.tenants.t04).toMatchObject({ status: "failed", attempts: 1 });
    expect(result.state.tenants.t05).toMatchObject({ status: "failed", attempts: 1 });
    expect(sleeps).toHaveLength(1); // one wait, before t03's second attempt
    expect(sleeps[0]).toBeLessThan(200); // the first backoff: full jitter below 200 ms
  });

  it("resumes: skips tenants deployed for the same digest, retries failed and interrupted ones", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rollout-engine-"));
    try {
      const store = new FileStateStore(join(dir, "state.json"));
      let crash = true;
      const first: string[] = [];
      await expect(
        runRollout(options({ bakeSeconds: 0, maxParallel: 1 }), {
          store,
          deployTenant: async (t) => {
            first.push(t.name);
            if (crash && t.name === "t05") throw Object.assign(new Error("killed"), { name: "Crash" });
            return { appId: t.name, changed: true };
          },
          retryable: (e) => {
            if ((e as Error).name === "Crash") throw e; // the process "dies" mid-tenant
            return false;
          },
        }),
      ).rejects.toThrow("killed");
      const saved = await store.load();
      expect(saved?.tenants.t05.status).toBe("in-progress");
      expect(Object.values(saved?.tenants ?? {}).filter((r) => r.status === "deployed")).toHaveLength(4);
      expect(readdirSync(dir)).toEqual(["state.json"]); // no temp files left behind

      crash = false;
      const second: string[] = [];
      const result = await runRollout(options({ bakeSeconds: 0, maxParallel: 1, resume: true }), {
        store,
        deployTenant: async (t) => {
          second.push(t.name);
          return { appId: t.name, changed: true };
        },
      });
      expect(result.status).toBe("succeeded");
      expect(result.state.rolloutId).toBe(saved?.rolloutId);
      expect(second).toEqual(["t05", "t06", "t07", "t08", "t09", "t10", "t11", "t12"]);
      expect([...first.slice(0, 4), ...second].sort()).toEqual(tenants.map((t) => t.name));

      // A new source digest deploys everything again.
      const third: string[] = [];
      await runRollout(
        options({
          bakeSeconds: 0,
          resume: true,
          sourceDigest: "src-2",
          tenantDigest: (t) => `src-2/${t.name}`,
        }),
        { store, deployTenant: async (t) => (third.push(t.name), { appId: t.name, changed: true }) },
      );
      expect(third).toHaveLength(12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the state file holds every finished tenant before the next one starts, and ends equal to the state", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rollout-engine-"));
    try {
      const file = join(dir, "nested", "state.json");
      const finished: string[] = [];
      const result = await runRollout(options({ bakeSeconds: 0, maxParallel: 1, budget: { count: 5 } }), {
        store: new FileStateStore(file),
        deployTenant: async (t) => {
          // Checkpoint after every tenant: all tenants finished so far are on disk as they ended.
          const onDisk = readStateFile(file);
          for (const name of finished) expect(onDisk.tenants[name].finishedAt).toBeDefined();
          expect(onDisk.tenants[t.name].status).toBe("in-progress");
          finished.push(t.name);
          if (t.name === "t04") throw new Error("Space 'production' not found.");
          return { appId: `app-${t.name}`, changed: true };
        },
        retryable: () => false,
        checkHealth: async (t) => [{ check: "reload", ok: t.name !== "t07", detail: "checked" }],
        rollbackTenant: async () => ({ rolledBack: true, detail: "restored" }),
      });
      expect(finished).toHaveLength(12);
      const onDisk = readStateFile(file);
      expect(onDisk).toEqual(JSON.parse(JSON.stringify(result.state)) as RolloutState);
      // Failed tenants of a passing wave are rolled back: later per-tenant saves are on disk too.
      expect(onDisk.tenants.t04.status).toBe("rolled-back");
      expect(onDisk.tenants.t07).toMatchObject({ status: "rolled-back", health: [{ ok: false }] });
      expect(readdirSync(join(dir, "nested"))).toEqual(["state.json"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("FileStateStore: a save naming the changed tenants writes the same file as a full save", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rollout-state-"));
    try {
      const incremental = new FileStateStore(join(dir, "a.json"));
      const full = new FileStateStore(join(dir, "b.json"));
      const state = pendingState(["a", "b"], 'App "quoted"');
      await incremental.save(state);
      state.tenants.a.status = "deployed";
      state.tenants.a.attempts = 1;
      state.waves[0].status = "passed";
      await incremental.save(state, new Set(["a"]));
      await full.save(state);
      const a = readFileSync(join(dir, "a.json"), "utf8");
      expect(a).toBe(readFileSync(join(dir, "b.json"), "utf8"));
      expect(JSON.parse(a)).toEqual(state);
      expect(a.endsWith("\n")).toBe(true);
      // Another state object (e.g. a resumed run): everything is serialised again.
      const other = structuredClone(state);
      other.tenants.b.status = "failed";
      await incremental.save(other, new Set<string>());
      expect(readStateFile(join(dir, "a.json")).tenants.b.status).toBe("failed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("FileStateStore: released records stay in every save as they were, and come back with restore", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rollout-state-"));
    try {
      const store = new FileStateStore(join(dir, "a.json"));
      const full = new FileStateStore(join(dir, "b.json"));
      const names = ["t1", "t2", "t3", "t4"];
      const state = pendingState(names, "App");
      const whole = structuredClone(state);
      expect(() => store.release(state, ["t1"])).toThrow("last saved"); // nothing saved yet
      await store.save(state);
      state.tenants.t4 = { name: "t4", wave: 0, status: "pending", digest: "d/t4", attempts: 0 };
      expect(() => store.release(state, ["t1"])).not.toThrow();
      expect(Object.keys(state.tenants)).toEqual(["t2", "t3", "t4"]);
      // Later changes to the records still held, named or not, land beside the released one.
      for (const [n, status] of [
        ["t2", "deployed"],
        ["t4", "failed"],
      ] as const) {
        state.tenants[n].status = status;
        whole.tenants[n].status = status;
      }
      state.waves[0].status = "passed";
      whole.waves[0].status = "passed";
      await store.save(state, new Set(["t2"]));
      await store.save(state);
      await full.save(whole);
      const a = readFileSync(join(dir, "a.json"), "utf8");
      expect(a).toBe(readFileSync(join(dir, "b.json"), "utf8"));
      expect(Object.keys(JSON.parse(a).tenants)).toEqual(names); // the file keeps its order
      store.release(state, ["t3", "t2"]);
      expect(Object.keys(state.tenants)).toEqual(["t4"]);
      // Some records back: changed and saved, they keep their place in the file.
      store.restore(state, ["t2"]);
      expect(Object.keys(state.tenants)).toEqual(["t4", "t2"]);
      state.tenants.t2.attempts = 2;
      whole.tenants.t2.attempts = 2;
      await store.save(state, new Set(["t2"]));
      const saved = readFileSync(join(dir, "a.json"), "utf8");
      expect(Object.keys(JSON.parse(saved).tenants)).toEqual(names);
      expect(JSON.parse(saved)).toEqual(whole);
      store.restore(state);
      expect(state).toEqual(whole);
      expect(Object.keys(state.tenants)).toEqual(names);
      // Restored records are the state's again: a change to one is saved.
      state.tenants.t1.status = "skipped";
      whole.tenants.t1.status = "skipped";
      await store.save(state, new Set(["t1"]));
      expect(readStateFile(join(dir, "a.json"))).toEqual(whole);
      // A record never saved cannot be released; a record added after a release is refused on save.
      state.tenants.t5 = { name: "t5", wave: 0, status: "pending", digest: "d/t5", attempts: 0 };
      expect(() => store.release(state, ["t5"])).toThrow("never saved");
      await store.save(state);
      store.release(state, ["t1"]);
      state.tenants.t6 = { name: "t6", wave: 0, status: "pending", digest: "d/t6", attempts: 0 };
      await expect(store.save(state)).rejects.toThrow("since some were released");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a file-backed rollout holds the records of the tenants in flight only, and ends as one kept in memory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rollout-engine-"));
    /** Remembers the state it saves, so a tenant's deploy can see which records are held as objects. */
    class WatchedStore extends FileStateStore {
      state: RolloutState | undefined;
      override async save(state: RolloutState, changed?: ReadonlySet<string>): Promise<void> {
        this.state = state;
        await super.save(state, changed);
      }
    }
    // One run per store, same operations and clock: the canary passes, the next wave halts (t05 fails,
    // the budget is 0), its tenants are rolled back and the last wave is skipped.
    const run = async (store: MemoryStateStore | WatchedStore) => {
      let tick = Date.parse("2026-01-01T00:00:00.000Z");
      const held: string[][] = [];
      const result = await runRollout(options({ bakeSeconds: 0, maxParallel: 1 }), {
        store,
        now: () => new Date(tick++),
        deployTenant: async (t) => {
          if (store instanceof WatchedStore) held.push(Object.keys(store.state?.tenants ?? {}));
          if (t.name === "t05") throw new Error("Space 'production' not found.");
          return { appId: `app-${t.name}`, changed: true };
        },
        retryable: () => false,
        checkHealth: async (t) => [{ check: "reload", ok: true, detail: `reload of ${t.name} succeeded` }],
        rollbackTenant: async () => ({ rolledBack: true, detail: "restored" }),
      });
      return { ...result, held, state: { ...result.state, rolloutId: "r" } };
    };
    try {
      const store = new WatchedStore(join(dir, "state.json"));
      const onFile = await run(store);
      const inMemory = await run(new MemoryStateStore());
      expect(onFile.status).toBe("halted");
      expect(onFile.state).toEqual(inMemory.state);
      expect({ ...readStateFile(store.location), rolloutId: "r" }).toEqual(onFile.state);
      expect(Object.keys(onFile.state.tenants)).toEqual(tenants.map((t) => t.name));
      // Every deploy (one at a time) saw its own record only.
      const [canary, next] = onFile.state.waves.map((w) => w.tenants);
      expect(onFile.held).toEqual([...canary, ...next].map((name) => [name]));
      expect(onFile.state.tenants.t05.status).toBe("rolled-back");
      expect(onFile.state.tenants.t01.status).toBe("deployed");
      expect(onFile.state.waves.map((w) => w.status)).toEqual(["passed", "halted", "skipped"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("FileStateStore: saves naming changed tenants stay byte-identical to full saves as records grow and shrink", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rollout-state-"));
    try {
      const incremental = new FileStateStore(join(dir, "a.json"));
      const full = new FileStateStore(join(dir, "b.json"));
      const names = Array.from({ length: 300 }, (_, i) => `tenant-${String(i).padStart(3, "0")}`);
      const state = pendingState(names, "App");
      await incremental.save(state);
      // Enough rounds of changes (some records growing by kilobytes, some shrinking, non-ASCII text)
      // that the store's buffer fills and is compacted several times.
      for (let round = 1; round <= 12; round++) {
        const changed = new Set(names.filter((_, i) => (i * 7 + round) % 5 === 0));
        for (const n of changed) {
          const r = state.tenants[n];
          r.attempts = round;
          r.status = round % 2 ? "in-progress" : "deployed";
          if (round % 3 === 0) delete r.error;
          else r.error = `Échec ${round}: ${"x".repeat((round * 97) % 1500)}`;
        }
        await incremental.save(state, changed);
        await full.save(state);
        expect(readFileSync(join(dir, "a.json"), "utf8")).toBe(readFileSync(join(dir, "b.json"), "utf8"));
      }
      expect(readStateFile(join(dir, "a.json"))).toEqual(state);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
