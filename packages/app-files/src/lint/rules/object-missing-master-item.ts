import { isTemplatePath, libraryIdKind } from "@qlik-cicd/qlik-facts";
import {
  isRecord,
  jsonFinding,
  masterItems,
  objectId,
  objectNodes,
  objectType,
  walkJson,
} from "./helpers.ts";
import type { LintRule } from "./rule.ts";
import type { RuleFinding } from "../types.ts";

export const objectMissingMasterItem: LintRule = {
  id: "object-missing-master-item",
  defaultSeverity: "error",
  description:
    "Every qLibraryId in an object names a master dimension/measure of the right kind, and every qExtendsId a master visualization.",
  example: {
    files: {
      "objects/sheet-overview-sh1.json":
        '{\n  "qProperty": { "qInfo": { "qId": "sh1", "qType": "sheet" }, "qMetaDef": { "title": "Overview" } },\n  "qChildren": [\n    {\n      "qProperty": {\n        "qInfo": { "qId": "c1", "qType": "barchart" },\n        "visualization": "barchart",\n        "title": "Sales by region",\n        "qHyperCubeDef": { "qDimensions": [], "qMeasures": [{ "qLibraryId": "m-sales", "qDef": {} }] }\n      },\n      "qChildren": []\n    }\n  ]\n}\n',
      "script.qvs": "///$tab Main\nSales:\nLOAD * INLINE [\nRegion, Amount\nNorth, 10\n];\n",
    },
    fix: "Add the master measure to measures.json (or point the chart at one that exists).",
  },
  check(ctx) {
    const kinds = new Map<string, string>();
    for (const item of masterItems(ctx))
      if (item.id && item.kind !== "variable") kinds.set(item.id, item.kind);
    const masterObjects = new Set<string>();
    for (const file of ctx.objects) {
      for (const node of objectNodes(file)) {
        const id = objectId(node);
        if (id && objectType(node) === "masterobject") masterObjects.add(id);
      }
    }
    const out: RuleFinding[] = [];
    for (const file of ctx.objects) {
      walkJson(file.doc.value, (value, path) => {
        if (!isRecord(value)) return;
        // Templates (a container's qChildListDef.qData) hold JSON pointers such as "/qExtendsId".
        if (isTemplatePath(path)) return;
        const lib = value.qLibraryId;
        if (typeof lib === "string" && lib !== "") {
          const at = [...path, "qLibraryId"];
          const want = libraryIdKind(path);
          const actual = kinds.get(lib);
          if (!actual) {
            out.push(
              jsonFinding(
                file,
                at,
                `qLibraryId "${lib}" is not a master ${want ?? "item"} (not in ${want ? `${want}s.json` : "dimensions.json or measures.json"}).`,
              ),
            );
          } else if (want && actual !== want) {
            out.push(
              jsonFinding(file, at, `qLibraryId "${lib}" is a master ${actual} but is used as a ${want}.`),
            );
          }
        }
        const ext = value.qExtendsId;
        if (typeof ext === "string" && ext !== "" && !masterObjects.has(ext)) {
          out.push(
            jsonFinding(
              file,
              [...path, "qExtendsId"],
              `qExtendsId "${ext}" is not a master visualization in objects/.`,
            ),
          );
        }
      });
    }
    return out;
  },
};
