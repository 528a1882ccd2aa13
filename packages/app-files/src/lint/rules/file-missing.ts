import type { LintRule } from "./rule.ts";

export const fileMissing: LintRule = {
  id: "file-missing",
  defaultSeverity: "error",
  description: "Required files (script.qvs) must exist.",
  check: (ctx) => ctx.fileProblems.filter((p) => p.rule === "file-missing").map((p) => p.finding),
};
