// 150 tenants (ROLLOUT_FAULT_TENANTS=200 runs 200: ~30 s alone, ~45 s beside other suites on 2 cores),
// 20 % of REST requests and WebSocket connections faulted (429, 502/503, connections dropped before
// and after the change was applied, WebSocket drops): every tenant ends deployed,
// with exactly one app in the target space and one staging app — no duplicates from retries.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator, type RunningSimulator } from "@qlik-cicd/simulator";
import { rolloutApp, statusLists } from "../src/rollout/index.ts";
import { APP, appsBySpace, writeInventory, writeSources } from "./rollout-helpers.ts";
import { testReport } from "../../../test/helpers/report.ts";

const TENANTS = Number(process.env.ROLLOUT_FAULT_TENANTS ?? 150);
let sim: RunningSimulator;
let work: string;

beforeAll(async () => {
  sim = await startSimulator({
    tenants: TENANTS,
    seed: "demo",
    timings: { reloadMs: 10, publishAccessWindowMs: 0, retryAfterSeconds: 0 },
  });
  work = mkdtempSync(join(tmpdir(), "rollout-faults-"));
}, 30_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("rollout under faults", () => {
  it(`deploys all ${TENANTS} tenants exactly once despite 20 % faulted requests and sockets`, async () => {
    const { v1 } = await writeSources(sim, work);
    const { env, names } = writeInventory(sim, join(work, "tenants.yml"), (i) => (i < 5 ? ["canary"] : []));
    await sim.control.setFaults("*", {
      rate: 0.2,
      kinds: ["429", "502", "503", "drop-before", "drop-after", "ws-drop"],
    });
    const started = Date.now();
    const run = await rolloutApp({
      tenantsFile: join(work, "tenants.yml"),
      source: v1,
      space: "production",
      appName: APP,
      canary: "label=canary",
      waves: "25%",
      maxParallel: 50,
      maxAttempts: 5,
      healthChecks: "reload",
      stateFile: join(work, "state.json"),
      env,
      deploy: { reloadPollIntervalMs: 50, publishAccessTimeoutMs: 10_000 },
      // The two layers of the retry policy: the client repeats what is safe to repeat (at a 20 % fault
      // rate a read fails five times in a row about once a run, so it gets ten sends); the engine runs a
      // deploy again only when a change's outcome was unknown (a dropped connection or session), never
      // after the client gave up repeating the same fault.
      client: { retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 10 } },
    });
    const elapsed = Date.now() - started;
    await sim.control.setFaults("*", { rate: 0 });
    const lists = statusLists(run.state!);
    expect({ failed: lists.failed, rolledBack: lists.rolledBack, skipped: lists.skipped }).toEqual({
      failed: [],
      rolledBack: [],
      skipped: [],
    });
    expect(lists.succeeded).toHaveLength(TENANTS);
    let faults = 0;
    for (const name of names) {
      const apps = appsBySpace(sim, name);
      expect([name, apps.production?.length, apps["production-staging"]?.length]).toEqual([name, 1, 1]);
      const injected = sim.control.state(name).faults.injected;
      faults += Object.values(injected).reduce((a, b) => a + b, 0);
    }
    // The faults really happened (and were survived), many of them.
    expect(faults).toBeGreaterThan(TENANTS * 2);
    expect(run.report.waves.map((w) => w.status)).toEqual(["passed", "passed", "passed"]);
    // Speed is measured by `npm run bench`, not asserted here; the time is printed for reference.
    testReport(`rollout of ${TENANTS} tenants under faults took ${(elapsed / 1000).toFixed(1)} s\n`);
  }, 180_000);
});
