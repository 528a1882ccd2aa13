import type { LintContext } from "../context.ts";
import type { RuleFinding, Severity } from "../types.ts";

/** One lint rule: an id teams configure, its default severity, a sentence for docs, and the check. */
export interface LintRule {
  id: string;
  defaultSeverity: Severity;
  description: string;
  check(ctx: LintContext): RuleFinding[];
}
