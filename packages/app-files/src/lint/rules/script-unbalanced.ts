import { scriptFinding } from "./helpers.ts";
import type { LintRule } from "./rule.ts";

export const scriptUnbalanced: LintRule = {
  id: "script-unbalanced",
  defaultSeverity: "error",
  description:
    "Parentheses, brackets, quotes and /* */ comments are closed within their script section; reported where they open.",
  example: {
    files: {
      "script.qvs": "///$tab Main\nTotals:\nLOAD Sum(Amount AS Total\nRESIDENT Sales\nGROUP BY Region;\n",
    },
    fix: "Close the parenthesis: `Sum(Amount) AS Total`.",
  },
  check(ctx) {
    if (!ctx.script) return [];
    return ctx.script.model.balance.map((b) => scriptFinding(ctx, b.offset, b.message, b.endOffset));
  },
};
