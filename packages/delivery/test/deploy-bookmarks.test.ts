// Bookmarks keep their selections through unbuild → deploy → unbuild, in a shared and a managed space:
// the deploy reloads the app it builds before creating bookmarks that select values, reports values the
// data does not hold, and says so when reload is off.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getItems } from "@qlik/api/items";
import { AppTree, unbuildApp, writeAppTree, type JsonObject } from "@qlik-cicd/app-files";
import { MemoryLogger } from "@qlik-cicd/common";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator } from "@qlik-cicd/simulator";
import { deployApp, renderDeployMarkdown } from "../src/index.ts";

type Sim = Awaited<ReturnType<typeof startSimulator>>;
let sim: Sim;
let client: QlikClient;
let work: string;
let source: AppTree;
let sourceDir: string;

const fast = { reloadPollIntervalMs: 100, publishAccessTimeoutMs: 10_000 };
const unbuild = (appId: string) => client.withApp(appId, (doc) => unbuildApp(doc));
const bookmarksFile = (tree: AppTree) => tree.fileTexts().get("bookmarks.json");

/** The source with its one bookmark's selections replaced. */
function withSelections(tree: AppTree, dir: string, state: JsonObject): Promise<string> {
  const bookmarks = tree.bookmarks.map((b) => ({ ...b, qBookmark: state }));
  const path = join(work, dir);
  return writeAppTree(path, new AppTree({ ...tree.content, bookmarks })).then(() => path);
}

const regions = (...values: string[]): JsonObject => ({
  qStateData: [
    {
      qStateName: "$",
      qFieldItems: [{ qDef: { qName: "Region" }, qValues: values.map((qText) => ({ qText })) }],
    },
  ],
});

beforeAll(async () => {
  sim = await startSimulator({ tenants: 1, seed: "demo" });
  const t = sim.description.tenants[0];
  client = new QlikClient({ tenantUrl: t.url, apiKey: t.apiKey });
  work = mkdtempSync(join(tmpdir(), "deploy-bookmarks-"));
  const res = await client.call({ tier: "read", method: "GET", resource: "/api/v1/items" }, (opts) =>
    getItems({ resourceType: "app", name: "Sales Analytics" }, opts),
  );
  source = await unbuild(res.data.data[0].resourceId as string);
  sourceDir = join(work, "source");
  await writeAppTree(sourceDir, source);
}, 30_000);

afterAll(async () => {
  await client?.close();
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

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
      const first = await deployApp(client, { source: sourceDir, space, appName, ...fast }, { logger });
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
    await deployApp(client, { source: sourceDir, space, appName, ...fast });

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
      { source: sourceDir, space: "acceptance", appName: "Bookmarks without reload", reload: false, ...fast },
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
      source: sourceDir,
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
