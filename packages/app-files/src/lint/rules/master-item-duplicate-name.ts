import { jsonFinding, masterItems } from "./helpers.ts";
import type { MasterItem } from "./helpers.ts";
import type { LintRule } from "./rule.ts";
import type { RuleFinding } from "../types.ts";

export const masterItemDuplicateName: LintRule = {
  id: "master-item-duplicate-name",
  defaultSeverity: "warning",
  description:
    "Master dimensions and measures have distinct titles (ignoring case) and variables distinct names, so people and expressions pick the right one.",
  example: {
    files: {
      "measures.json":
        '[\n  {\n    "qInfo": { "qId": "m-sales", "qType": "measure" },\n    "qMeasure": { "qLabel": "Sales", "qDef": "Sum(Amount)" },\n    "qMetaDef": { "title": "Sales" }\n  },\n  {\n    "qInfo": { "qId": "m-sales-net", "qType": "measure" },\n    "qMeasure": { "qLabel": "Sales", "qDef": "Sum(Amount) - Sum(Discount)" },\n    "qMetaDef": { "title": "sales" }\n  }\n]\n',
      "script.qvs": "///$tab Main\nSales:\nLOAD * INLINE [\nRegion, Amount\nNorth, 10\n];\n",
    },
    fix: "Give each master item a title of its own, e.g. `Net sales`.",
  },
  check(ctx) {
    const out: RuleFinding[] = [];
    const seen = new Map<string, MasterItem>();
    for (const item of masterItems(ctx)) {
      if (item.name === undefined || item.name.trim() === "") continue;
      const key = `${item.kind}\u0000${item.kind === "variable" ? item.name.trim() : item.name.trim().toLowerCase()}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, item);
        continue;
      }
      const where = first.file.doc.locate(first.namePath).line;
      out.push(
        jsonFinding(
          item.file,
          item.namePath,
          `${item.kind === "variable" ? "Variable name" : `Master ${item.kind} title`} "${item.name.trim()}" is already used by ${first.kind} ${first.id ?? "(no id)"} on line ${where}.`,
        ),
      );
    }
    return out;
  },
};
