/**
 * Integration: unbuild/build against the simulator's QIX engine through @qlik/api, in-process.
 * Proves byte-identical re-unbuilds, a lossless round trip into an empty app, a large generated app
 * round trip, and converging builds (a removed sheet is deleted; prune: false keeps it).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { createApp, publishApp } from "@qlik/api/apps";
import { getItems } from "@qlik/api/items";
import { openAppSession, type Doc } from "@qlik/api/qix";
import { getSpaces } from "@qlik/api/spaces";
import { startSimulator } from "@qlik-cicd/simulator";
import { AppTree } from "../src/app-tree.ts";
import { buildApp } from "../src/build.ts";
import { treeDigest } from "../src/digest.ts";
import { readAppTree, writeAppTree } from "../src/files.ts";
import { unbuildApp } from "../src/unbuild.ts";
import type { AppTreeContent, JsonObject, ObjectEntry } from "../src/types.ts";

type Sim = Awaited<ReturnType<typeof startSimulator>>;
let sim: Sim;
let hostConfig: { authType: "apikey"; host: string; apiKey: string };
const sessions: { close: (props?: { websocketCloseDelay?: number }) => Promise<void> }[] = [];

beforeAll(async () => {
  sim = await startSimulator({ tenants: 1, seed: "demo" });
  const tenant = sim.description.tenants[0];
  hostConfig = { authType: "apikey", host: tenant.url, apiKey: tenant.apiKey };
});

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close({ websocketCloseDelay: 0 })));
  await sim?.stop();
});

async function openDoc(appId: string): Promise<Doc> {
  const session = openAppSession({ appId, hostConfig, withoutData: true });
  sessions.push(session);
  return session.getDoc();
}

async function findApp(name: string): Promise<string> {
  const res = await getItems({ resourceType: "app", name }, { hostConfig, noCache: true });
  const item = res.data.data.find((i) => i.name === name);
  if (!item?.resourceId) throw new Error(`app ${name} not found in the simulator`);
  return item.resourceId;
}

async function newApp(name: string): Promise<Doc> {
  const res = await createApp({ attributes: { name } }, { hostConfig });
  const appId = res.data.attributes?.id;
  if (!appId) throw new Error("createApp returned no id");
  return openDoc(appId);
}

function largeContent(sheets: number, chartsPerSheet: number): AppTreeContent {
  const words = [
    "Ventes",
    "Übersicht",
    "売上",
    "Продажи",
    "مبيعات",
    "Ventas 📈",
    "CON",
    "a/b:c*?",
    "Résumé…",
  ];
  const objects: ObjectEntry[] = [];
  for (let s = 0; s < sheets; s++) {
    const children: ObjectEntry[] = [];
    for (let c = 0; c < chartsPerSheet; c++) {
      const id = `ch-${s}-${c}`;
      children.push({
        qProperty: {
          qInfo: { qId: id, qType: c % 3 === 0 ? "barchart" : c % 3 === 1 ? "kpi" : "table" },
          visualization: c % 3 === 0 ? "barchart" : c % 3 === 1 ? "kpi" : "table",
          title: `${words[(s + c) % words.length]} ${s}.${c}`,
          qHyperCubeDef: {
            qDimensions: [{ qDef: { qFieldDefs: ["Region"] } }],
            qMeasures: [{ qDef: { qDef: `Sum(Amount) * ${c}` } }],
            qInitialDataFetch: [{ qWidth: 2, qHeight: 50 }],
          },
        },
        qChildren: [],
      });
    }
    objects.push({
      qProperty: {
        qInfo: { qId: `sheet-${s}`, qType: "sheet" },
        qMetaDef: { title: `${words[s % words.length]} — sheet ${s}`, description: "généré" },
        rank: s,
        cells: children.map((ch, i) => ({
          name: (ch.qProperty.qInfo as JsonObject).qId,
          col: i % 24,
          row: 0,
          colspan: 1,
          rowspan: 1,
        })),
        qChildListDef: { qData: { title: "/title" } },
      },
      qChildren: children,
    });
  }
  const scriptLines = ["///$tab Main", "SET ThousandSep=',';"];
  for (let t = 0; t < 40; t++) {
    scriptLines.push(`///$tab Section ${t} – données`, `Table${t}:`, "LOAD * INLINE [", "Region, Amount");
    for (let r = 0; r < 100; r++) scriptLines.push(`R${r % 7}, ${r * t}`);
    scriptLines.push("];");
  }
  return {
    appProperties: { qTitle: "Large generated app", description: "2,000+ objects with unicode titles" },
    script: `${scriptLines.join("\n")}\n`,
    connections: [],
    dimensions: [
      {
        qInfo: { qId: "dim-region", qType: "dimension" },
        qDim: { qGrouping: "N", qFieldDefs: ["Region"], qFieldLabels: ["Région"] },
        qMetaDef: { title: "Région" },
      },
    ],
    measures: Array.from({ length: 50 }, (_, i) => ({
      qInfo: { qId: `m-${i}`, qType: "measure" },
      qMeasure: { qLabel: `Mesure ${i} ✓`, qDef: `Sum(Amount) / ${i + 1}` },
      qMetaDef: { title: `Mesure ${i} ✓` },
    })),
    variables: Array.from({ length: 20 }, (_, i) => ({
      qInfo: { qId: `var-${i}`, qType: "variable" },
      qName: `vVar${i}`,
      qDefinition: `${i} * 2`,
      qComment: "",
    })),
    bookmarks: [],
    objects,
  };
}

describe("app-files against the simulator (QIX over a real socket)", () => {
  let salesId: string;
  beforeAll(async () => {
    salesId = await findApp("Sales Analytics");
  });

  test("two unbuilds of an unchanged app are byte-identical, even with a reload in between", async () => {
    const doc = await openDoc(salesId);
    const first = await unbuildApp(doc);
    const second = await unbuildApp(doc);
    expect(second.fileTexts()).toEqual(first.fileTexts());
    // A reload changes the reload time and creates script variables: neither may reach the files.
    expect(await doc.doReload()).toBe(true);
    const afterReload = await unbuildApp(doc);
    expect(afterReload.fileTexts()).toEqual(first.fileTexts());

    // Through the file system: write, read back, write again.
    const dir = await mkdtemp(path.join(tmpdir(), "app-files-sim-"));
    try {
      const written = await writeAppTree(dir, first);
      expect(written.written).toContain("script.qvs");
      const reread = await readAppTree(dir);
      expect(treeDigest(reread)).toBe(treeDigest(first));
      expect(await writeAppTree(dir, afterReload)).toEqual({ written: [], removed: [], changed: false });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(
      first.objects.some((o) => o.qProperty.qInfo && (o.qProperty.qInfo as JsonObject).qType === "sheet"),
    ).toBe(true);
    expect(first.measures.length).toBeGreaterThan(0);
    expect(first.bookmarks.length).toBeGreaterThan(0);
    expect(first.appProperties).not.toHaveProperty("qLastReloadTime");
  });

  test("the published copy in a managed space unbuilds to the same files as its source", async () => {
    const source = await unbuildApp(await openDoc(salesId));
    const spaces = await getSpaces({ name: "production" }, { hostConfig, noCache: true });
    const spaceId = spaces.data.data?.find((s) => s.name === "production")?.id;
    expect(spaceId).toBeDefined();
    const published = await publishApp(salesId, { spaceId, data: "source" }, { hostConfig });
    const copyId = published.data.attributes?.id;
    expect(copyId).toBeDefined();
    expect(copyId).not.toBe(salesId);
    // Qlik Cloud (and the simulator) refuse access to a new published copy for a short while.
    await new Promise((r) => setTimeout(r, sim.context.timings.publishAccessWindowMs + 50));
    const copy = await unbuildApp(await openDoc(copyId as string));
    expect(copy.fileTexts()).toEqual(source.fileTexts());
  });

  test("round trip into an empty app is byte-identical, and building again changes nothing", async () => {
    const source = await unbuildApp(await openDoc(salesId));
    const target = await newApp("Round trip target");
    const built = await buildApp(target, source);
    expect(built.changed).toBe(true);
    const copy = await unbuildApp(target);
    expect([...copy.fileTexts().keys()]).toEqual([...source.fileTexts().keys()]);
    expect(copy.fileTexts()).toEqual(source.fileTexts());
    expect(treeDigest(copy)).toBe(treeDigest(source));
    const again = await buildApp(target, source);
    expect(again).toMatchObject({ changed: false, operations: [], saved: false });
  });

  test("a generated large app (2,100 objects, unicode titles, long script) round-trips", async () => {
    const desired = new AppTree(largeContent(100, 20));
    const first = await newApp("Large source");
    await buildApp(first, desired);
    const unbuilt = await unbuildApp(first);
    expect(unbuilt.fileTexts()).toEqual(desired.fileTexts());
    const second = await newApp("Large target");
    await buildApp(second, unbuilt);
    expect(treeDigest(await unbuildApp(second))).toBe(treeDigest(desired));
  }, 60_000);

  test("a sheet removed from the files is deleted; prune: false keeps it", async () => {
    const source = await unbuildApp(await openDoc(salesId));
    const sheet = source.objects.find((o) => (o.qProperty.qInfo as JsonObject).qType === "sheet")!;
    const sheetId = (sheet.qProperty.qInfo as JsonObject).qId as string;
    const withoutSheet = new AppTree({
      ...source.content,
      objects: source.objects.filter((o) => o !== sheet),
    });

    const kept = await newApp("Prune off");
    await buildApp(kept, source);
    const keptResult = await buildApp(kept, withoutSheet, { prune: false });
    expect(keptResult.changed).toBe(false);
    expect(keptResult.kept).toContainEqual(expect.objectContaining({ kind: "object", id: sheetId }));
    expect((await unbuildApp(kept)).object(sheetId)).toBeDefined();

    const pruned = await newApp("Prune on");
    await buildApp(pruned, source);
    const result = await buildApp(pruned, withoutSheet);
    expect(result.operations).toContainEqual(
      expect.objectContaining({ kind: "object", action: "delete", id: sheetId }),
    );
    const after = await unbuildApp(pruned);
    expect(after.object(sheetId)).toBeUndefined();
    expect(after.fileTexts()).toEqual(withoutSheet.fileTexts());
  });
});
