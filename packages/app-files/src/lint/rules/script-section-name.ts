import { scriptFinding } from "./helpers.ts";
import type { LintRule } from "./rule.ts";

export const scriptSectionName: LintRule = {
  id: "script-section-name",
  defaultSeverity: "error",
  description: "Every `///$tab` line names its section.",
  example: {
    files: {
      "script.qvs": "///$tab\nSET vCurrency = 'EUR';\n",
    },
    fix: "Name every section: `///$tab Main`.",
  },
  check(ctx) {
    if (!ctx.script) return [];
    return ctx.script.model.sections
      .filter((s) => s.name === "")
      .map((s) => scriptFinding(ctx, s.markerOffset, "Script section has no name: write `///$tab <Name>`."));
  },
};
