// rolloutApp against the simulator: a failing canary halts and rolls back with later waves untouched;
// shards 1/3..3/3 together deploy every tenant exactly once and merge into one state.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryLogger } from "@qlik-cicd/common";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator, type RunningSimulator, type WireExchange } from "@qlik-cicd/simulator";
import { deployApp } from "../src/index.ts";
import { mergeStateFiles, readStateFile, rolloutApp, statusLists } from "../src/rollout/index.ts";
import {
  APP,
  appsBySpace,
  publishCounts,
  scriptOf,
  writeInventory,
  writeSources,
} from "./rollout-helpers.ts";

const fastDeploy = { reloadPollIntervalMs: 50, publishAccessTimeoutMs: 10_000 };
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "rollout-canary-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("rollout with a failing canary (20 tenants)", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      tenants: 20,
      seed: "demo",
      timings: { reloadMs: 20, publishAccessWindowMs: 0, evaluationMs: 20 },
    });
  }, 20_000);
  afterAll(async () => sim?.stop());

  it("halts after the canary, rolls the canaries back to their previous version, never touches later waves", async () => {
    const dir = join(work, "canary");
    const { v1, v2 } = await writeSources(sim, dir);
    // tenant-1 and tenant-2 are canaries, the next 8 wave 1, the rest wave 2.
    const { env } = writeInventory(sim, join(dir, "tenants.yml"), (i) =>
      i < 2 ? ["canary"] : i < 10 ? ["wave-1"] : [],
    );
    const [c1, c2] = sim.description.tenants;
    // The canaries already run v1 (a previous rollout).
    const publishedV1: string[] = [];
    for (const t of [c1, c2]) {
      const client = new QlikClient({ tenantUrl: t.url, apiKey: t.apiKey });
      const r = await deployApp(client, { source: v1, space: "production", appName: APP, ...fastDeploy });
      publishedV1.push(r.publishedAppId as string);
      await client.close();
    }
    // The second canary's next reload fails.
    sim.control.failNextReload(c2.name, publishedV1[1], {
      message: "Connection to the customer database failed",
    });

    const logger = new MemoryLogger();
    const run = await rolloutApp(
      {
        tenantsFile: join(dir, "tenants.yml"),
        source: v2,
        space: "production",
        appName: APP,
        canary: "label=canary",
        waves: "label=wave-1",
        healthChecks: "reload,evaluation",
        bakeSeconds: 0.01,
        maxParallel: 5,
        stateFile: join(dir, "state.json"),
        env,
        deploy: fastDeploy,
        evaluation: { pollIntervalMs: 50 },
      },
      { logger },
    );
    const lists = statusLists(run.state!);
    expect(run.report.status).toBe("halted");
    expect(run.report.waves.map((w) => [w.name, w.status, w.tenants])).toEqual([
      ["canary", "halted", 2],
      ["label=wave-1", "skipped", 8],
      ["the rest", "skipped", 10],
    ]);
    expect(lists.rolledBack.sort()).toEqual([c1.name, c2.name].sort());
    expect(lists.skipped).toHaveLength(18);
    expect(lists.succeeded).toEqual([]);
    const r2 = run.state!.tenants[c2.name];
    expect(r2.error).toContain("Connection to the customer database failed");
    expect(r2.reloadStatus).toBe("FAILED");
    const r1 = run.state!.tenants[c1.name];
    expect(r1.health?.map((h) => [h.check, h.ok])).toEqual([
      ["reload", true],
      ["evaluation", true],
    ]);
    expect(r1.baselineEvaluationId).toBeTruthy();
    expect(r1.rollbackReason).toMatch(/wave 1 failed/);

    // Both canaries run v1 again, in the same published app (its id kept).
    for (const [i, t] of [c1, c2].entries()) {
      expect(appsBySpace(sim, t.name).production).toEqual([publishedV1[i]]);
      const script = await scriptOf(sim, t.name);
      expect(script).not.toContain("TRACE v2;");
    }
    // Later waves: nothing in their spaces, not even a staging app.
    for (const t of sim.description.tenants.slice(2)) {
      expect(appsBySpace(sim, t.name)).toEqual({});
      expect(publishCounts(sim, t.name)).toEqual({ publish: 0, republish: 0 });
    }
    // The checkpointed state says the same as the result.
    expect(statusLists(readStateFile(join(dir, "state.json")))).toEqual(lists);
    expect(logger.text()).toContain("halting the rollout");
  }, 30_000);
});

describe("sharded rollout (12 tenants, 3 shards)", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      tenants: 12,
      seed: "demo",
      timings: { reloadMs: 20, publishAccessWindowMs: 0 },
    });
  }, 20_000);
  afterAll(async () => sim?.stop());

  it("shards 1/3..3/3 deploy every tenant exactly once; the merged state lists them all", async () => {
    const dir = join(work, "shards");
    const { v1 } = await writeSources(sim, dir);
    const { env, names } = writeInventory(sim, join(dir, "tenants.yml"), (i) => (i < 2 ? ["canary"] : []));
    const files: string[] = [];
    const seen: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const stateFile = join(dir, `state-${i}.json`);
      files.push(stateFile);
      const run = await rolloutApp({
        tenantsFile: join(dir, "tenants.yml"),
        source: v1,
        space: "production",
        appName: APP,
        canary: "label=canary",
        waves: "50%",
        shard: `${i}/3`,
        stateFile,
        env,
        deploy: fastDeploy,
      });
      expect(run.report.status).toBe("succeeded");
      expect(run.report.shard).toBe(`${i}/3`);
      seen.push(...run.report.succeeded);
    }
    expect(seen.sort()).toEqual([...names].sort());
    for (const name of names) {
      expect(appsBySpace(sim, name).production).toHaveLength(1);
      expect(publishCounts(sim, name)).toEqual({ publish: 1, republish: 0 });
    }
    const merged = await mergeStateFiles(files, join(dir, "merged.json"));
    expect(merged.report.status).toBe("succeeded");
    expect(merged.report.succeeded).toEqual([...names].sort());
    expect(merged.report.waves.map((w) => w.tenants)).toEqual([2, 4, 6]);
    expect(readStateFile(join(dir, "merged.json")).tenants[names[5]].status).toBe("deployed");
  }, 30_000);
});

describe("a tenant's connection (4 tenants, wire tap)", () => {
  let sim: RunningSimulator;
  const exchanges: WireExchange[] = [];
  beforeAll(async () => {
    sim = await startSimulator({
      tenants: 4,
      seed: "demo",
      timings: { reloadMs: 20, publishAccessWindowMs: 0 },
      wireTap: { http: (x) => exchanges.push(x) },
    });
  }, 20_000);
  afterAll(async () => sim?.stop());

  it("carries a tenant's deploy and its health check: one connection per tenant, not one per step", async () => {
    const dir = join(work, "connection");
    const { v1 } = await writeSources(sim, dir);
    const { env, names } = writeInventory(sim, join(dir, "tenants.yml"));
    exchanges.length = 0;
    const run = await rolloutApp({
      tenantsFile: join(dir, "tenants.yml"),
      source: v1,
      space: "production",
      appName: APP,
      canary: "1",
      healthChecks: "reload",
      bakeSeconds: 0.01,
      stateFile: join(dir, "state.json"),
      env,
      deploy: fastDeploy,
    });
    expect(run.report.status).toBe("succeeded");
    // The first tenant also builds the artifact, on a client (and connection) of its own.
    const [builder, ...others] = [...names].sort();
    for (const name of [builder, ...others]) {
      const mine = exchanges.filter((x) => x.endpoint.kind === "tenant" && x.endpoint.name === name);
      const healthRead = mine.findLast((x) => x.method === "GET" && x.url.startsWith("/api/v1/reloads?"));
      expect(healthRead).toBeDefined();
      const deployRequests = mine.filter((x) => x.url.startsWith("/api/v1/apps/import"));
      expect(deployRequests).toHaveLength(1);
      // The import and the health check's read share the connection.
      expect(healthRead?.connection).toBe(deployRequests[0].connection);
      expect(new Set(mine.map((x) => x.connection)).size).toBe(name === builder ? 2 : 1);
    }
  }, 30_000);
});
