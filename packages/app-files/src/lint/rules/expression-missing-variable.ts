import { QLIK_VARIABLES } from "@qlik-cicd/qlik-facts";
import { dollarVariableRefs } from "../expressions.ts";
import { rawIndex, walkJson } from "./helpers.ts";
import type { JsonFileModel } from "../context.ts";
import type { LintRule } from "./rule.ts";
import type { RuleFinding } from "../types.ts";

export const expressionMissingVariable: LintRule = {
  id: "expression-missing-variable",
  defaultSeverity: "warning",
  description:
    "Every $(name) in master items, variables and objects names a variable from variables.json, the script's SET/LET (computed names such as `size_$(t)` included), Qlik's own variables, or config `knownVariables`.",
  settings: ["knownVariables"],
  example: {
    files: {
      "measures.json":
        '[\n  {\n    "qInfo": { "qId": "m-sales", "qType": "measure" },\n    "qMeasure": { "qLabel": "Sales", "qDef": "Sum(Amount) * $(vRate)" },\n    "qMetaDef": { "title": "Sales" }\n  }\n]\n',
      "script.qvs": "///$tab Main\nSales:\nLOAD * INLINE [\nRegion, Amount\nNorth, 10\n];\n",
    },
    fix: "Define the variable in variables.json or the script (`SET vRate = 1.1;`), or list it under `knownVariables` when it is set at reload time.",
  },
  check(ctx) {
    const known = new Set<string>([...QLIK_VARIABLES, ...ctx.config.knownVariables]);
    const patterns = ctx.script?.model.dynamicAssignments ?? [];
    if (Array.isArray(ctx.variables?.doc.value)) {
      for (const v of ctx.variables.doc.value) {
        const name = (v as { qName?: unknown } | null)?.qName;
        if (typeof name === "string") known.add(name);
      }
    }
    if (ctx.script) {
      for (const a of ctx.script.model.assignments) known.add(a.name);
      for (const v of ctx.script.model.loopVariables) known.add(v);
    }
    const files: JsonFileModel[] = [ctx.dimensions, ctx.measures, ctx.variables, ...ctx.objects].filter(
      (f): f is JsonFileModel => f !== undefined,
    );
    const out: RuleFinding[] = [];
    for (const file of files) {
      walkJson(file.doc.value, (value, path) => {
        if (typeof value !== "string" || !value.includes("$(")) return;
        for (const ref of dollarVariableRefs(value)) {
          if (known.has(ref.name) || patterns.some((p) => p.test(ref.name))) continue;
          const pos = file.doc.locate(path);
          const raw = file.doc.rawAt(path)?.raw ?? "";
          out.push({
            file: file.path,
            line: pos.line,
            column: pos.column + rawIndex(raw, ref.index),
            message: `$(${ref.name}) refers to variable "${ref.name}", which is not in variables.json or set by the script.`,
          });
        }
      });
    }
    return out;
  },
};
