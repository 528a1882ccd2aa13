/**
 * Field values from loaded data, selections per session and state, and bookmarks that capture and
 * restore them — through @qlik/api over a real socket, as the product talks to the engine.
 */
import { describe, expect, test } from "@jest/globals";
import type { NxBookmark } from "@qlik/api/qix";
import { runLoadScript } from "../src/engine/index.ts";
import { cloneAppDocument, emptyAppDocument } from "../src/model/app-document.ts";
import type { AppDocument } from "../src/model/app-document.ts";
import { harnessForFile, rejection } from "./engine-harness.ts";

const { harness, withDoc } = harnessForFile();

const now = () => new Date(Date.UTC(2025, 2, 4, 8, 30, 0));

function reloaded(doc: AppDocument): AppDocument {
  const r = runLoadScript(doc, { now });
  if (!r.ok) throw new Error(r.errorLines.join("\n"));
  doc.tables = r.tables;
  doc.scriptVariables = r.scriptVariables;
  return doc;
}

const SCRIPT = [
  "///$tab Main",
  "Products:",
  "LOAD * INLINE [",
  "ProductID, Product, Category, Price",
  "1, Trail Runner, Footwear, 120",
  "2, City Sneaker, Footwear, 90",
  "3, Rain Jacket, Apparel, 150",
  "4, Wool Sweater, Apparel, 80",
  "5, Day Pack, Accessories, 60",
  "];",
  "Expensive:",
  "NoConcatenate LOAD ProductID AS ExpensiveID, Upper(Category) AS Shouting, Price * 2 AS Double",
  "RESIDENT Products WHERE Price > 85;",
  "Orders:",
  "LOAD OrderID, ProductID FROM [lib://Data/orders.qvd] (qvd);",
].join("\n");

function salesApp(id: string): AppDocument {
  const app = harness().addApp(id);
  app.doc.script = SCRIPT;
  app.doc.connections.set("c1", {
    id: "c1",
    name: "Data",
    connectionString: "",
    type: "folder",
    createdDate: "2025-01-01T00:00:00.000Z",
    modifiedDate: "2025-01-01T00:00:00.000Z",
  });
  return reloaded(app.doc);
}

describe("field values from the load script", () => {
  test("INLINE and resident loads (renames, expressions, WHERE) have values; file loads do not", () => {
    const doc = emptyAppDocument("values", "Values");
    doc.script = SCRIPT;
    doc.connections.set("c1", {
      id: "c1",
      name: "Data",
      connectionString: "",
      type: "folder",
      createdDate: "",
      modifiedDate: "",
    });
    const r = runLoadScript(doc, { now });
    expect(r.ok).toBe(true);
    const byName = new Map(r.tables.map((t) => [t.name, t]));
    expect(byName.get("Products")?.fieldValues).toEqual({
      ProductID: ["1", "2", "3", "4", "5"],
      Product: ["Trail Runner", "City Sneaker", "Rain Jacket", "Wool Sweater", "Day Pack"],
      Category: ["Footwear", "Apparel", "Accessories"],
      Price: ["120", "90", "150", "80", "60"],
    });
    expect(byName.get("Expensive")?.fieldValues).toEqual({
      ExpensiveID: ["1", "2", "3"],
      Shouting: ["FOOTWEAR", "APPAREL"],
      Double: ["240", "180", "300"],
    });
    expect(byName.get("Orders")?.fields).toEqual(["OrderID", "ProductID"]);
    expect(byName.get("Orders")?.fieldValues).toBeUndefined();
  });

  test("preceding loads, concatenation and RENAME FIELD keep the values", () => {
    const doc = emptyAppDocument("values-2", "Values");
    doc.script = [
      "T: LOAD Code & '-' & Name AS Label, Code;",
      "LOAD * INLINE [",
      "Code, Name",
      "a, Alpha",
      "b, Beta",
      "];",
      "Concatenate (T) LOAD * INLINE [",
      "Label, Code",
      "c-Gamma, c",
      "];",
      "RENAME FIELD Code TO Key;",
    ].join("\n");
    const r = runLoadScript(doc, { now });
    expect(r.ok).toBe(true);
    expect(r.tables).toEqual([
      {
        name: "T",
        fields: ["Label", "Key"],
        rows: 3,
        fieldValues: { Label: ["a-Alpha", "b-Beta", "c-Gamma"], Key: ["a", "b", "c"] },
      },
    ]);
  });
});

describe("fields and selections over QIX", () => {
  test("GetField, GetCardinal, SelectValues by text and number, toggling, Select, Clear", async () => {
    salesApp("app-fields");
    await withDoc("app-fields", async (doc) => {
      const category = await doc.getField("Category");
      expect(await category.getCardinal()).toBe(3);
      expect(await category.selectValues([{ qText: "Footwear" }, { qText: "Not in the data" }])).toBe(true);
      const price = await doc.getField("Price");
      expect(await price.selectValues([{ qText: "", qIsNumeric: true, qNumber: 150 }])).toBe(true);
      expect(await price.selectValues([{ qText: "90" }], true)).toBe(true); // toggle adds
      expect(await price.selectValues([{ qText: "150", qIsNumeric: true, qNumber: 150 }], true)).toBe(true); // toggle removes
      const product = await doc.getField("Product");
      expect(await product.select("rain")).toBe(true);

      const bm = await doc.createBookmark({
        qInfo: { qId: "bm-sel", qType: "bookmark" },
        qMetaDef: { title: "Sel" },
      });
      const items = (await bm.getLayout()).qBookmark?.qStateData?.[0]?.qFieldItems ?? [];
      expect(
        items.map((i) => [i.qDef?.qName, i.qValues?.map((v) => v.qText), i.qSelectInfo?.qTextSearch]),
      ).toEqual([
        ["Category", ["Footwear"], ""],
        ["Price", ["90"], ""],
        ["Product", ["Rain Jacket"], "rain"],
      ]);
      expect(items[1].qValues).toEqual([{ qText: "90", qIsNumeric: true, qNumber: 90 }]);
      expect(items[0].qValues).toEqual([{ qText: "Footwear", qIsNumeric: false }]);

      expect(await category.clear()).toBe(true);
      await doc.clearAll();
      const empty = await doc.createBookmark({ qInfo: { qId: "bm-empty", qType: "bookmark" } });
      expect((await empty.getLayout()).qBookmark?.qStateData).toEqual([{ qStateName: "$", qFieldItems: [] }]);
    });
  });

  test("a field the data model does not have is not found", async () => {
    salesApp("app-nofield");
    await withDoc("app-nofield", async (doc) => {
      expect(await rejection(doc.getField("Nope"))).toMatchObject({ code: 2 });
      // A field loaded from a file exists, but the simulator knows none of its values.
      expect(await (await doc.getField("OrderID")).getCardinal()).toBe(0);
    });
  });

  test("locks: a locked field keeps its selection until unlocked or ClearAll(lockedAlso)", async () => {
    salesApp("app-locks");
    await withDoc("app-locks", async (doc) => {
      const category = await doc.getField("Category");
      expect(await category.lock()).toBe(false); // nothing selected yet
      await category.selectValues([{ qText: "Apparel" }]);
      expect(await category.lock()).toBe(true);
      expect(await category.selectValues([{ qText: "Footwear" }])).toBe(false);
      expect(await category.clear()).toBe(false);
      await doc.clearAll();
      const kept = await doc.createBookmark({ qInfo: { qId: "bm-locked", qType: "bookmark" } });
      const item = (await kept.getLayout()).qBookmark?.qStateData?.[0]?.qFieldItems?.[0];
      expect(item).toMatchObject({
        qDef: { qName: "Category" },
        qLocked: true,
        qValues: [{ qText: "Apparel" }],
      });
      expect(await category.selectValues([{ qText: "Footwear" }], false, true)).toBe(true); // softLock
      await doc.clearAll(true);
      const cleared = await doc.createBookmark({ qInfo: { qId: "bm-cleared", qType: "bookmark" } });
      expect((await cleared.getLayout()).qBookmark?.qStateData?.[0]?.qFieldItems).toEqual([]);
    });
  });

  test("more than half of a field selected is kept as its excluded values", async () => {
    salesApp("app-excluded");
    await withDoc("app-excluded", async (doc) => {
      const product = await doc.getField("Product");
      await product.selectAll();
      await product.selectValues([{ qText: "Day Pack" }], true);
      const bm = await doc.createBookmark({ qInfo: { qId: "bm-ex", qType: "bookmark" } });
      const item = (await bm.getLayout()).qBookmark?.qStateData?.[0]?.qFieldItems?.[0];
      expect(item?.qValues).toEqual([]);
      expect(item?.qExcludedValues).toEqual([{ qText: "Day Pack", qIsNumeric: false }]);
    });
    await withDoc("app-excluded", async (doc) => {
      expect(await doc.applyBookmark("bm-ex")).toBe(true);
      const again = await doc.createBookmark({ qInfo: { qId: "bm-ex-2", qType: "bookmark" } });
      expect((await again.getLayout()).qBookmark?.qStateData?.[0]?.qFieldItems?.[0]?.qExcludedValues).toEqual(
        [{ qText: "Day Pack", qIsNumeric: false }],
      );
    });
  });
});

describe("alternate states and bookmarks", () => {
  test("states are app content; selections are per session and per state", async () => {
    const doc0 = salesApp("app-states");
    await withDoc("app-states", async (doc) => {
      expect(await rejection(doc.getField("Category", "Comparison"))).toMatchObject({ code: 2 });
      await doc.addAlternateState("Comparison");
      expect(doc0.alternateStates).toEqual(["Comparison"]);
      expect((await doc.getAppLayout()).qStateNames).toEqual(["Comparison"]);
      await (await doc.getField("Category")).selectValues([{ qText: "Footwear" }]);
      await (await doc.getField("Category", "Comparison")).selectValues([{ qText: "Apparel" }]);
      await doc.clearAll(false, "Comparison");
      await (await doc.getField("Product", "Comparison")).selectValues([{ qText: "Day Pack" }]);
      const bm = await doc.createBookmark({
        qInfo: { qId: "bm-states", qType: "bookmark" },
        qMetaDef: { title: "Two states" },
        sheetId: "sheet-1",
      } as never);
      // Properties are what was given (@qlik/api adds a creation date); the selections are layout only.
      const props = await bm.getProperties();
      expect(props).toMatchObject({
        qInfo: { qId: "bm-states", qType: "bookmark" },
        qMetaDef: { title: "Two states" },
        sheetId: "sheet-1",
      });
      expect(props).not.toHaveProperty("qBookmark");
      const layout = await bm.getLayout();
      const states = layout.qBookmark?.qStateData ?? [];
      expect(states.map((s) => [s.qStateName, s.qFieldItems?.map((i) => i.qDef?.qName)])).toEqual([
        ["$", ["Category"]],
        ["Comparison", ["Product"]],
      ]);
      expect(layout.qFieldInfos).toEqual([
        { qFieldName: "Category", qValuesCount: 1, qExcludedValuesCount: 0 },
      ]);
      expect(typeof layout.qBookmark?.qUtcModifyTime).toBe("number");
      expect(layout.qBookmark?.qVariableItems).toEqual([]);
    });
    // A new session starts without selections; applying the bookmark restores both states.
    await withDoc("app-states", async (doc) => {
      const fresh = await doc.createBookmark({ qInfo: { qId: "bm-fresh", qType: "bookmark" } });
      expect(
        (await fresh.getLayout()).qBookmark?.qStateData?.every((s) => (s.qFieldItems ?? []).length === 0),
      ).toBe(true);
      const bm = await doc.getBookmark("bm-states");
      expect(await bm.apply()).toBe(true);
      const copy = await doc.createBookmark({ qInfo: { qId: "bm-copy", qType: "bookmark" } });
      const stateOf = (b: NxBookmark | undefined) =>
        b?.qStateData?.map((s) => [s.qStateName, s.qFieldItems?.map((i) => [i.qDef?.qName, i.qValues])]);
      expect(stateOf((await copy.getLayout()).qBookmark)).toEqual(stateOf((await bm.getLayout()).qBookmark));
    });
    await withDoc("app-states", async (doc) => {
      await doc.removeAlternateState("Comparison");
      expect((await doc.getAppLayout()).qStateNames).toEqual([]);
    });
  });

  test("qIncludeVariables captures the variables' values; applying sets them back", async () => {
    salesApp("app-vars");
    await withDoc("app-vars", async (doc) => {
      const v = await doc.createVariableEx({
        qInfo: { qId: "v1", qType: "variable" },
        qName: "vTopN",
        qDefinition: "5",
      } as never);
      const bm = await doc.createBookmark({
        qInfo: { qId: "bm-vars", qType: "bookmark" },
        qIncludeVariables: true,
      });
      expect((await bm.getLayout()).qBookmark?.qVariableItems).toEqual([
        { qName: "vTopN", qValue: { qText: "5", qIsNumeric: true, qNumber: 5 }, qDefinition: "5" },
      ]);
      const without = await doc.createBookmark({ qInfo: { qId: "bm-novars", qType: "bookmark" } });
      expect((await without.getLayout()).qBookmark?.qVariableItems).toEqual([]);
      await v.setStringValue("12");
      expect(await doc.applyBookmark("bm-vars")).toBe(true);
      expect((await v.getProperties()).qDefinition).toBe("5");
    });
  });

  test("bookmarks keep their state through a copy of the document (publish, export, import)", async () => {
    const doc0 = salesApp("app-copy");
    await withDoc("app-copy", async (doc) => {
      await doc.addAlternateState("B");
      await (await doc.getField("Category", "B")).selectValues([{ qText: "Accessories" }]);
      await doc.createBookmark({ qInfo: { qId: "bm-copied", qType: "bookmark" } });
    });
    const copy = cloneAppDocument(doc0, "app-copied");
    expect(copy.alternateStates).toEqual(["B"]);
    expect(copy.bookmarks.get("bm-copied")?.selectionState).toEqual(
      doc0.bookmarks.get("bm-copied")?.selectionState,
    );
    expect(copy.bookmarks.get("bm-copied")?.properties).not.toHaveProperty("qBookmark");
  });
});
