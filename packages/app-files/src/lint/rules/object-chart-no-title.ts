import {
  CONTAINER_CHILD_LABELS,
  DEFAULT_LABELS,
  MEASURE_LABELLED_VISUALIZATIONS,
  SELF_LABELLED_VISUALIZATIONS,
  TEXT_VISUALIZATIONS,
  VALUE_LABELLED_VISUALIZATIONS,
} from "@qlik-cicd/qlik-facts";
import { isRecord, jsonFinding, objectId, objectNodes, str } from "./helpers.ts";
import type { ObjectNode } from "./helpers.ts";
import type { LintRule } from "./rule.ts";
import type { RuleFinding } from "../types.ts";

/** Objects that say what they show without a title. */
const UNTITLED_VISUALIZATIONS = new Set<string>([
  ...TEXT_VISUALIZATIONS,
  ...SELF_LABELLED_VISUALIZATIONS,
  ...VALUE_LABELLED_VISUALIZATIONS,
]);
const MEASURE_LABELLED = new Set<string>(MEASURE_LABELLED_VISUALIZATIONS);

/** A title-like value: a string, or a `qStringExpression` (its `qExpr`, or the expression string itself). */
function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (isRecord(value) && isRecord(value.qStringExpression)) return str(value.qStringExpression.qExpr) ?? "";
  if (isRecord(value) && typeof value.qStringExpression === "string") return value.qStringExpression;
  return "";
}

const filled = (value: unknown): boolean => text(value).trim() !== "";

/** A KPI shows its (first) measure's label unless `showMeasureTitle` is false. */
function measureLabelled(props: Record<string, unknown>): boolean {
  if (props.showMeasureTitle === false) return false;
  const cube = isRecord(props.qHyperCubeDef) ? props.qHyperCubeDef : {};
  const first = Array.isArray(cube.qMeasures) ? cube.qMeasures[0] : undefined;
  if (!isRecord(first)) return false;
  if (typeof first.qLibraryId === "string" && first.qLibraryId !== "") return true; // the master measure's label
  const def = isRecord(first.qDef) ? first.qDef : {};
  return filled(def.qLabel) || filled(def.qLabelExpression);
}

/** The label a container gives `child` in its own list of children, unless it is still the default name. */
function containerLabel(parent: ObjectNode | undefined, child: ObjectNode): string {
  if (!parent) return "";
  const viz = str(parent.props.visualization);
  for (const c of CONTAINER_CHILD_LABELS) {
    if (viz !== c.visualization) continue;
    const key = str(child.props[c.childKey]);
    const list = parent.props[c.list];
    if (!key || !Array.isArray(list)) continue;
    const entry = list.find((e) => isRecord(e) && e[c.ref] === key);
    const label = isRecord(entry) ? text(entry.label).trim() : "";
    const fallback = DEFAULT_LABELS[str(child.props.visualization) ?? ""];
    return fallback !== undefined && label.toLowerCase() === fallback.toLowerCase() ? "" : label;
  }
  return "";
}

export const objectChartNoTitle: LintRule = {
  id: "object-chart-no-title",
  defaultSeverity: "notice",
  description:
    "Charts (objects with a hypercube) have a title — their own, a KPI's measure label, or the label their container gives them — so readers and screen readers know what they show.",
  example: {
    files: {
      "objects/sheet-overview-sh1.json":
        '{\n  "qProperty": { "qInfo": { "qId": "sh1", "qType": "sheet" }, "qMetaDef": { "title": "Overview" } },\n  "qChildren": [\n    {\n      "qProperty": {\n        "qInfo": { "qId": "c1", "qType": "linechart" },\n        "visualization": "linechart",\n        "qHyperCubeDef": { "qDimensions": [], "qMeasures": [] }\n      },\n      "qChildren": []\n    }\n  ]\n}\n',
      "script.qvs": "///$tab Main\nSales:\nLOAD * INLINE [\nRegion, Amount\nNorth, 10\n];\n",
    },
    fix: 'Give the chart a title that says what it shows: `"title": "Sales by month"`.',
  },
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const file of ctx.objects) {
      const nodes = objectNodes(file);
      const parents = new Map<ObjectNode, ObjectNode>();
      const stack: ObjectNode[] = [];
      for (const node of nodes) {
        // objectNodes lists a tree depth first: the parent is the last node one level up.
        stack.length = node.depth;
        if (node.depth > 0 && stack[node.depth - 1]) parents.set(node, stack[node.depth - 1]);
        stack[node.depth] = node;
      }
      for (const node of nodes) {
        const viz = str(node.props.visualization);
        if (!isRecord(node.props.qHyperCubeDef) || (viz && UNTITLED_VISUALIZATIONS.has(viz))) continue;
        if (filled(node.props.title)) continue;
        if (isRecord(node.props.qMetaDef) && filled(node.props.qMetaDef.title)) continue;
        if (viz && MEASURE_LABELLED.has(viz) && measureLabelled(node.props)) continue;
        if (containerLabel(parents.get(node), node).trim() !== "") continue;
        const path = "title" in node.props ? [...node.path, "title"] : [...node.path, "qInfo", "qId"];
        const id = objectId(node);
        const what = `${viz ?? "chart"}${id ? ` ${id}` : ""}`;
        out.push(
          jsonFinding(file, path, `Chart has no title (${what}): give it a title that says what it shows.`),
        );
      }
    }
    return out;
  },
};
