// The bundled rollout-canary action run as the runner runs it: a plan with its matrix, a rollout killed
// with SIGKILL mid-wave and resumed (every tenant deployed exactly once), bad input, merge-states.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator, type RunningSimulator } from "@qlik-cicd/simulator";
import { repoRoot, runBundledAction } from "../../../test/helpers/run-bundled-action.ts";
import type { RolloutState } from "../src/rollout/index.ts";
import { APP, appsBySpace, publishCounts, writeInventory, writeSources } from "./rollout-helpers.ts";

const TENANTS = 16;
let sim: RunningSimulator;
let work: string;
let env: Record<string, string>;
let names: string[];

beforeAll(async () => {
  sim = await startSimulator({
    tenants: TENANTS,
    seed: "demo",
    latencyMs: 15,
    timings: { reloadMs: 30, publishAccessWindowMs: 0 },
  });
  work = mkdtempSync(join(tmpdir(), "rollout-action-"));
  await writeSources(sim, join(work, "apps"));
  ({ env, names } = writeInventory(sim, join(work, "tenants.yml"), (i) => (i < 2 ? ["canary"] : [])));
}, 30_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

const baseInputs = {
  "tenants-file": "tenants.yml",
  source: "apps/v1",
  space: "production",
  "app-name": APP,
  canary: "label=canary",
  waves: "50%",
  "max-parallel": "2",
};

function readState(file: string): RolloutState | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as RolloutState;
  } catch {
    return undefined;
  }
}

describe("rollout-canary action", () => {
  it("plans without touching any tenant and outputs the matrix", async () => {
    const run = await runBundledAction("rollout-canary", {
      inputs: { ...baseInputs, "dry-run": "true", shards: "3" },
      env,
      workspace: work,
    });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    const matrix = JSON.parse(run.outputs.matrix) as { include: { wave: number; shard: string }[] };
    expect(matrix.include.map((m) => `${m.wave}:${m.shard}`)).toEqual([
      "1:1/2",
      "1:2/2",
      "2:1/3",
      "2:2/3",
      "2:3/3",
      "3:1/3",
      "3:2/3",
      "3:3/3",
    ]);
    expect(run.outputs.status).toBe("planned");
    expect(JSON.parse(run.outputs.skipped)).toHaveLength(TENANTS);
    expect(run.summary).toContain("Rollout plan");
    for (const name of names) expect(appsBySpace(sim, name)).toEqual({});
  }, 30_000);

  it("fails with one sentence naming the tenant when a credential variable is missing", async () => {
    const partial = { ...env, SIM_KEY_3: "" };
    const run = await runBundledAction("rollout-canary", {
      inputs: baseInputs,
      env: partial,
      workspace: work,
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors.join("\n")).toContain(`tenant '${names[2]}'`);
    expect(run.errors.join("\n")).toContain("SIM_KEY_3");
    for (const name of names) expect(appsBySpace(sim, name)).toEqual({});
  }, 30_000);

  it("after SIGKILL mid-wave, resume deploys every tenant exactly once", async () => {
    const stateFile = join(work, "state", "rollout.json");
    mkdirSync(join(work, "state"), { recursive: true });
    const outFile = join(work, "kill-output");
    writeFileSync(outFile, "");
    const childEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !k.startsWith("INPUT_") && !k.startsWith("QLIK_")) childEnv[k] = v;
    }
    Object.assign(childEnv, env, {
      GITHUB_OUTPUT: outFile,
      GITHUB_STEP_SUMMARY: join(work, "kill-summary"),
      GITHUB_WORKSPACE: work,
      RUNNER_TEMP: work,
    });
    for (const [k, v] of Object.entries({ ...baseInputs, "state-file": "state/rollout.json" })) {
      childEnv[`INPUT_${k.toUpperCase()}`] = v;
    }
    const child = spawn(process.execPath, [join(repoRoot, "actions", "rollout-canary", "dist", "index.js")], {
      env: childEnv,
      cwd: work,
      stdio: "ignore",
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // Kill it once some tenants of wave 2 are checkpointed as deployed.
    let killedWith: RolloutState | undefined;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const state = readState(stateFile);
      const wave2Done = Object.values(state?.tenants ?? {}).filter(
        (r) => r.wave === 2 && r.status === "deployed",
      );
      if (wave2Done.length >= 2) {
        child.kill("SIGKILL");
        killedWith = state;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await exited;
    expect(killedWith).toBeDefined();
    const afterKill = readState(stateFile) as RolloutState;
    const done = Object.values(afterKill.tenants).filter((r) => r.status === "deployed").length;
    expect(done).toBeGreaterThanOrEqual(4);
    expect(done).toBeLessThan(TENANTS);

    const resumed = await runBundledAction("rollout-canary", {
      inputs: { ...baseInputs, "state-file": "state/rollout.json", resume: "true" },
      env: { ...env, GITHUB_RUN_ID: "42", GITHUB_RUN_ATTEMPT: "2" },
      workspace: work,
    });
    expect(resumed.errors).toEqual([]);
    expect(resumed.exitCode).toBe(0);
    expect(JSON.parse(resumed.outputs.succeeded)).toEqual([...names].sort());
    expect(JSON.parse(resumed.outputs.failed)).toEqual([]);
    const final = readState(stateFile) as RolloutState;
    expect(final.rolloutId).toBe(afterKill.rolloutId);
    // Tenants done before the kill were not touched again.
    for (const r of Object.values(afterKill.tenants).filter((x) => x.status === "deployed")) {
      expect(final.tenants[r.name].attempts).toBe(r.attempts);
      expect(final.tenants[r.name].finishedAt).toBe(r.finishedAt);
    }
    // Exactly once, in the simulator's own records.
    for (const name of names) {
      const apps = appsBySpace(sim, name);
      expect([name, apps.production?.length, apps["production-staging"]?.length]).toEqual([name, 1, 1]);
      expect([name, publishCounts(sim, name)]).toEqual([name, { publish: 1, republish: 0 }]);
    }
    expect(resumed.summary).toContain("Rollout succeeded");
    expect(resumed.summary).toContain("| Wave |");
    expect(existsSync(resumed.outputs.report)).toBe(true);
    const report = JSON.parse(readFileSync(resumed.outputs.report, "utf8"));
    expect(report.succeeded).toHaveLength(TENANTS);
    // No secret anywhere in what the action wrote.
    // (`::add-mask::` lines are how the runner learns what to mask; every other line must be clean.)
    const log = resumed.stdout
      .split("\n")
      .filter((l) => !l.startsWith("::add-mask::"))
      .join("\n");
    const written = [
      readFileSync(stateFile, "utf8"),
      readFileSync(resumed.outputs.report, "utf8"),
      resumed.summary,
      log,
    ];
    for (const key of Object.values(env)) for (const text of written) expect(text).not.toContain(key);
  }, 60_000);

  it("merges shard state files into one report", async () => {
    const shardRuns = [];
    for (let i = 1; i <= 2; i++) {
      shardRuns.push(
        await runBundledAction("rollout-canary", {
          inputs: { ...baseInputs, source: "apps/v2", shard: `${i}/2`, "state-file": `shards/s${i}.json` },
          env,
          workspace: work,
        }),
      );
    }
    for (const r of shardRuns) expect(r.exitCode).toBe(0);
    const merged = await runBundledAction("rollout-canary", {
      inputs: { "merge-states": "shards/s1.json\nshards/s2.json", "state-file": "shards/merged.json" },
      workspace: work,
    });
    expect(merged.errors).toEqual([]);
    expect(JSON.parse(merged.outputs.succeeded)).toEqual([...names].sort());
    expect(merged.summary).toContain("Merged 2 state files");
    for (const name of names) {
      expect(publishCounts(sim, name)).toEqual({ publish: 1, republish: 1 });
    }
  }, 60_000);
});
