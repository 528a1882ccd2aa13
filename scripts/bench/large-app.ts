// A generated app for benchmarks: `sheets` sheets with `charts` charts each, master items, variables,
// unicode titles and a long script.
import type { AppTreeContent, ObjectEntry } from "@qlik-cicd/app-files";

const TITLES = ["Umsatz", "売上", "Ventas 📈", "Продажи", "Résumé", "Overview"];

export function largeAppContent(sheets: number, charts: number): AppTreeContent {
  const objects: ObjectEntry[] = [];
  for (let s = 0; s < sheets; s++) {
    const children: ObjectEntry[] = [];
    const ids: string[] = [];
    for (let c = 0; c < charts; c++) {
      ids.push(`bench-${s}-${c}`);
      const type = ["barchart", "linechart", "table", "kpi"][c % 4];
      children.push({
        qProperty: {
          qInfo: { qId: `bench-${s}-${c}`, qType: type },
          visualization: type,
          title: `${TITLES[(s + c) % TITLES.length]} ${s}/${c}`,
          qHyperCubeDef: {
            qDimensions: [{ qLibraryId: "bench-dim", qDef: { qFieldDefs: [] } }],
            qMeasures: [{ qDef: { qDef: `Sum(Amount) * ${c + 1}` } }],
          },
        },
        qChildren: [],
      });
    }
    objects.push({
      qProperty: {
        qInfo: { qId: `bench-sheet-${s}`, qType: "sheet" },
        qMetaDef: { title: `${TITLES[s % TITLES.length]} sheet ${s}` },
        rank: s,
        cells: ids.map((id, i) => ({
          name: id,
          col: i % 24,
          row: 0,
          colspan: 1,
          rowspan: 1,
        })),
      },
      qChildren: children,
    });
  }
  const script = ["///$tab Main", "SET ThousandSep=',';"];
  for (let t = 0; t < 30; t++) {
    script.push(`///$tab Data ${t}`, `Data${t}:`, "LOAD * INLINE [", "Region, Amount");
    for (let r = 0; r < 50; r++) script.push(`R${r % 5}, ${r * (t + 1)}`);
    script.push("];");
  }
  return {
    appProperties: { qTitle: "Bench large app" },
    script: `${script.join("\n")}\n`,
    connections: [],
    dimensions: [
      {
        qInfo: { qId: "bench-dim", qType: "dimension" },
        qDim: { qGrouping: "N", qFieldDefs: ["Region"] },
        qMetaDef: { title: "Region" },
      },
    ],
    measures: Array.from({ length: 40 }, (_, i) => ({
      qInfo: { qId: `bench-m-${i}`, qType: "measure" },
      qMeasure: { qLabel: `Measure ${i}`, qDef: `Sum(Amount) / ${i + 1}` },
      qMetaDef: { title: `Measure ${i}` },
    })),
    variables: Array.from({ length: 20 }, (_, i) => ({
      qInfo: { qId: `bench-v-${i}`, qType: "variable" },
      qName: `vBench${i}`,
      qDefinition: `${i}`,
    })),
    bookmarks: [],
    objects,
  };
}
