import type { LintContext } from "../context.ts";
import type { RuleFinding, Severity } from "../types.ts";

/** A small unbuilt app that trips a rule: the documentation shows it, and a test lints it. */
export interface RuleExample {
  /** Path in the app folder → content: only the files the example needs. */
  files: Record<string, string>;
  /** What to write instead, in one sentence. */
  fix: string;
}

/** One lint rule: an id teams configure, its default severity, a sentence for docs, and the check. */
export interface LintRule {
  id: string;
  defaultSeverity: Severity;
  description: string;
  /** Settings of `.qlik-lint.yml` (besides `rules`) that change what this rule accepts. */
  settings?: readonly ("allowedStoreConnections" | "builtinConnections" | "knownVariables")[];
  example: RuleExample;
  check(ctx: LintContext): RuleFinding[];
}
