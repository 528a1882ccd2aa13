// Rollouts ship one artifact: built once from files (or given), the same digest recorded for every
// tenant; tenants without parameters of their own get no QIX session; a resume never mixes versions;
// rolling back needs the previous artifact and says so in one sentence when it is gone.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator, type RunningSimulator } from "@qlik-cicd/simulator";
import { makeArtifact, readArtifact, readDeploymentRecord, writeArtifact } from "../src/index.ts";
import { rolloutApp, statusLists } from "../src/rollout/index.ts";
import { APP, appsBySpace, writeSources } from "./rollout-helpers.ts";

const FAST = { reloadPollIntervalMs: 20, publishAccessTimeoutMs: 10_000 };
let sim: RunningSimulator;
let work: string;
let v1: string;
let v2: string;
let env: Record<string, string>;

/** Tenants 1..n; only tenant-2 carries parameters of its own; tenant-1 is the canary. */
function inventory(file: string): void {
  env = {};
  const lines = ["version: 1", "tenants:"];
  sim.description.tenants.forEach((t, i) => {
    env[`K_${i}`] = t.apiKey;
    lines.push(
      `  - name: ${t.name}`,
      `    url: ${t.url}`,
      `    labels: [${i === 0 ? "canary" : ""}]`,
      `    credentials: { apiKeyEnv: K_${i} }`,
      ...(i === 1 ? ["    parameters:", '      variables: { vTopN: "3" }'] : []),
    );
  });
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, `${lines.join("\n")}\n`);
}

beforeAll(async () => {
  sim = await startSimulator({
    tenants: 5,
    seed: "demo",
    timings: { reloadMs: 10, publishAccessWindowMs: 0 },
  });
  work = mkdtempSync(join(tmpdir(), "rollout-artifact-"));
  ({ v1, v2 } = await writeSources(sim, work));
  inventory(join(work, "tenants.yml"));
}, 20_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

const base = () => ({
  tenantsFile: join(work, "tenants.yml"),
  space: "production",
  appName: APP,
  canary: "label=canary",
  maxParallel: 3,
  env,
  deploy: FAST,
});

describe("rollout of one artifact", () => {
  it("builds once, ships the same digest everywhere, opens QIX only where parameters need it", async () => {
    const run = await rolloutApp({ ...base(), source: v1, stateFile: join(work, "s1", "state.json") });
    expect(run.report.status).toBe("succeeded");
    const state = run.state!;
    expect(state.artifactDigest).toMatch(/^sha256:/);
    const digests = new Set(Object.values(state.tenants).map((r) => r.artifactDigest));
    expect([...digests]).toEqual([state.artifactDigest]);
    const [first, withParams, ...plain] = sim.description.tenants;
    const client = new QlikClient({ tenantUrl: plain[0].url, apiKey: plain[0].apiKey });
    try {
      const published = appsBySpace(sim, plain[0].name).production[0];
      expect((await readDeploymentRecord(client, published))?.artifactDigest).toBe(state.artifactDigest);
    } finally {
      await client.close();
    }
    // The build ran on the first tenant only; tenants without parameters got no QIX session at all.
    for (const t of plain) {
      const sessions = sim.control.requestLog(t.name).filter((e) => e.path.startsWith("/app/"));
      expect([t.name, sessions.length]).toEqual([t.name, 0]);
    }
    expect(sim.control.requestLog(withParams.name).some((e) => e.path.startsWith("/app/"))).toBe(true);
    expect(appsBySpace(sim, first.name, `${APP} (build)`)).toEqual({});
  }, 60_000);

  it("resumes with the artifact it started with and refuses another", async () => {
    const stateFile = join(work, "s1", "state.json");
    const again = await rolloutApp({ ...base(), source: v1, stateFile, resume: true });
    expect(again.report.status).toBe("succeeded");
    expect(Object.values(again.state!.tenants).every((r) => r.attempts === 1)).toBe(true);
    // Another build of the same files is another artifact (other bytes, same source): refused.
    const state = again.state!;
    const kept = readArtifact(
      join(work, "s1", "rollback", "artifacts", (state.artifactDigest as string).slice(7)),
    );
    const other = makeArtifact(new Uint8Array([...kept.bytes, 0]), {
      appName: APP,
      sourceDigest: kept.manifest.sourceDigest,
    });
    writeArtifact(join(work, "other"), other);
    // Marked unfinished, as a halted or killed run leaves it.
    writeFileSync(stateFile, JSON.stringify({ ...state, status: "running" }));
    const before = sim.control.requestLog(sim.description.tenants[0].name).length;
    await expect(
      rolloutApp({ ...base(), artifact: join(work, "other"), stateFile, resume: true }),
    ).rejects.toThrow(/ships artifact \w+, not \w+: a resume never mixes versions/);
    expect(sim.control.requestLog(sim.description.tenants[0].name).length).toBe(before);
  }, 60_000);

  it("rolls back to the previous artifact; without it, says so in one sentence", async () => {
    // tenant-3 fails its reload of v2: the deploy ships v1 back from the store.
    const [, , victim] = sim.description.tenants;
    const published = appsBySpace(sim, victim.name).production[0];
    sim.control.failNextReload(victim.name, published, { message: "Source database unavailable" });
    const run = await rolloutApp({
      ...base(),
      canary: undefined,
      source: v2,
      maxFailures: "2",
      stateFile: join(work, "s2", "state.json"),
      rollbackDir: join(work, "s1", "rollback"),
    });
    const lists = statusLists(run.state!);
    expect(lists.rolledBack).toEqual([victim.name]);
    expect(run.state!.tenants[victim.name].error).toContain("Rolled back");

    // The same failure with an empty store: the sentence names what is missing.
    const [, , , other] = sim.description.tenants;
    sim.control.failNextReload(other.name, appsBySpace(sim, other.name).production[0], { message: "down" });
    const lost = await rolloutApp({
      ...base(),
      canary: undefined,
      source: v1,
      maxFailures: "2",
      stateFile: join(work, "s3", "state.json"),
      rollbackDir: join(work, "s3", "empty"),
    });
    const record = lost.state!.tenants[other.name];
    expect(record.status).toBe("failed");
    expect(record.error).toMatch(
      /There is no previous artifact to roll back to \(\w+ is not kept in the rollback store\)/,
    );
  }, 60_000);
});
