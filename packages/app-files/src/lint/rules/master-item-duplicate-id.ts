import { isRecord, jsonFinding, masterItems, objectId, objectNodes } from "./helpers.ts";
import type { JsonFileModel } from "../context.ts";
import type { JsonPath } from "../json-locate.ts";
import type { LintRule } from "./rule.ts";
import type { RuleFinding } from "../types.ts";

export const masterItemDuplicateId: LintRule = {
  id: "master-item-duplicate-id",
  defaultSeverity: "error",
  description:
    "Every qInfo.qId is unique across dimensions, measures, variables and objects; a build would overwrite one with the other.",
  example: {
    files: {
      "dimensions.json":
        '[\n  {\n    "qInfo": { "qId": "sales", "qType": "dimension" },\n    "qDim": { "qFieldDefs": ["Region"], "qFieldLabels": ["Region"] },\n    "qMetaDef": { "title": "Region" }\n  }\n]\n',
      "measures.json":
        '[\n  {\n    "qInfo": { "qId": "sales", "qType": "measure" },\n    "qMeasure": { "qLabel": "Sales", "qDef": "Sum(Amount)" },\n    "qMetaDef": { "title": "Sales" }\n  }\n]\n',
      "script.qvs": "///$tab Main\nSales:\nLOAD * INLINE [\nRegion, Amount\nNorth, 10\n];\n",
    },
    fix: "Give one of them a new qInfo.qId (and update the objects that reference it).",
  },
  check(ctx) {
    const entries: { id: string; file: JsonFileModel; path: JsonPath }[] = [];
    for (const item of masterItems(ctx)) {
      if (item.id) entries.push({ id: item.id, file: item.file, path: [...item.path, "qInfo", "qId"] });
    }
    for (const file of ctx.objects) {
      for (const node of objectNodes(file)) {
        const id = objectId(node);
        if (id && isRecord(node.props.qInfo))
          entries.push({ id, file, path: [...node.path, "qInfo", "qId"] });
      }
    }
    const seen = new Map<string, { file: JsonFileModel; path: JsonPath }>();
    const out: RuleFinding[] = [];
    for (const e of entries) {
      const first = seen.get(e.id);
      if (!first) {
        seen.set(e.id, e);
        continue;
      }
      const at = first.file.doc.locate(first.path);
      out.push(
        jsonFinding(e.file, e.path, `qId "${e.id}" is already used in ${first.file.path} line ${at.line}.`),
      );
    }
    return out;
  },
};
