/**
 * Every real app deploys into a shared and a managed space of the simulator (reload off: their
 * connectors are not simulated) and unbuilds back with nothing lost — objects, master items,
 * variables, bookmarks, connections, app properties — and the script equal up to line endings.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { canonicalScript, readAppTree, unbuildApp, type AppTree, type ObjectEntry } from "@qlik-cicd/app-files";
import { deployApp } from "@qlik-cicd/delivery";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator } from "@qlik-cicd/simulator";
import { APPS_DIR, appNames } from "./corpus.ts";

const apps = await appNames();
let sim: Awaited<ReturnType<typeof startSimulator>>;
let client: QlikClient;

beforeAll(async () => {
  // Access to a fresh published copy is not what this test is about (the deploy tests cover it).
  sim = await startSimulator({ tenants: 1, seed: "demo", timings: { publishAccessWindowMs: 0 } });
  const tenant = sim.description.tenants[0];
  client = new QlikClient({ tenantUrl: tenant.url, apiKey: tenant.apiKey });
});

afterAll(async () => {
  await client?.close();
  await sim?.stop();
});

function objectIds(entries: readonly ObjectEntry[] = [], into: string[] = []): string[] {
  for (const e of entries) {
    const info = e.qProperty.qInfo as { qId?: string } | undefined;
    into.push(String(info?.qId));
    objectIds(e.qChildren, into);
  }
  return into.sort();
}

const ids = (list: readonly Record<string, unknown>[] | undefined, key: (x: Record<string, unknown>) => unknown) =>
  (list ?? []).map((x) => String(key(x))).sort();

/** What a tree holds, by identity, for a readable "nothing lost" comparison. */
function inventory(tree: AppTree) {
  const c = tree.content;
  const qId = (x: Record<string, unknown>) => (x.qInfo as { qId?: string } | undefined)?.qId;
  return {
    objects: objectIds(c.objects),
    dimensions: ids(c.dimensions, qId),
    measures: ids(c.measures, qId),
    variables: ids(c.variables, (x) => x.qName),
    bookmarks: ids(c.bookmarks, qId),
    connections: (c.connections ?? []).map((x) => x.name).sort(),
  };
}

/**
 * The source's content files, and the same files read back from the tenant (kinds the source leaves out,
 * such as bookmarks in qlik-cli trees, and config.yml, which lists the kinds, are not compared).
 */
function sameFiles(source: AppTree, back: AppTree): { source: Map<string, string>; back: Map<string, string> } {
  const content = ([rel]: [string, string]) => rel !== "config.yml";
  const want = new Map([...source.fileTexts()].filter(content));
  const got = new Map(
    [...back.fileTexts()].filter(([rel, text]) => content([rel, text]) && (want.has(rel) || rel.startsWith("objects/"))),
  );
  return { source: want, back: got };
}

describe.each(apps)("%s", (name) => {
  const dir = path.join(APPS_DIR, name);

  test.each([
    ["shared", "development"],
    ["managed", "test"],
  ])("deploys into a %s space and unbuilds back with nothing lost", async (mode, space) => {
    const source = await readAppTree(dir);
    const result = await deployApp(client, { source: dir, space, reload: false }, { sourceTree: source });
    expect(result.plan.mode).toBe(mode);
    expect(result.verified).toBe(true);

    const deployedId = result.publishedAppId ?? result.appId;
    const back = await client.withApp(deployedId, (doc) => unbuildApp(doc));
    expect(inventory(back)).toEqual(inventory(source));
    const files = sameFiles(source, back);
    expect(files.back).toEqual(files.source);
    const rawScript = await readFile(path.join(dir, "script.qvs"), "utf8");
    expect(back.content.script).toBe(canonicalScript(rawScript));

  });
});

test("older qlik-cli trees without an app description are in the corpus (and deploy above)", async () => {
  const withoutDescription: string[] = [];
  for (const name of apps) {
    const props = JSON.parse(await readFile(path.join(APPS_DIR, name, "app-properties.json"), "utf8")) as object;
    if (!("description" in props)) withoutDescription.push(name);
  }
  expect(withoutDescription.length).toBeGreaterThan(0);
});
