import type { AppTreeContent, JsonObject, ObjectEntry } from "../../src/types.ts";

export function measure(id: string, title: string, def: string): JsonObject {
  return {
    qInfo: { qId: id, qType: "measure" },
    qMeasure: { qLabel: title, qDef: def },
    qMetaDef: { title },
  };
}
function dimension(id: string, title: string, field: string): JsonObject {
  return {
    qInfo: { qId: id, qType: "dimension" },
    qDim: { qGrouping: "N", qFieldDefs: [field], qFieldLabels: [title] },
    qMetaDef: { title },
  };
}
export function variable(id: string, name: string, definition: string): JsonObject {
  return { qInfo: { qId: id, qType: "variable" }, qName: name, qDefinition: definition, qComment: "" };
}
export function chart(id: string, type: string, title: string, measureId = "m1"): ObjectEntry {
  return {
    qProperty: {
      qInfo: { qId: id, qType: type },
      visualization: type,
      title,
      qHyperCubeDef: { qDimensions: [{ qLibraryId: "d1" }], qMeasures: [{ qLibraryId: measureId }] },
    },
    qChildren: [],
  };
}
export function sheet(id: string, title: string, children: ObjectEntry[]): ObjectEntry {
  return {
    qProperty: {
      qInfo: { qId: id, qType: "sheet" },
      qMetaDef: { title, description: "" },
      rank: 1,
      cells: children.map((c, i) => ({
        name: (c.qProperty.qInfo as JsonObject).qId,
        col: i * 6,
        row: 0,
        colspan: 6,
        rowspan: 6,
      })),
      qChildListDef: { qData: { title: "/title" } },
    },
    qChildren: children,
  };
}

export function sampleContent(): AppTreeContent {
  return {
    appProperties: {
      qTitle: "Sales Analytics",
      description: "Sales by region",
      sheetTitleBgColor: "#ffffff",
    },
    script:
      "///$tab Main\nSET ThousandSep=',';\n///$tab Load\nSales:\nLOAD * INLINE [Region, Amount\nNorth, 10\nSouth, 20];\n",
    connections: [{ name: "DataFiles", type: "folder", connectionString: "lib://DataFiles" }],
    dimensions: [dimension("d1", "Region", "Region")],
    measures: [measure("m1", "Total Sales", "Sum(Amount)"), measure("m2", "Orders", "Count(OrderId)")],
    variables: [variable("v1", "vTarget", "1000"), variable("v2", "vColor", "'#ff0000'")],
    bookmarks: [
      { qInfo: { qId: "b1", qType: "bookmark" }, qMetaDef: { title: "North only", description: "" } },
    ],
    objects: [
      sheet("s1", "Overview", [chart("c1", "barchart", "Sales by region"), chart("c2", "kpi", "Total")]),
      sheet("s2", "Details", [chart("c3", "table", "Orders", "m2")]),
      {
        qProperty: {
          qInfo: { qId: "mo1", qType: "masterobject" },
          qMetaDef: { title: "Reusable bar" },
          visualization: "barchart",
        },
        qChildren: [],
      },
    ],
  };
}
