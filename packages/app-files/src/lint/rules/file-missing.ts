import type { LintRule } from "./rule.ts";

export const fileMissing: LintRule = {
  id: "file-missing",
  defaultSeverity: "error",
  description: "Required files (script.qvs) must exist.",
  example: {
    files: {
      "config.yml": "script: script.qvs\nmeasures: measures.json\n",
      "measures.json": "[]\n",
    },
    fix: "Keep script.qvs in the app folder (unbuild writes it); an app without a load script still has an empty one.",
  },
  check: (ctx) => ctx.fileProblems.filter((p) => p.rule === "file-missing").map((p) => p.finding),
};
