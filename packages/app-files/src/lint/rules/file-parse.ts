import type { LintRule } from "./rule.ts";

export const fileParse: LintRule = {
  id: "file-parse",
  defaultSeverity: "error",
  description:
    "JSON and YAML files must parse and have the expected top-level shape; reports the exact line and column.",
  check: (ctx) => ctx.fileProblems.filter((p) => p.rule === "file-parse").map((p) => p.finding),
};
