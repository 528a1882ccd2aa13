import { SWITCH_VARIABLES } from "@qlik-cicd/qlik-facts";
import { scriptFinding } from "./helpers.ts";
import type { Assignment } from "../script.ts";
import type { LintRule } from "./rule.ts";
import type { RuleFinding } from "../types.ts";

/** Qlik's switch variables (ErrorMode, Verbatim, …) take effect from where they are set: set again and again. */
const TOGGLED = new Set<string>(SWITCH_VARIABLES.map((n) => n.toLowerCase()));

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function refersTo(rhs: string, name: string): boolean {
  if (!rhs.includes(name)) return false;
  return new RegExp(`(^|[^\\p{L}\\p{N}_.#@])${escapeRe(name)}($|[^\\p{L}\\p{N}_.#@])`, "u").test(rhs);
}

const isReset = (rhs: string): boolean => /^\s*(null\s*\(\s*\)\s*)?$/i.test(rhs);

export const scriptVariableRedefined: LintRule = {
  id: "script-variable-redefined",
  defaultSeverity: "notice",
  description:
    "A top-level SET/LET does not silently overwrite an earlier top-level value of the same variable (self-updates and resets are fine).",
  example: {
    files: {
      "script.qvs": "///$tab Main\nSET vCurrency = 'EUR';\nSET vCurrency = 'USD';\n",
    },
    fix: "Set the variable once, or give the second value its own name.",
  },
  check(ctx) {
    if (!ctx.script) return [];
    const { model } = ctx.script;
    const first = new Map<string, Assignment>();
    const out: RuleFinding[] = [];
    for (const a of model.assignments) {
      if (a.depth > 0 || TOGGLED.has(a.name.toLowerCase())) continue;
      const earlier = first.get(a.name);
      if (!earlier) {
        if (!isReset(a.rhs)) first.set(a.name, a);
        continue;
      }
      if (isReset(a.rhs) || refersTo(a.rhs, a.name)) continue;
      const line = model.lines.position(earlier.nameToken.start).line;
      out.push(
        scriptFinding(
          ctx,
          a.nameToken.start,
          `${a.keyword} ${a.name} overwrites the value set on line ${line} without using it; remove one or rename.`,
        ),
      );
    }
    return out;
  },
};
