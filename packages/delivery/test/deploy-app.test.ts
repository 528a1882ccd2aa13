// deployApp in-process against the simulator: rollback (on failure and on demand), finishing a deploy
// whose reload failed, shared-space builds, parameters, and never a duplicate after a dropped create.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getItems } from "@qlik/api/items";
import { AppTree, unbuildApp, writeAppTree } from "@qlik-cicd/app-files";
import { MemoryLogger } from "@qlik-cicd/common";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator } from "@qlik-cicd/simulator";
import {
  deployApp,
  DeployFailedError,
  DirectoryRollbackStore,
  MemoryRollbackStore,
  readProvenance,
  ReloadFailedError,
  renderDeployMarkdown,
} from "../src/index.ts";

type Sim = Awaited<ReturnType<typeof startSimulator>>;
let sim: Sim;
let client: QlikClient;
let work: string;
let source: AppTree;
let v1Dir: string;
let v2Dir: string;
let brokenDir: string;

async function appsNamed(spaceName: string, name: string): Promise<string[]> {
  const spaces = await client.fetch({
    tier: "read",
    method: "GET",
    resource: "/api/v1/spaces",
    url: "/api/v1/spaces?limit=100",
  });
  const space = (spaces.data.data as { id: string; name: string }[]).find((s) => s.name === spaceName);
  if (!space) return [];
  const res = await client.call({ tier: "read", method: "GET", resource: "/api/v1/items" }, (opts) =>
    getItems({ resourceType: "app", spaceId: space.id, limit: 100 }, opts),
  );
  return res.data.data.filter((i) => i.name === name).map((i) => i.resourceId as string);
}

const unbuild = (appId: string) => client.withApp(appId, (doc) => unbuildApp(doc));

function withScript(tree: AppTree, script: string): AppTree {
  return new AppTree({ ...tree.content, script });
}

beforeAll(async () => {
  sim = await startSimulator({ tenants: 1, seed: "demo" });
  const t = sim.description.tenants[0];
  client = new QlikClient({ tenantUrl: t.url, apiKey: t.apiKey });
  work = mkdtempSync(join(tmpdir(), "deploy-app-"));
  const [devId] = await appsNamed("development", "Sales Analytics");
  source = await unbuild(devId);
  v1Dir = join(work, "v1");
  v2Dir = join(work, "v2");
  brokenDir = join(work, "broken");
  await writeAppTree(v1Dir, source);
  await writeAppTree(v2Dir, withScript(source, `${source.script}\nTRACE v2;\n`));
  await writeAppTree(
    brokenDir,
    withScript(source, `${source.script}\nLOAD * FROM [lib://Nowhere/x.qvd] (qvd);\n`),
  );
}, 30_000);

afterAll(async () => {
  await client?.close();
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

const fast = { reloadPollIntervalMs: 100, publishAccessTimeoutMs: 10_000 };

describe("deployApp", () => {
  it("builds in place in a shared space, converging, and records the plan", async () => {
    const logger = new MemoryLogger();
    const first = await deployApp(
      client,
      { source: v1Dir, space: "development", appName: "Sales Copy", ...fast },
      { logger },
    );
    expect(first.changed).toBe(true);
    expect(first.plan.mode).toBe("shared");
    expect(first.publishedAppId).toBeUndefined();
    expect(first.verified).toBe(true);
    expect(first.reload?.status).toBe("SUCCEEDED");
    // The source's bookmark selects values: the new app is reloaded before it is created.
    expect(first.plan.steps.map((s) => s.kind)).toEqual([
      "create-app",
      "build",
      "reload-for-bookmarks",
      "reload",
      "write-provenance",
      "verify",
    ]);
    expect(await appsNamed("development", "Sales Copy")).toEqual([first.appId]);
    const second = await deployApp(client, {
      source: v1Dir,
      space: "development",
      appName: "Sales Copy",
      ...fast,
    });
    expect(second.changed).toBe(false);
    expect(second.appId).toBe(first.appId);
    expect(renderDeployMarkdown(second)).toContain("No changes");
  });

  it("rolls back to the previous version when the reload fails, and on demand later", async () => {
    const store = new MemoryRollbackStore();
    const opts = { space: "production", ...fast };
    const v1 = await deployApp(client, { ...opts, source: v1Dir }, { rollbackStore: store });
    const productionId = v1.publishedAppId as string;
    const v2 = await deployApp(client, { ...opts, source: v2Dir }, { rollbackStore: store });
    expect(v2.publishedAppId).toBe(productionId);
    expect((await unbuild(productionId)).script).toContain("TRACE v2;");

    // A broken deploy with rollback-on-failure puts v2 back.
    const failure = await deployApp(
      client,
      { ...opts, source: brokenDir, rollbackOnFailure: true },
      { rollbackStore: store },
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeployFailedError);
    expect((failure as DeployFailedError).rolledBack).toBe(true);
    expect((failure as DeployFailedError).reload?.status).toBe("FAILED");
    expect((failure as Error).message).toContain("Nowhere");
    const afterFailure = await unbuild(productionId);
    expect(afterFailure.script).toContain("TRACE v2;");
    expect(afterFailure.script).not.toContain("Nowhere");

    // On demand: back to the last good version before the current one (v1: the failed deploy and its
    // rollback leave the store as it was), under the same id.
    const back = await deployApp(
      client,
      { ...opts, rollback: true, appName: "Sales Analytics" },
      { rollbackStore: store },
    );
    expect(back.rolledBack).toBe(true);
    expect(back.publishedAppId).toBe(productionId);
    expect(back.verified).toBe(true);
    expect((await unbuild(productionId)).script).not.toContain("TRACE v2;");
    expect(await appsNamed("production", "Sales Analytics")).toEqual([productionId]);
  });

  it("a rollback with nothing stored says so and changes nothing", async () => {
    const store = new DirectoryRollbackStore(join(work, "empty-store"));
    await expect(
      deployApp(
        client,
        { space: "test", rollback: true, appName: "Never Deployed" },
        { rollbackStore: store },
      ),
    ).rejects.toThrow("No stored version of 'Never Deployed' in space 'test'");
  });

  it("finishes a deploy whose reload failed instead of reporting it unchanged", async () => {
    const opts = { space: "acceptance", appName: "Resume Me", ...fast };
    await expect(deployApp(client, { ...opts, source: brokenDir })).rejects.toBeInstanceOf(ReloadFailedError);
    // Same content again: nothing to build or publish, but the failed reload is not forgotten.
    const plan = await deployApp(client, { ...opts, source: brokenDir, dryRun: true });
    expect(plan.changed).toBe(true);
    expect(plan.plan.steps.map((s) => s.kind)).toEqual(["reload", "verify"]);
    await expect(deployApp(client, { ...opts, source: brokenDir })).rejects.toBeInstanceOf(ReloadFailedError);
    // The fixed source converges and is green.
    const fixed = await deployApp(client, { ...opts, source: v1Dir });
    expect(fixed.verified).toBe(true);
    expect(fixed.reload?.status).toBe("SUCCEEDED");
  });

  it("deploys from another app on the tenant (source-app-id) without reloading", async () => {
    const [devId] = await appsNamed("development", "Sales Analytics");
    const result = await deployApp(client, {
      sourceAppId: devId,
      space: "test",
      appName: "From App",
      reload: false,
      ...fast,
    });
    expect(result.verified).toBe(true);
    expect(result.reload).toBeUndefined();
    expect(result.plan.steps.map((s) => s.kind)).not.toContain("reload");
    const published = await unbuild(result.publishedAppId as string);
    expect(published.appProperties?.qTitle).toBe("From App");
    expect(published.measures.length).toBe(source.measures.length);
  });

  it("never duplicates an app or a published copy when the connection drops after Qlik applied the create", async () => {
    const tenantName = sim.description.tenants[0].name;
    sim.control.scheduleFault(tenantName, {
      kind: "drop-after",
      method: "POST",
      path: "/^\\/api\\/v1\\/apps$/",
    });
    sim.control.scheduleFault(tenantName, { kind: "drop-after", method: "POST", path: "/\\/publish$/" });
    const logger = new MemoryLogger();
    const result = await deployApp(
      client,
      { source: v1Dir, space: "acceptance", appName: "Fault App", ...fast },
      { logger },
    );
    expect(result.verified).toBe(true);
    expect(logger.text()).toContain("checking whether it was created anyway");
    expect(logger.text()).toContain("checking whether the copy exists anyway");
    expect(await appsNamed("acceptance-staging", "Fault App")).toEqual([result.appId]);
    expect(await appsNamed("acceptance", "Fault App")).toEqual([result.publishedAppId]);
  });

  it("applies parameters and sets connection credentials without exposing them", async () => {
    const variable = source.variables[0]?.qName as string;
    const connection = source.connections[0]?.name as string;
    const file = join(work, "params.yml");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      file,
      [
        "environments:",
        "  uat:",
        "    variables:",
        `      ${JSON.stringify(variable)}: "uat-value"`,
        "    connections:",
        `      ${JSON.stringify(connection)}:`,
        "        username: { env: UAT_USER }",
        "        password: { secret: UAT_PASS }",
        "",
      ].join("\n"),
    );
    const logger = new MemoryLogger();
    const result = await deployApp(
      client,
      {
        source: v1Dir,
        space: "test",
        appName: "Param App",
        parameters: file,
        environment: "uat",
        env: { UAT_USER: "svc", UAT_PASS: "very-secret-pw" },
        ...fast,
      },
      { logger },
    );
    expect(result.plan.environment).toBe("uat");
    expect((await unbuild(result.publishedAppId as string)).variable(variable)?.qDefinition).toBe(
      "uat-value",
    );
    const everything = [logger.text(), JSON.stringify(result), renderDeployMarkdown(result)].join("\n");
    expect(everything).not.toContain("very-secret-pw");
    // The engine holds the credentials on the staging app's connection.
    const doc = sim.tenant(sim.description.tenants[0].name).docs.get(result.appId);
    const conn = [...(doc?.connections.values() ?? [])].find((c) => c.name === connection);
    expect(conn?.credentials).toEqual({ username: "svc", password: "very-secret-pw" });
  });
});

describe("provenance", () => {
  it("records commit and run on the published copy, invisible to unbuild, and only when content changes", async () => {
    const provenance = {
      commit: "0123456789abcdef0123456789abcdef01234567",
      runUrl: "https://example.test/runs/7",
    };
    const first = await deployApp(client, {
      source: v1Dir,
      space: "acceptance",
      appName: "Provenance App",
      reload: false,
      provenance,
      ...fast,
    });
    expect(first.changed).toBe(true);
    const recorded = await readProvenance(client, first.publishedAppId!);
    expect(recorded).toMatchObject({ ...provenance, digest: expect.any(String) });

    // Unbuild (and so diff and verification) does not see it.
    const files = (await unbuild(first.publishedAppId!)).fileTexts();
    expect(JSON.stringify(files)).not.toContain(provenance.commit);

    // An unchanged deploy from another commit changes nothing, not even the record.
    const again = await deployApp(client, {
      source: v1Dir,
      space: "acceptance",
      appName: "Provenance App",
      reload: false,
      provenance: { commit: "f".repeat(40), runUrl: "https://example.test/runs/8" },
      ...fast,
    });
    expect(again.changed).toBe(false);
    expect(await readProvenance(client, first.publishedAppId!)).toMatchObject(provenance);
  });

  it("opens one QIX session on the staging app for build, provenance and make-public, and one to verify", async () => {
    const tenant = sim.description.tenants[0].name;
    sim.control.clearRequestLog(tenant);
    const result = await deployApp(client, {
      source: v1Dir,
      space: "acceptance",
      appName: "Session Count App",
      reload: false,
      provenance: { commit: "a".repeat(40) },
      ...fast,
    });
    expect(result.verified).toBe(true);
    // Sessions that opened (an upgrade refused with 403 in the publish access window is retried).
    const sessions = sim.control
      .requestLog(tenant)
      .filter((r) => r.method === "WS" && r.status === 101)
      .map((r) => r.path);
    expect(sessions).toEqual([`/app/${result.appId}`, `/app/${result.publishedAppId}`]);
    // What the shared session did is all there: provenance on the published copy, content public.
    expect(await readProvenance(client, result.publishedAppId!)).toMatchObject({ commit: "a".repeat(40) });
    const published = await client.withApp(result.publishedAppId!, async (doc) => {
      const infos = await doc.getAllInfos();
      const sheet = infos.find((i) => i.qType === "sheet");
      const layout = await (await doc.getObject(sheet!.qId!)).getLayout();
      return (layout.qMeta as { published?: boolean; approved?: boolean } | undefined) ?? {};
    });
    expect(published).toMatchObject({ published: true, approved: true });
  });
});
