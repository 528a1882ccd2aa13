// Shapes seen in real apps Qlik publishes (test/corpus) that the rules once reported wrongly, each next
// to the real problem the same rule must still report.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "@jest/globals";
import { lintAppTree } from "../src/lint/index.ts";
import type { LintResult } from "../src/lint/index.ts";
import { messages, rows } from "./fixtures/lint/helpers.ts";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Writes the files into a fresh app folder and lints it with the default settings. */
async function lintFiles(files: Record<string, unknown>): Promise<LintResult> {
  const dir = await mkdtemp(path.join(tmpdir(), "lint-shapes-"));
  dirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    const text = typeof content === "string" ? content : `${JSON.stringify(content, null, 2)}\n`;
    await writeFile(path.join(dir, rel), text);
  }
  return lintAppTree(dir, {});
}

const dimension = (id: string, field: string) => ({
  qInfo: { qId: id, qType: "dimension" },
  qDim: { qFieldDefs: [field], qFieldLabels: [field] },
  qMetaDef: { title: field },
});
const measure = (id: string, expr: string) => ({
  qInfo: { qId: id, qType: "measure" },
  qMeasure: { qDef: expr, qLabel: id },
  qMetaDef: { title: id },
});
const masterItems = {
  "dimensions.json": [dimension("dRegion", "Region")],
  "measures.json": [measure("mSales", "Sum(Sales)")],
};
const sheet = (children: unknown[], extra: Record<string, unknown> = {}) => ({
  qProperty: { qInfo: { qId: "sh1", qType: "sheet" }, qMetaDef: { title: "Overview" }, cells: [], ...extra },
  qChildren: children,
});
const chart = (id: string, viz: string, props: Record<string, unknown> = {}) => ({
  qProperty: {
    qInfo: { qId: id, qType: viz },
    visualization: viz,
    qHyperCubeDef: { qDimensions: [], qMeasures: [] },
    ...props,
  },
  qChildren: [],
});

describe("object-missing-master-item on real shapes", () => {
  it('does not read a container\'s data template qExtendsId "/qExtendsId" as a reference, but still checks children', async () => {
    const container = {
      qProperty: {
        qInfo: { qId: "c1", qType: "container" },
        visualization: "container",
        qChildListDef: { qData: { qExtendsId: "/qExtendsId", title: "/title" } },
        children: [],
      },
      qChildren: [chart("ch1", "barchart", { title: "Sales", qExtendsId: "gone" })],
    };
    const r = await lintFiles({ "script.qvs": "", "objects/sheet-1.json": sheet([container]) });
    expect(messages(r, "object-missing-master-item")).toEqual([
      'qExtendsId "gone" is not a master visualization in objects/.',
    ]);
  });

  it("reads qAttributeExpressions[].qLibraryId as a master measure, also inside a dimension", async () => {
    const table = chart("t1", "table", {
      title: "By region",
      qHyperCubeDef: {
        qDimensions: [
          {
            qLibraryId: "dRegion",
            qAttributeExpressions: [{ qLibraryId: "mSales" }, { qLibraryId: "dRegion" }],
          },
        ],
        qMeasures: [],
      },
    });
    const r = await lintFiles({ ...masterItems, "script.qvs": "", "objects/sheet-1.json": sheet([table]) });
    expect(messages(r, "object-missing-master-item")).toEqual([
      'qLibraryId "dRegion" is a master dimension but is used as a measure.',
    ]);
  });

  it("reads qMiniChartDef.qLibraryId as a master dimension, also inside a measure", async () => {
    const table = (id: string, miniChartItem: string) =>
      chart(id, "table", {
        title: "Trend",
        qHyperCubeDef: {
          qDimensions: [],
          qMeasures: [{ qLibraryId: "mSales", qMiniChartDef: { qLibraryId: miniChartItem } }],
        },
      });
    const r = await lintFiles({
      ...masterItems,
      "script.qvs": "",
      "objects/sheet-1.json": sheet([table("t1", "dRegion"), table("t2", "mSales")]),
    });
    expect(messages(r, "object-missing-master-item")).toEqual([
      'qLibraryId "mSales" is a master measure but is used as a dimension.',
    ]);
  });
});

describe("script-undeclared-connection on real shapes", () => {
  const connections = [
    "connections:",
    "  Sales (eu_west):",
    "    type: folder",
    "    connectionstring: /data",
    "",
  ].join("\n");

  it("ignores LIKE patterns, lib:// prefixes being assembled and lib://: placeholders in strings", async () => {
    const script = [
      "IF '$(vPath)' LIKE 'lib://*' THEN",
      "  TRACE absolute;",
      "END IF",
      "LET vFile = 'lib://' & vConnection & '/x.qvd';",
      "SET vParentDir = 'lib://:';",
      "T: LOAD * FROM [lib://Nope/x.qvd] (qvd);",
      "",
    ].join("\n");
    const r = await lintFiles({ "connections.yml": connections, "script.qvs": script });
    expect(rows(r, "script-undeclared-connection")).toEqual([["script.qvs", 6, 17, "error"]]);
    expect(messages(r, "script-undeclared-connection")).toEqual([
      'Connection "Nope" is not declared in connections.yml.',
    ]);
  });

  it("keeps a connection name that contains parentheses whole", async () => {
    const script = [
      "A: LOAD * FROM [lib://Sales (eu_west)/x.qvd] (qvd);",
      "B: LOAD * FROM 'lib://Stock (us)/y.qvd' (qvd);",
      "",
    ].join("\n");
    const r = await lintFiles({ "connections.yml": connections, "script.qvs": script });
    expect(messages(r, "script-undeclared-connection")).toEqual([
      'Connection "Stock (us)" is not declared in connections.yml.',
    ]);
  });

  it("has nothing to check against when the app has no connections file", async () => {
    const script =
      "T: LOAD * FROM [lib://Anything/x.qvd] (qvd);\nSTORE T INTO [lib://Anything/y.qvd] (qvd);\n";
    const r = await lintFiles({ "script.qvs": script });
    expect(rows(r, "script-undeclared-connection")).toEqual([]);
    expect(rows(r, "script-store-target")).toEqual([]);
    // A configured list of store targets still applies.
    const configured = await lintAppTree(dirs[dirs.length - 1], { allowedStoreConnections: ["Lake"] });
    expect(messages(configured, "script-store-target")).toEqual([
      'STORE writes to connection "Anything", which is not an allowed target (allowed: Lake).',
    ]);
  });
});

describe("expression-missing-variable on real shapes", () => {
  it("counts variables the script creates with a $(…)-expanded name as set", async () => {
    const script = [
      "FOR EACH data_table IN 'Reloads', 'Apps'",
      "  LET file_size_$(data_table) = FileSize('lib://DataFiles/$(data_table).qvd');",
      "NEXT data_table",
      "",
    ].join("\n");
    const text = chart("x1", "sn-text", {
      title: "",
      markdown: "$(file_size_Reloads) $(file_size_Apps) $(vTypo)",
    });
    const r = await lintFiles({ "script.qvs": script, "objects/sheet-1.json": sheet([text]) });
    expect(messages(r, "expression-missing-variable")).toEqual([
      '$(vTypo) refers to variable "vTypo", which is not in variables.json or set by the script.',
    ]);
  });

  it("knows Qlik's own variables", async () => {
    const text = chart("x1", "sn-text", { markdown: "$(DateFormat) $(ScriptErrorCount) $(CollationLocale)" });
    const r = await lintFiles({ "script.qvs": "", "objects/sheet-1.json": sheet([text]) });
    expect(rows(r, "expression-missing-variable")).toEqual([]);
  });
});

describe("object-chart-no-title on real shapes", () => {
  it("exempts sn-text like text-image, and KPIs that show their measure's label", async () => {
    const kpi = (id: string, props: Record<string, unknown>) =>
      chart(id, "kpi", {
        title: "",
        qHyperCubeDef: { qDimensions: [], qMeasures: [{ qDef: { qDef: "Sum(Sales)", qLabel: "Sales" } }] },
        ...props,
      });
    const r = await lintFiles({
      "script.qvs": "",
      "objects/sheet-1.json": sheet([
        chart("text1", "sn-text", { title: "" }),
        chart("text2", "text-image", { title: "" }),
        kpi("kpi1", {}),
        kpi("kpi2", { showMeasureTitle: false }),
        chart("bar1", "barchart", { title: "" }),
      ]),
    });
    expect(messages(r, "object-chart-no-title")).toEqual([
      "Chart has no title (kpi kpi2): give it a title that says what it shows.",
      "Chart has no title (barchart bar1): give it a title that says what it shows.",
    ]);
  });

  it("takes a chart's tab label in a container as its title", async () => {
    const container = {
      qProperty: {
        qInfo: { qId: "c1", qType: "container" },
        visualization: "container",
        children: [
          { refId: "r1", label: { qStringExpression: { qExpr: "='Space access'" } } },
          { refId: "r2", label: "" },
        ],
      },
      qChildren: [
        chart("p1", "pivot-table", { title: "", containerChildId: "r1" }),
        chart("p2", "pivot-table", { title: "", containerChildId: "r2" }),
      ],
    };
    const r = await lintFiles({ "script.qvs": "", "objects/sheet-1.json": sheet([container]) });
    expect(messages(r, "object-chart-no-title")).toEqual([
      "Chart has no title (pivot-table p2): give it a title that says what it shows.",
    ]);
  });

  it("takes a layout container's label as the name, unless it is still the default type name", async () => {
    const layout = {
      qProperty: {
        qInfo: { qId: "l1", qType: "sn-layout-container" },
        visualization: "sn-layout-container",
        objects: [
          { childRefId: "a", label: "User Access Chart" },
          { childRefId: "b", label: "Line chart" },
        ],
      },
      qChildren: [
        chart("t1", "table", { title: "", showTitles: false, childRefId: "a" }),
        chart("lc1", "linechart", { title: "", showTitles: false, childRefId: "b" }),
      ],
    };
    const r = await lintFiles({ "script.qvs": "", "objects/sheet-1.json": sheet([layout]) });
    expect(messages(r, "object-chart-no-title")).toEqual([
      "Chart has no title (linechart lc1): give it a title that says what it shows.",
    ]);
  });
});

describe("connections.yml as qlik-cli writes it", () => {
  it("reads the same connection listed twice once, and a value with an unquoted ': ' as text", async () => {
    const connections = [
      "connections:",
      "  DataFiles:",
      "    type: qix-datafiles.exe",
      '    connectionstring: CUSTOM CONNECT TO "provider=qix-datafiles.exe;path=datafiles;"',
      "  DataFiles:",
      "    type: qix-datafiles.exe",
      '    connectionstring: CUSTOM CONNECT TO "provider=qix-datafiles.exe;path=datafiles;"',
      "  Api:",
      "    type: QvRestConnector.exe",
      '    connectionstring: CUSTOM CONNECT TO "provider=QvRestConnector.exe;url=https://x;header: a;"',
      "",
    ].join("\r\n");
    const r = await lintFiles({
      "connections.yml": connections,
      "script.qvs": "LIB CONNECT TO 'Api';\nLIB CONNECT TO 'Missing';\n",
    });
    expect(rows(r, "file-parse")).toEqual([]);
    expect(messages(r, "script-undeclared-connection")).toEqual([
      'Connection "Missing" is not declared in connections.yml.',
    ]);
  });

  it("still rejects a connection listed twice with different settings, at the second one", async () => {
    const connections = [
      "connections:",
      "  DataFiles:",
      "    type: folder",
      "    connectionstring: /a",
      "  DataFiles:",
      "    type: folder",
      "    connectionstring: /b",
      "",
    ].join("\n");
    const r = await lintFiles({ "connections.yml": connections, "script.qvs": "" });
    expect(rows(r, "file-parse")).toEqual([["connections.yml", 5, 3, "error"]]);
    expect(messages(r, "file-parse")[0]).toContain(
      'connection "DataFiles" is listed twice with different settings',
    );
  });
});
