// The app artifact against the simulator: built once from files and exported without data; read back
// and verified (a changed file is refused with one sentence); shipped to managed spaces by import →
// republish (the consumers' app keeps its id, one staging app), verified by the published app's record;
// a target already running it costs no QIX session; parameters applied only when they differ; a dropped
// import never leaves two staging apps; temp-contents for large files; rollback ships the previous one.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, MemoryLogger } from "@qlik-cicd/common";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator, type RunningSimulator } from "@qlik-cicd/simulator";
import {
  ArtifactStore,
  buildArtifact,
  buildArtifactOnce,
  deployApp,
  readArtifact,
  readDeploymentRecord,
  rollbackArtifact,
  shipArtifact,
  type AppArtifact,
} from "../src/index.ts";
import { APP, appsBySpace, publishCounts, scriptOf, writeSources } from "./rollout-helpers.ts";

const FAST = { reloadPollIntervalMs: 20, publishAccessTimeoutMs: 10_000 };
let sim: RunningSimulator;
let work: string;
let v1: string;
let v2: string;

const tenant = (i: number) => sim.description.tenants[i];
const clientFor = (i: number) => new QlikClient({ tenantUrl: tenant(i).url, apiKey: tenant(i).apiKey });
const qixRequests = (i: number) =>
  sim.control.requestLog(tenant(i).name).filter((e) => e.path.startsWith("/app/")).length;

beforeAll(async () => {
  sim = await startSimulator({
    tenants: 4,
    seed: "demo",
    timings: { reloadMs: 10, publishAccessWindowMs: 0 },
  });
  work = mkdtempSync(join(tmpdir(), "artifact-"));
  ({ v1, v2 } = await writeSources(sim, work));
}, 20_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("app artifact", () => {
  let a1: AppArtifact;
  let a2: AppArtifact;

  it("is built once from files in test, written with its manifest and read back verified", async () => {
    const client = clientFor(0);
    try {
      const built = await buildArtifact(
        client,
        {
          source: v1,
          space: "test",
          appName: APP,
          provenance: { commit: "c0ffee1", commitTime: "2026-11-02T10:00:00.000Z" },
          ...FAST,
        },
        { outDir: join(work, "a1") },
      );
      expect(built.deploy.verified).toBe(true);
      a1 = readArtifact(join(work, "a1"));
      expect(a1.manifest).toMatchObject({
        appName: APP,
        commit: "c0ffee1",
        commitTime: "2026-11-02T10:00:00.000Z",
        artifactDigest: built.artifact.manifest.artifactDigest,
        sourceDigest: built.artifact.manifest.sourceDigest,
      });
      expect(a1.manifest.artifactDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      // The same, read from the app file's path.
      expect(readArtifact(join(work, "a1", "app.qvf")).manifest).toEqual(a1.manifest);
    } finally {
      await client.close();
    }
    const client1 = clientFor(1);
    try {
      a2 = await buildArtifactOnce(client1, {
        source: v2,
        space: "production-staging",
        appName: APP,
        outDir: join(work, "a2"),
      });
      // The scratch build app is gone; nothing consumers use was touched.
      expect(appsBySpace(sim, tenant(1).name)).toEqual({});
      expect(appsBySpace(sim, tenant(1).name, `${APP} (build)`)).toEqual({});
    } finally {
      await client1.close();
    }
  });

  it("refuses an artifact whose app file does not match its manifest, in one sentence", () => {
    const dir = join(work, "tampered");
    // The manifest as it was, beside an app file with one bit changed.
    const bytes = new Uint8Array(readArtifact(join(work, "a1")).bytes);
    bytes[bytes.length - 1] ^= 1;
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(work, "a1", "manifest.json"), join(dir, "manifest.json"));
    writeFileSync(join(dir, "app.qvf"), bytes);
    let error: unknown;
    try {
      readArtifact(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe("artifact");
    expect((error as Error).message).toMatch(/^Input 'artifact': the app file's digest \w+ does not match/);
    expect((error as Error).message.split(". ").length).toBe(1);
    expect(() => readArtifact(join(work, "nowhere"))).toThrow(/does not exist/);
  });

  it("ships to a managed space: import, publish, record, reload; again: nothing to do, no QIX session", async () => {
    const client = clientFor(2);
    const store = new ArtifactStore(join(work, "store"));
    try {
      const first = await shipArtifact(
        client,
        a1,
        { space: "production", parametersKey: "k", ...FAST },
        { store },
      );
      expect(first).toMatchObject({
        changed: true,
        verified: true,
        imported: true,
        parametersApplied: false,
      });
      expect(first.reload?.status).toBe("SUCCEEDED");
      const record = await readDeploymentRecord(client, first.publishedAppId as string);
      expect(record).toMatchObject({
        artifactDigest: a1.manifest.artifactDigest,
        sourceDigest: a1.manifest.sourceDigest,
        // The commit the artifact was built from and its time, so the estate view can tell how old it is.
        commit: "c0ffee1",
        commitTime: "2026-11-02T10:00:00.000Z",
      });
      expect(appsBySpace(sim, tenant(2).name)).toEqual({
        production: [first.publishedAppId],
        "production-staging": [first.appId],
      });

      const qixBefore = qixRequests(2);
      const again = await shipArtifact(
        client,
        a1,
        { space: "production", parametersKey: "k", ...FAST },
        { store },
      );
      expect(again).toMatchObject({ changed: false, verified: true, imported: false });
      expect(qixRequests(2)).toBe(qixBefore);

      // v2 over it: the consumers' app keeps its id, the staging app is replaced, not added.
      const logged = sim.control.requestLog(tenant(2).name).length;
      const second = await shipArtifact(
        client,
        a2,
        { space: "production", parametersKey: "k", ...FAST },
        { store },
      );
      expect(second.publishedAppId).toBe(first.publishedAppId);
      expect(second.appId).not.toBe(first.appId);
      expect(second.previousArtifactDigest).toBe(a1.manifest.artifactDigest);
      expect(appsBySpace(sim, tenant(2).name)).toEqual({
        production: [first.publishedAppId],
        "production-staging": [second.appId],
      });
      expect(await scriptOf(sim, tenant(2).name)).toContain("TRACE v2;");
      expect(publishCounts(sim, tenant(2).name)).toEqual({ publish: 1, republish: 1 });
      // The staging app v1 was published from, unchanged since, holds the published record: only the
      // consumers' app's record is read (before, and to verify), the staging app's is not.
      const recordReads = sim.control
        .requestLog(tenant(2).name)
        .slice(logged)
        .filter((e) => e.method === "GET" && e.path.includes("/media/files/"))
        .map((e) => e.path.split("/")[4]);
      expect(recordReads).toEqual([first.publishedAppId, first.publishedAppId]);

      // Rollback ships the previous artifact from the store.
      const back = await rollbackArtifact(client, store, {
        space: "production",
        appName: APP,
        parametersKey: "k",
        ...FAST,
      });
      expect(back.rolledBack).toBe(true);
      expect(back.publishedAppId).toBe(first.publishedAppId);
      expect(await scriptOf(sim, tenant(2).name)).not.toContain("TRACE v2;");
      expect((await readDeploymentRecord(client, first.publishedAppId as string))?.artifactDigest).toBe(
        a1.manifest.artifactDigest,
      );
      // A store without it: one sentence naming where it looked.
      await expect(
        rollbackArtifact(client, new ArtifactStore(join(work, "empty")), {
          space: "production",
          appName: APP,
          ...FAST,
        }),
      ).rejects.toThrow(/is not in the rollback store/);
    } finally {
      await client.close();
    }
  });

  it("applies a target's parameters only when they differ from what its app has", async () => {
    const client = clientFor(3);
    const params = join(work, "params.yml");
    writeFileSync(params, "environments:\n  production:\n    variables:\n      vTopN: '7'\n");
    const opts = { space: "production", parameters: params, parametersKey: "tenant-secret", ...FAST };
    try {
      const first = await shipArtifact(client, a1, opts);
      expect(first.parametersApplied).toBe(true);
      const vars = () =>
        [...sim.control.document(tenant(3).name, first.publishedAppId as string).variables.values()].find(
          (v) => v.properties.qName === "vTopN",
        )?.properties as { qDefinition?: string } | undefined;
      expect(vars()?.qDefinition).toBe("7");
      const record = await readDeploymentRecord(client, first.publishedAppId as string);
      expect(record?.parametersDigest).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
      expect(JSON.stringify(record)).not.toContain("'7'");
      const same = await shipArtifact(client, a1, opts);
      expect(same.changed).toBe(false);
      writeFileSync(params, "environments:\n  production:\n    variables:\n      vTopN: '9'\n");
      const changed = await shipArtifact(client, a1, opts);
      expect(changed).toMatchObject({ changed: true, imported: false, parametersApplied: true });
      expect(vars()?.qDefinition).toBe("9");
      // Changed after its publish (parameters set, then the republish's connection dropped): the staging
      // app's own record is read, so the retry knows its parameters are already set.
      writeFileSync(params, "environments:\n  production:\n    variables:\n      vTopN: '11'\n");
      sim.control.scheduleFault(tenant(3).name, {
        kind: "drop-before",
        method: "PUT",
        path: `/api/v1/apps/${changed.appId}/publish`,
      });
      const once = new QlikClient(
        { tenantUrl: tenant(3).url, apiKey: tenant(3).apiKey },
        { retry: { maxAttempts: 1 } },
      );
      await expect(shipArtifact(once, a1, opts).finally(() => once.close())).rejects.toThrow(/publish/);
      const retried = await shipArtifact(client, a1, opts);
      expect(retried).toMatchObject({
        changed: true,
        imported: false,
        parametersApplied: false,
        appId: changed.appId,
      });
      expect(vars()?.qDefinition).toBe("11");
      // A name the app does not have is refused with one sentence naming it.
      writeFileSync(params, "environments:\n  production:\n    variables:\n      vNoSuch: '1'\n");
      await expect(shipArtifact(client, a1, opts)).rejects.toThrow(
        /^Variable 'vNoSuch' in parameters file '.*params\.yml' \(environment 'production'\) is not defined in the app/,
      );
    } finally {
      await client.close();
    }
  });

  it.each(["drop-before", "drop-after"] as const)(
    "never leaves two staging apps when the import's connection drops (%s)",
    async (kind) => {
      const client = clientFor(0);
      const logger = new MemoryLogger();
      try {
        sim.control.scheduleFault(tenant(0).name, { kind, method: "POST", path: "/api/v1/apps/import" });
        const attempt = () =>
          shipArtifact(client, kind === "drop-after" ? a2 : a1, { space: "acceptance", ...FAST }, { logger });
        // drop-before: nothing was imported, the error surfaces and a retry imports once.
        const result = await attempt().catch(async () => attempt());
        expect(result.verified).toBe(true);
        expect(logger.text()).toContain("checking whether it was imported anyway");
        const apps = appsBySpace(sim, tenant(0).name);
        expect(apps["acceptance-staging"]).toHaveLength(1);
        expect(apps.acceptance).toHaveLength(1);
        const imports = sim.control
          .requestLog(tenant(0).name)
          .filter((e) => e.method === "POST" && e.path.startsWith("/api/v1/apps/import"));
        expect(imports.length).toBeGreaterThanOrEqual(1);
      } finally {
        await client.close();
      }
    },
  );

  it("uploads a large file through temp-contents and imports it by fileId", async () => {
    const client = clientFor(1);
    try {
      const result = await shipArtifact(client, a2, {
        space: "acceptance",
        uploadThresholdBytes: 0,
        ...FAST,
      });
      expect(result.verified).toBe(true);
      const log = sim.control.requestLog(tenant(1).name);
      expect(log.some((e) => e.method === "POST" && e.path === "/api/v1/temp-contents")).toBe(true);
      expect(
        log.some((e) => e.method === "POST" && e.path === "/api/v1/apps/import" && e.status === 200),
      ).toBe(true);
    } finally {
      await client.close();
    }
  });

  it("keeps the version deployed from files before, so the first artifact rollout can roll back to it", async () => {
    const client = clientFor(1);
    const store = new ArtifactStore(join(work, "store-files"));
    try {
      const files = await deployApp(client, { source: v1, space: "production", appName: APP, ...FAST });
      const shipped = await shipArtifact(client, a2, { space: "production", ...FAST }, { store });
      expect(shipped.publishedAppId).toBe(files.publishedAppId);
      expect(shipped.previousArtifactDigest).toBeDefined();
      expect(store.has(shipped.previousArtifactDigest as string)).toBe(true);
      await rollbackArtifact(client, store, { space: "production", appName: APP, ...FAST });
      expect(await scriptOf(sim, tenant(1).name)).not.toContain("TRACE v2;");
      expect(appsBySpace(sim, tenant(1).name).production).toEqual([files.publishedAppId]);
    } finally {
      await client.close();
    }
  });
});
