/**
 * The demo's pull request: what a developer changes in the unbuilt files — a new master measure and a
 * bar chart that shows it next to the existing measure under a new title. Edits the JSON files the way
 * an editor would, then formats the folder canonically (as a pre-commit hook would).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readAppTree, writeAppTree } from "@qlik-cicd/app-files";

export const NEW_MEASURE = {
  id: "mSalesPerUnit",
  title: "Sales per unit",
  expression: "Sum(Sales) / Sum(Quantity)",
} as const;

export interface PullRequestChange {
  /** Files the change touched, relative to the app folder. */
  files: string[];
  /** One line per change, for people. */
  summary: string[];
  chart: { id: string; titleBefore: string; titleAfter: string };
}

type Json = Record<string, unknown>;

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, "utf8"));
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

interface ObjectEntry {
  qProperty: Json;
  qChildren: ObjectEntry[];
}

function findBarChart(entry: ObjectEntry): ObjectEntry | undefined {
  const info = entry.qProperty.qInfo as { qType?: string } | undefined;
  if (info?.qType === "barchart") return entry;
  for (const child of entry.qChildren ?? []) {
    const hit = findBarChart(child);
    if (hit) return hit;
  }
  return undefined;
}

/** Applies the change to the app folder `dir` in place. */
export async function applyPullRequestChange(dir: string): Promise<PullRequestChange> {
  // 1. A new master measure in measures.json.
  const measuresFile = join(dir, "measures.json");
  const measures = readJson(measuresFile) as Json[];
  measures.push({
    qInfo: { qId: NEW_MEASURE.id, qType: "measure" },
    qMeasure: {
      qDef: NEW_MEASURE.expression,
      qLabel: NEW_MEASURE.title,
      qGrouping: "N",
      qActiveExpression: 0,
      qExpressions: [],
      qNumFormat: { qType: "M", qnDec: 2, qUseThou: 1, qFmt: "$#,##0.00;-$#,##0.00", qDec: ".", qThou: "," },
    },
    qMetaDef: {
      title: NEW_MEASURE.title,
      description: "Average price actually paid per unit",
      tags: ["sales"],
    },
  });
  writeJson(measuresFile, measures);

  // 2. The first bar chart (on whichever sheet holds one) shows the new measure and gets a new title.
  const objectsDir = join(dir, "objects");
  let chartFile: string | undefined;
  let chart: ObjectEntry | undefined;
  let sheet: ObjectEntry | undefined;
  for (const name of readdirSync(objectsDir).sort()) {
    if (!name.endsWith(".json")) continue;
    const entry = readJson(join(objectsDir, name)) as ObjectEntry;
    const hit = findBarChart(entry);
    if (hit) {
      chartFile = name;
      chart = hit;
      sheet = entry;
      break;
    }
  }
  if (!chart || !chartFile || !sheet) {
    throw new Error(`The unbuilt app in ${dir} has no bar chart to change.`);
  }
  const props = chart.qProperty;
  const id = (props.qInfo as { qId: string }).qId;
  const titleBefore = typeof props.title === "string" ? props.title : id;
  const cube = props.qHyperCubeDef as Json;
  const cubeMeasures = cube.qMeasures as Json[];
  const first = cubeMeasures[0];
  if (!first) throw new Error(`The bar chart '${titleBefore}' (${id}) has no measure to change.`);
  const measureBefore = typeof first.qLibraryId === "string" ? first.qLibraryId : "an inline measure";
  cubeMeasures[0] = {
    qDef: { qDef: "", qLabel: "" },
    qLibraryId: NEW_MEASURE.id,
    qSortBy: { qSortByNumeric: -1 },
  };
  const dimension = titleBefore.split(" by ").slice(1).join(" by ");
  const titleAfter = dimension ? `${NEW_MEASURE.title} by ${dimension}` : NEW_MEASURE.title;
  props.title = titleAfter;
  writeJson(join(objectsDir, chartFile), sheet);

  // 3. Format the folder canonically, as the repository's pre-commit hook would.
  await writeAppTree(dir, await readAppTree(dir));

  return {
    files: ["measures.json", `objects/${chartFile}`],
    summary: [
      `add master measure '${NEW_MEASURE.title}' (${NEW_MEASURE.id}): ${NEW_MEASURE.expression}`,
      `bar chart '${titleBefore}' (${id}): shows '${NEW_MEASURE.title}' instead of ${measureBefore}, retitled '${titleAfter}'`,
    ],
    chart: { id, titleBefore, titleAfter },
  };
}
