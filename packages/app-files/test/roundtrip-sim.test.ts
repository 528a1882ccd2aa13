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
    // The seeded bookmark selects values the script loads: the new app needs its data (a reload)
    // before the bookmark can capture them.
    expect(source.bookmarks.some((b) => b.qBookmark !== undefined)).toBe(true);
    const target = await newApp("Round trip target");
    const built = await buildApp(target, source, { reload: true });
    expect(built.changed).toBe(true);
    expect(built.reload).toEqual({ ok: true });
    expect(built.warnings).toEqual([]);
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
    await buildApp(kept, source, { reload: true });
    const keptResult = await buildApp(kept, withoutSheet, { prune: false });
    expect(keptResult.changed).toBe(false);
    expect(keptResult.kept).toContainEqual(expect.objectContaining({ kind: "object", id: sheetId }));
    expect((await unbuildApp(kept)).object(sheetId)).toBeDefined();

    const pruned = await newApp("Prune on");
    await buildApp(pruned, source, { reload: true });
    const result = await buildApp(pruned, withoutSheet);
    expect(result.operations).toContainEqual(
      expect.objectContaining({ kind: "object", action: "delete", id: sheetId }),
    );
    const after = await unbuildApp(pruned);
    expect(after.object(sheetId)).toBeUndefined();
    expect(after.fileTexts()).toEqual(withoutSheet.fileTexts());
  });
});

describe("bookmarks keep their selections (simulator)", () => {
  const script = [
    "///$tab Main",
    "Products:",
    "LOAD * INLINE [",
    "Product, Category, Price",
    "Trail Runner, Footwear, 120",
    "City Sneaker, Footwear, 90",
    "Rain Jacket, Apparel, 150",
    "Wool Sweater, Apparel, 80",
    "Day Pack, Accessories, 60",
    "];",
    "",
  ].join("\n");
  const item = (field: string, values: JsonObject[], extra: JsonObject = {}): JsonObject => ({
    qDef: { qName: field },
    qValues: values,
    ...extra,
  });
  const text = (t: string): JsonObject => ({ qText: t });
  const bookmark = (id: string, title: string, state: JsonObject, extra: JsonObject = {}): JsonObject => ({
    qInfo: { qId: id, qType: "bookmark" },
    qMetaDef: { title, description: "" },
    qBookmark: state,
    ...extra,
  });
  const content = (bookmarks: JsonObject[]): AppTreeContent => ({
    appProperties: { qTitle: "Bookmarks" },
    script,
    connections: [],
    dimensions: [],
    measures: [],
    variables: [{ qInfo: { qId: "v1", qType: "variable" }, qName: "vTopN", qDefinition: "5", qComment: "" }],
    bookmarks,
    objects: [],
  });
  const all = [
    bookmark("bm-states", "Footwear against apparel", {
      qStateData: [
        { qStateName: "$", qFieldItems: [item("Category", [text("Footwear")])] },
        { qStateName: "Compare", qFieldItems: [item("Category", [text("Apparel")])] },
      ],
    }),
    bookmark("bm-excluded", "All but the day pack", {
      qStateData: [
        {
          qStateName: "$",
          qFieldItems: [{ qDef: { qName: "Product" }, qExcludedValues: [text("Day Pack")] }],
        },
      ],
    }),
    bookmark("bm-search", "Rain", {
      qStateData: [
        {
          qStateName: "$",
          qFieldItems: [item("Product", [text("Rain Jacket")], { qSelectInfo: { qTextSearch: "rain" } })],
        },
      ],
    }),
    bookmark("bm-locked", "Locked price", {
      qStateData: [
        {
          qStateName: "$",
          qFieldItems: [item("Price", [{ qIsNumeric: true, qNumber: 120, qText: "120" }], { qLocked: true })],
        },
      ],
    }),
    bookmark(
      "bm-vars",
      "Top ten",
      {
        qStateData: [{ qStateName: "$", qFieldItems: [item("Category", [text("Accessories")])] }],
        qVariableItems: [{ qName: "vTopN", qValue: { qIsNumeric: true, qNumber: 10, qText: "10" } }],
      },
      { qIncludeVariables: true },
    ),
  ];

  test("every kind of selection survives build → unbuild, and a second build changes nothing", async () => {
    const desired = new AppTree(content(all));
    const doc = await newApp("Bookmark kinds");
    const built = await buildApp(doc, desired, { reload: true });
    expect(built.warnings).toEqual([]);
    const unbuilt = await unbuildApp(doc);
    expect(unbuilt.fileTexts()).toEqual(desired.fileTexts());
    // The bookmark's variable value was only set to capture it: the app keeps its own definition.
    expect(unbuilt.variable("vTopN")?.qDefinition).toBe("5");
    expect(await buildApp(doc, desired, { reload: true })).toMatchObject({ changed: false, operations: [] });
  });

  test("values the data lacks are reported (bookmark, field, count), and the bookmark is not made again", async () => {
    const wanted = bookmark("bm-gap", "Footwear and Atlantis", {
      qStateData: [
        {
          qStateName: "$",
          qFieldItems: [item("Category", [text("Footwear"), text("Atlantis"), text("Lemuria")])],
        },
        { qStateName: "Other", qFieldItems: [item("Planet", [text("Mars")])] },
      ],
    });
    const desired = new AppTree(content([wanted]));
    const doc = await newApp("Bookmark gaps");
    const built = await buildApp(doc, desired, { reload: true });
    expect(
      built.warnings.map(({ bookmarkId, field, state, missing, requested }) => ({
        bookmarkId,
        field,
        state,
        missing,
        requested,
      })),
    ).toEqual([
      { bookmarkId: "bm-gap", field: "Category", state: "$", missing: 2, requested: 3 },
      { bookmarkId: "bm-gap", field: "Planet", state: "Other", missing: 1, requested: 1 },
    ]);
    expect(built.warnings[0].message).toContain("'Footwear and Atlantis' (bm-gap): 2 of 3 values");
    expect(built.warnings[1].message).toContain(
      "field 'Planet' (state 'Other') is not in the app's data model",
    );
    // What the app holds is what it could select; the files are not changed by it.
    const unbuilt = await unbuildApp(doc);
    expect(unbuilt.bookmark("bm-gap")?.qBookmark).toEqual({
      qStateData: [{ qStateName: "$", qFieldItems: [item("Category", [text("Footwear")])] }],
    });
    expect(unbuilt.fileTexts().get("bookmarks.json")).not.toContain("qlikCicd");
    // Building again: nothing to do, and the gap is still reported.
    const again = await buildApp(doc, desired, { reload: true });
    expect(again.changed).toBe(false);
    expect(again.warnings.map((w) => [w.field, w.missing])).toEqual([
      ["Category", 2],
      ["Planet", 1],
    ]);
    // A changed selection is made again.
    const fixed = new AppTree(
      content([
        bookmark("bm-gap", "Footwear and Atlantis", {
          qStateData: [{ qStateName: "$", qFieldItems: [item("Category", [text("Apparel")])] }],
        }),
      ]),
    );
    const rebuilt = await buildApp(doc, fixed, { reload: true });
    expect(rebuilt.operations).toEqual([
      { kind: "bookmark", action: "update", id: "bm-gap", title: "Footwear and Atlantis" },
    ]);
    expect(rebuilt.warnings).toEqual([]);
    expect((await unbuildApp(doc)).fileTexts()).toEqual(fixed.fileTexts());
  });

  test("with reload off, an app without data gets a clear warning instead of silently empty bookmarks", async () => {
    const doc = await newApp("Bookmarks without data");
    const built = await buildApp(doc, new AppTree(content(all.slice(0, 1))));
    expect(built.warnings[0].message).toMatch(
      /^Reload is off: 1 bookmark with selections \('Footwear against apparel'\) is created on an app that holds no data/,
    );
    expect(built.warnings.slice(1).map((w) => [w.field, w.state, w.missing])).toEqual([
      ["Category", "$", 1],
      ["Category", "Compare", 1],
    ]);
  });
});
