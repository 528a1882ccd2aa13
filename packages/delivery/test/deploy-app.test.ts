// deployApp in-process against the simulator: rollback (on failure and on demand), finishing a deploy
// whose reload failed, shared-space builds, parameters, never a duplicate after a dropped create, and
// bookmarks that keep their selections.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getItems } from "@qlik/api/items";
import { AppTree, unbuildApp, writeAppTree, type JsonObject } from "@qlik-cicd/app-files";
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

/** The source with its one bookmark's selections replaced, written to a folder of its own. */
async function withSelections(tree: AppTree, dir: string, state: JsonObject): Promise<string> {
  const bookmarks = tree.bookmarks.map((b) => ({ ...b, qBookmark: state }));
  const path = join(work, dir);
  await writeAppTree(path, new AppTree({ ...tree.content, bookmarks }));
  return path;
}

const regions = (...values: string[]): JsonObject => ({
  qStateData: [
    {
      qStateName: "$",
      qFieldItems: [{ qDef: { qName: "Region" }, qValues: values.map((qText) => ({ qText })) }],
    },
  ],
});
const bookmarksFile = (tree: AppTree) => tree.fileTexts().get("bookmarks.json");

// Bookmarks keep their selections through unbuild → deploy → unbuild, in a shared and a managed space:
// the deploy reloads the app it builds before creating bookmarks that select values, reports values the
// data does not hold, and says so when reload is off.
describe("bookmark selections through deploy", () => {
  it("the seeded bookmark's selections (two states) are in the unbuilt files", () => {
    const [bookmark] = source.bookmarks;
    expect(bookmark.qBookmark).toEqual({
      qStateData: [
        {
          qStateName: "$",
          qFieldItems: [
            { qDef: { qName: "Category" }, qValues: [{ qText: "Footwear" }] },
            { qDef: { qName: "Region" }, qValues: [{ qText: "Nordics" }] },
          ],
        },
        {
          qStateName: "Comparison",
          qFieldItems: [{ qDef: { qName: "Region" }, qValues: [{ qText: "Western Europe" }] }],
        },
      ],
    });
  });

  it.each([
    ["shared", "development"],
    ["managed", "test"],
  ])(
    "survive unbuild → deploy → unbuild into a %s space, and a second deploy changes nothing",
    async (_mode, space) => {
      const appName = `Bookmarks ${space}`;
      const logger = new MemoryLogger();
      const first = await deployApp(client, { source: v1Dir, space, appName, ...fast }, { logger });
      expect(first.verified).toBe(true);
      expect(first.warnings).toBeUndefined();
      const kinds = first.plan.steps.map((s) => s.kind);
      expect(kinds.indexOf("reload-for-bookmarks")).toBe(kinds.indexOf("build") + 1);
      expect(first.plan.steps[kinds.indexOf("reload-for-bookmarks")].description).toContain(
        "'Nordic footwear'",
      );

      const deployedId = first.publishedAppId ?? first.appId;
      const deployed = await unbuild(deployedId);
      expect(bookmarksFile(deployed)).toBe(bookmarksFile(source));
      if (first.publishedAppId) expect(bookmarksFile(await unbuild(first.appId))).toBe(bookmarksFile(source));

      // The deployed app unbuilds to files that deploy back unchanged.
      const againDir = join(work, `again-${space}`);
      await writeAppTree(againDir, deployed);
      const second = await deployApp(client, { source: againDir, space, appName, ...fast });
      expect(second.changed).toBe(false);
      expect(second.warnings).toBeUndefined();
    },
  );

  it("a changed selection recreates the bookmark; values the data lacks are warned about (bookmark, field, count)", async () => {
    const space = "development";
    const appName = "Bookmark changes";
    await deployApp(client, { source: v1Dir, space, appName, ...fast });

    const changedDir = await withSelections(source, "changed", regions("North America"));
    const changed = await deployApp(client, { source: changedDir, space, appName, ...fast });
    expect(changed.plan.changes).toEqual([{ change: "update", kind: "bookmark", name: "Nordic footwear" }]);
    expect(changed.verified).toBe(true);
    expect((await unbuild(changed.appId)).bookmarks[0].qBookmark).toEqual(regions("North America"));

    const gapDir = await withSelections(source, "gap", regions("Atlantis", "Nordics", "Lemuria"));
    const logger = new MemoryLogger();
    const gap = await deployApp(client, { source: gapDir, space, appName, ...fast }, { logger });
    expect(gap.verified).toBe(true);
    expect(gap.warnings).toEqual([
      "Bookmark 'Nordic footwear' (bmNordics): 2 of 3 values it selects in field 'Region' are not in the app's data, so the bookmark does not select them; reload the app with data that has them, then deploy again.",
    ]);
    expect(logger.text()).toContain("2 of 3 values it selects in field 'Region'");
    expect(renderDeployMarkdown(gap)).toContain("⚠️ Bookmark 'Nordic footwear' (bmNordics): 2 of 3 values");
    // The app holds what the data allowed.
    expect((await unbuild(gap.appId)).bookmarks[0].qBookmark).toEqual(regions("Nordics"));

    // Deploying the same files again changes nothing, and still says what is missing.
    const again = await deployApp(client, { source: gapDir, space, appName, ...fast });
    expect(again.changed).toBe(false);
    expect(again.warnings).toEqual(gap.warnings);
    const dryRun = await deployApp(client, { source: gapDir, space, appName, dryRun: true, ...fast });
    expect(dryRun.warnings).toEqual(gap.warnings);
  });

  it("with reload off, bookmarks with selections on a new app are reported, not silently empty", async () => {
    const logger = new MemoryLogger();
    const result = await deployApp(
      client,
      { source: v1Dir, space: "acceptance", appName: "Bookmarks without reload", reload: false, ...fast },
      { logger },
    );
    expect(result.verified).toBe(true);
    expect(result.plan.steps.map((s) => s.kind)).not.toContain("reload-for-bookmarks");
    expect(result.warnings?.[0]).toMatch(
      /^Reload is off: 1 bookmark with selections \('Nordic footwear'\) is created on an app that holds no data/,
    );
    expect(result.warnings?.slice(1)).toEqual([
      expect.stringContaining("field 'Category' is not in the app's data model"),
      expect.stringContaining("field 'Region' is not in the app's data model"),
      expect.stringContaining("field 'Region' (state 'Comparison') is not in the app's data model"),
    ]);
    const dryRun = await deployApp(client, {
      source: v1Dir,
      space: "acceptance",
      appName: "Bookmarks without reload 2",
      reload: false,
      dryRun: true,
      ...fast,
    });
    expect(dryRun.warnings).toEqual([
      expect.stringMatching(/^Reload is off: bookmarks with selections \('Nordic footwear'\)/),
    ]);
  });
});
