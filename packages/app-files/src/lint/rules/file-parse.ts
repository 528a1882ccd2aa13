import type { LintRule } from "./rule.ts";

export const fileParse: LintRule = {
  id: "file-parse",
  defaultSeverity: "error",
  description:
    "JSON and YAML files must parse and have the expected top-level shape; reports the exact line and column.",
  example: {
    files: {
      "measures.json":
        '[\n  {\n    "qInfo": { "qId": "m-sales", "qType": "measure" },\n    "qMeasure": { "qLabel": "Sales", "qDef": "Sum(Amount)" },\n  }\n]\n',
      "script.qvs": "///$tab Main\nSales:\nLOAD * INLINE [\nRegion, Amount\nNorth, 10\n];\n",
    },
    fix: "Remove the trailing comma: JSON allows none.",
  },
  check: (ctx) => ctx.fileProblems.filter((p) => p.rule === "file-parse").map((p) => p.finding),
};
