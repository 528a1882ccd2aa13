import { scriptFinding } from "./helpers.ts";
import type { LintRule } from "./rule.ts";

export const scriptSectionDuplicate: LintRule = {
  id: "script-section-duplicate",
  defaultSeverity: "warning",
  description:
    "Script section names are unique (compared without case), so diffs and reviews stay unambiguous.",
  example: {
    files: {
      "script.qvs": "///$tab Main\nSET vCurrency = 'EUR';\n///$tab main\nSET vRegion = 'EU';\n",
    },
    fix: "Give each section its own name, or merge the two sections.",
  },
  check(ctx) {
    if (!ctx.script) return [];
    const { model } = ctx.script;
    const seen = new Map<string, number>();
    const out = [];
    for (const s of model.sections) {
      if (!s.name) continue;
      const key = s.name.toLowerCase();
      const first = seen.get(key);
      if (first === undefined) seen.set(key, s.markerOffset);
      else {
        const line = model.lines.position(first).line;
        out.push(
          scriptFinding(
            ctx,
            s.markerOffset,
            `Script section "${s.name}" has the same name as the section on line ${line}.`,
          ),
        );
      }
    }
    return out;
  },
};
