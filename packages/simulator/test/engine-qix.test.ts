import { describe, expect, test } from "@jest/globals";
import type { GenericObject } from "@qlik/api/qix";
import { harnessForFile, rejection } from "./engine-harness.ts";

const { harness, withDoc } = harnessForFile();

describe("script, app properties and saving", () => {
  test("SetScript/GetScript round trip bumps the revision and notifies; DoSave marks it saved", async () => {
    const app = harness().addApp("app-script", { title: "Script app" });
    await withDoc("app-script", async (doc) => {
      const script = "///$tab Main\nSET ThousandSep=',';\n///$tab Data\nT: LOAD 1 AS a AUTOGENERATE 3;\n";
      await doc.setScript(script);
      expect(await doc.getScript()).toBe(script);
      expect(app.doc.script).toBe(script);
      expect(app.doc.revision).toBe(1);
      expect(app.changes).toBe(1);
      expect((await doc.getAppLayout()).qModified).toBe(true);
      await doc.doSave();
      expect(app.doc.savedRevision).toBe(1);
      expect((await doc.getAppLayout()).qHasScript).toBe(true);
    });
  });

  test("app properties are stored as given, without volatile fields, and the title renames the app", async () => {
    const app = harness().addApp("app-props", { title: "Before" });
    await withDoc("app-props", async (doc) => {
      await doc.setAppProperties({
        qTitle: "After",
        description: "Sales app",
        qLastReloadTime: "2020-01-01",
      } as never);
      expect(app.doc.appProperties).toEqual({ qTitle: "After", description: "Sales app" });
      expect(app.record.name).toBe("After");
      const props = (await doc.getAppProperties()) as Record<string, unknown>;
      expect(props).toEqual({ qTitle: "After", description: "Sales app" });
      expect(await doc.doReload()).toBe(true);
      const after = await doc.getAppProperties();
      expect(after.qLastReloadTime).toBe(app.doc.lastReloadTime);
      expect(app.doc.appProperties.qLastReloadTime).toBeUndefined();
    });
  });
});

describe("connections", () => {
  test("create, list without credentials, modify, duplicate names and delete", async () => {
    const app = harness().addApp("app-conn");
    await withDoc("app-conn", async (doc) => {
      const id = await doc.createConnection({
        qName: "Warehouse",
        qConnectionString: 'CUSTOM CONNECT TO "provider=postgres;host=db"',
        qType: "postgres",
        qUserName: "svc",
        qPassword: "s3cret",
      });
      expect(app.doc.connections.get(id)?.credentials).toEqual({ username: "svc", password: "s3cret" });
      const list = await doc.getConnections();
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ qId: id, qName: "Warehouse", qType: "postgres" });
      expect(JSON.stringify(list)).not.toContain("s3cret");
      expect(JSON.stringify(list)).not.toContain("svc");
      const dup = await rejection(
        doc.createConnection({ qName: "Warehouse", qConnectionString: "x", qType: "folder" }),
      );
      expect(dup.code).toBe(2000);
      await doc.modifyConnection(id, { qName: "Warehouse2", qConnectionString: "y" }, false);
      expect(await doc.getConnection(id)).toMatchObject({
        qName: "Warehouse2",
        qConnectionString: "y",
        qType: "postgres",
      });
      await doc.deleteConnection(id);
      expect(await doc.getConnections()).toEqual([]);
      expect((await rejection(doc.getConnection(id))).code).toBe(2001);
    });
  });
});

describe("master items, variables and bookmarks", () => {
  test("dimensions and measures: create, properties, layout meta, publish/approve, lists, destroy", async () => {
    const app = harness().addApp("app-master");
    await withDoc("app-master", async (doc) => {
      const dim = await doc.createDimension({
        qInfo: { qId: "dim-region", qType: "dimension" },
        qDim: { qGrouping: "N", qFieldDefs: ["Region"], qFieldLabels: ["Region"] },
        qMetaDef: { title: "Region", description: "Sales region", tags: ["geo"] },
      } as never);
      expect(dim.id).toBe("dim-region");
      const props = await dim.getProperties();
      expect(props).toEqual({
        qInfo: { qId: "dim-region", qType: "dimension" },
        qDim: { qGrouping: "N", qFieldDefs: ["Region"], qFieldLabels: ["Region"] },
        qMetaDef: { title: "Region", description: "Sales region", tags: ["geo"] },
      });
      // volatile data stays out of stored properties
      expect(app.doc.dimensions.get("dim-region")?.properties).toEqual(props);

      const measure = await doc.createMeasure({
        qInfo: { qType: "measure" },
        qMeasure: { qLabel: "Revenue", qDef: "Sum(Amount)" },
        qMetaDef: { title: "Revenue" },
      } as never);
      expect(measure.id).toMatch(/^id\d{4}$/);

      await dim.publish();
      await dim.approve();
      const layout = (await dim.getLayout()) as unknown as {
        qMeta: Record<string, unknown>;
        qDimInfos: unknown[];
      };
      expect(layout.qMeta).toMatchObject({
        title: "Region",
        description: "Sales region",
        published: true,
        approved: true,
        ownerId: "user-owner",
      });
      expect(typeof layout.qMeta.createdDate).toBe("string");
      expect(layout.qMeta.privileges).toContain("update");

      const dims = await doc.getDimensionList();
      expect(dims.map((d) => [d.qInfo?.qId, d.qData?.title])).toEqual([["dim-region", "Region"]]);
      const measures = await doc.getMeasureList();
      expect(measures.map((m) => m.qData?.title)).toEqual(["Revenue"]);

      await measure.setProperties({
        qInfo: { qId: measure.id, qType: "measure" },
        qMeasure: { qLabel: "Revenue", qDef: "Sum(Net)" },
        qMetaDef: { title: "Net revenue" },
      } as never);
      expect((await (await doc.getMeasure(measure.id)).getMeasure()).qDef).toBe("Sum(Net)");

      expect(await doc.destroyDimension("dim-region")).toBe(true);
      expect(await doc.destroyDimension("dim-region")).toBe(false);
      expect(app.doc.dimensions.size).toBe(0);
      expect((await rejection(doc.getDimension("dim-region"))).code).toBe(2);
      const infos = await doc.getAllInfos();
      expect(infos).toEqual([{ qId: measure.id, qType: "measure" }]);
    });
  });

  test("variables: CRUD, duplicate names, and script-created variables after a reload", async () => {
    const app = harness().addApp("app-vars");
    app.doc.script = "SET ThousandSep=',';\nSET vScript = 'from script';\n";
    await withDoc("app-vars", async (doc) => {
      const v = await doc.createVariableEx({
        qInfo: { qId: "var-1", qType: "variable" },
        qName: "vTarget",
        qDefinition: "=100*2",
        qComment: "Target",
      } as never);
      expect(await v.getRawContent()).toBe("=100*2");
      expect((await v.getLayout()).qText).toBe("200");
      expect(
        (await rejection(doc.createVariableEx({ qName: "vTarget", qDefinition: "1" } as never))).code,
      ).toBe(18001);

      expect(await doc.doReload()).toBe(true);
      const all = await doc.getVariableList();
      const byName = new Map(all.map((x) => [x.qName, x]));
      expect(byName.get("vTarget")).toMatchObject({ qDefinition: "=100*2", qDescription: "Target" });
      expect(byName.get("vTarget")?.qIsScriptCreated).toBeUndefined();
      expect(byName.get("vScript")).toMatchObject({ qDefinition: "from script", qIsScriptCreated: true });
      expect(byName.get("ThousandSep")).toMatchObject({
        qIsScriptCreated: true,
        qIsConfig: true,
        qIsReserved: true,
      });

      // A list that hides reserved/config variables, as an unbuild would use.
      const list = await doc.createSessionObject({
        qInfo: { qType: "VariableList" },
        qVariableListDef: {
          qType: "variable",
          qShowReserved: false,
          qShowConfig: false,
          qData: { tags: "/tags" },
        },
      } as never);
      const layout = (await list.getLayout()) as unknown as {
        qVariableList: { qItems: { qName: string }[] };
      };
      expect(layout.qVariableList.qItems.map((i) => i.qName).sort()).toEqual(["vScript", "vTarget"]);

      const scriptVar = await doc.getVariableByName("vScript");
      expect((await scriptVar.getLayout()).qIsScriptCreated).toBe(true);
      expect((await rejection(scriptVar.setStringValue("x"))).code).toBe(5);

      await v.setStringValue("42");
      expect((await v.getLayout()).qNum).toBe(42);
      expect(await doc.destroyVariableByName("vTarget")).toBe(true);
      expect(app.doc.variables.size).toBe(0);
    });
  });

  test("bookmarks: create, layout, list, apply and destroy", async () => {
    harness().addApp("app-bm");
    await withDoc("app-bm", async (doc) => {
      const bm = await doc.createBookmark({
        qInfo: { qId: "bm-1", qType: "bookmark" },
        qMetaDef: { title: "Nordics", description: "Nordic countries" },
        sheetId: "sheet-1",
      } as never);
      const layout = await bm.getLayout();
      expect(layout.qMeta).toMatchObject({ title: "Nordics", description: "Nordic countries" });
      expect((layout as unknown as { sheetId: string }).sheetId).toBe("sheet-1");
      expect(layout.qBookmark?.qStateData).toEqual([{ qStateName: "$", qFieldItems: [] }]);
      expect((await doc.getBookmarkList()).map((b) => b.qInfo?.qId)).toEqual(["bm-1"]);
      expect(await doc.applyBookmark("bm-1")).toBe(true);
      expect(await doc.destroyBookmark("bm-1")).toBe(true);
      expect(await doc.getBookmarkList()).toEqual([]);
    });
  });
});

describe("generic objects", () => {
  test("sheets with children through Set/GetFullPropertyTree converge to the given tree", async () => {
    const app = harness().addApp("app-obj");
    await withDoc("app-obj", async (doc) => {
      const sheet = await doc.createObject({
        qInfo: { qId: "sheet-1", qType: "sheet" },
        qMetaDef: { title: "Overview" },
        qChildListDef: { qData: { title: "/title" } },
        cells: [],
      } as never);
      const tree = {
        qProperty: {
          qInfo: { qId: "sheet-1", qType: "sheet" },
          qMetaDef: { title: "Overview" },
          qChildListDef: { qData: { title: "/title" } },
          cells: [{ name: "chart-1" }, { name: "kpi-1" }],
        },
        qChildren: [
          {
            qProperty: { qInfo: { qId: "chart-1", qType: "barchart" }, title: "Sales by region" },
            qChildren: [],
            qEmbeddedSnapshotRef: null,
          },
          {
            qProperty: { qInfo: { qId: "kpi-1", qType: "kpi" }, title: "Total" },
            qChildren: [],
            qEmbeddedSnapshotRef: null,
          },
        ],
        qEmbeddedSnapshotRef: null,
      };
      await sheet.setFullPropertyTree(tree as never);
      expect(await sheet.getFullPropertyTree()).toEqual(tree);
      expect(await sheet.getChildInfos()).toEqual([
        { qId: "chart-1", qType: "barchart" },
        { qId: "kpi-1", qType: "kpi" },
      ]);
      const layout = (await sheet.getLayout()) as unknown as {
        qChildList: { qItems: { qInfo: { qId: string }; qData: { title: string } }[] };
        qMeta: { title: string };
      };
      expect(layout.qChildList.qItems.map((i) => [i.qInfo.qId, i.qData.title])).toEqual([
        ["chart-1", "Sales by region"],
        ["kpi-1", "Total"],
      ]);
      expect(layout.qMeta.title).toBe("Overview");

      // Converge: kpi-1 removed, table-1 added, chart-1 changed.
      const next = {
        ...tree,
        qChildren: [
          {
            qProperty: { qInfo: { qId: "table-1", qType: "table" }, title: "Detail" },
            qChildren: [],
            qEmbeddedSnapshotRef: null,
          },
          {
            qProperty: { qInfo: { qId: "chart-1", qType: "barchart" }, title: "Sales by country" },
            qChildren: [],
            qEmbeddedSnapshotRef: null,
          },
        ],
      };
      await sheet.setFullPropertyTree(next as never);
      expect(await sheet.getFullPropertyTree()).toEqual(next);
      expect([...app.doc.objects.keys()].sort()).toEqual(["chart-1", "sheet-1", "table-1"]);
      expect((await rejection(doc.getObject("kpi-1"))).code).toBe(2);

      const child = (await sheet.createChild({
        qInfo: { qType: "text" },
        markdown: "hi",
      } as never)) as GenericObject;
      expect((await child.getProperties()).qInfo?.qType).toBe("text");
      expect(app.doc.objects.get("sheet-1")?.childIds).toHaveLength(3);
      expect(await sheet.destroyChild(child.id)).toBe(true);

      await sheet.publish();
      const published = (await (await doc.getObject("chart-1")).getLayout()) as unknown as {
        qMeta: { published: boolean; approved: boolean };
      };
      expect(published.qMeta).toMatchObject({ published: true, approved: false });
      await sheet.approve();
      expect(app.doc.objects.get("table-1")?.approved).toBe(true);

      // Session list of sheets.
      const sheets = await doc.createSessionObject({
        qInfo: { qType: "SheetList" },
        qAppObjectListDef: { qType: "sheet", qData: { title: "/qMetaDef/title", cells: "/cells" } },
      } as never);
      const list = (await sheets.getLayout()) as unknown as {
        qAppObjectList: {
          qItems: { qInfo: { qId: string }; qMeta: { published: boolean }; qData: { title: string } }[];
        };
      };
      expect(list.qAppObjectList.qItems).toHaveLength(1);
      expect(list.qAppObjectList.qItems[0]).toMatchObject({
        qInfo: { qId: "sheet-1" },
        qMeta: { published: true },
        qData: { title: "Overview" },
      });
      // Session objects are not part of the app.
      expect((await doc.getAllInfos()).map((i) => i.qType).sort()).toEqual(["barchart", "sheet", "table"]);
      expect(await doc.destroyObject("sheet-1")).toBe(true);
      expect(app.doc.objects.size).toBe(0);
    });
  });

  test("200 pipelined GetObject calls all resolve to the right objects", async () => {
    const app = harness().addApp("app-pipe");
    for (let i = 0; i < 200; i += 1) {
      const id = `obj-${i}`;
      app.doc.objects.set(id, {
        id,
        type: "text",
        properties: { qInfo: { qId: id, qType: "text" }, n: i },
        createdDate: "2025-01-01T00:00:00.000Z",
        modifiedDate: "2025-01-01T00:00:00.000Z",
        ownerId: "user-owner",
        published: false,
        approved: false,
        parentId: null,
        childIds: [],
      });
    }
    await withDoc("app-pipe", async (doc) => {
      const objects = await Promise.all(Array.from({ length: 200 }, (_, i) => doc.getObject(`obj-${i}`)));
      const props = await Promise.all(objects.map((o) => o.getProperties()));
      props.forEach((p, i) => expect(p).toEqual({ qInfo: { qId: `obj-${i}`, qType: "text" }, n: i }));
      expect(new Set(objects.map((o) => o.handle)).size).toBe(200);
    });
  });
});

describe("reloads", () => {
  test("DoReload applies the data model; a failing DoReloadEx changes nothing", async () => {
    const app = harness().addApp("app-reload");
    app.doc.connections.set("c1", {
      id: "c1",
      name: "DataFiles",
      connectionString: "",
      type: "folder",
      createdDate: "2025-01-01T00:00:00.000Z",
      modifiedDate: "2025-01-01T00:00:00.000Z",
    });
    app.doc.script = "Orders: LOAD OrderId, Amount FROM [lib://DataFiles/orders.qvd] (qvd);";
    await withDoc("app-reload", async (doc) => {
      expect(await doc.doReload()).toBe(true);
      expect(app.doc.tables.map((t) => t.name)).toEqual(["Orders"]);
      expect(app.doc.lastReloadTime).not.toBeNull();
      const tk = (await doc.getTablesAndKeys({ qcx: 0, qcy: 0 }, { qcx: 0, qcy: 0 }, 0, false, false)) as {
        qtr: { qName: string; qNoOfRows: number }[];
      };
      expect(tk.qtr[0].qName).toBe("Orders");
      expect(tk.qtr[0].qNoOfRows).toBe(app.doc.tables[0].rows);

      const revision = app.doc.revision;
      await doc.setScript("LIB CONNECT TO 'Missing';\nT: LOAD 1 AS x AUTOGENERATE 1;");
      const result = await doc.doReloadEx();
      expect(result.qSuccess).toBe(false);
      expect(app.doc.tables.map((t) => t.name)).toEqual(["Orders"]);
      expect(app.doc.revision).toBe(revision + 1); // only the SetScript
    });
  });
});

describe("permissions on a published app", () => {
  test("only the owner may change a published copy; others can read", async () => {
    const app = harness().addApp("app-published", { published: true, ownerId: "user-owner" });
    await withDoc(
      "app-published",
      async (doc) => {
        expect(await doc.getScript()).toBe(app.doc.script);
        const denied = await rejection(doc.setScript("SET x=1;"));
        expect(denied.code).toBe(5);
        expect(denied.message).toBe("Access denied");
        expect((await rejection(doc.createObject({ qInfo: { qType: "sheet" } } as never))).code).toBe(5);
        expect((await doc.getAppLayout()).qReadOnly).toBe(true);
        // session objects are fine
        await doc.createSessionObject({
          qInfo: { qType: "BookmarkList" },
          qBookmarkListDef: { qType: "bookmark" },
        } as never);
      },
      "other",
    );
    await withDoc("app-published", async (doc) => {
      await doc.setScript("SET x=1;");
    });
    expect(app.doc.script).toBe("SET x=1;");
  });
});
