export type {
  Finding,
  LintConfig,
  LintOptions,
  LintResult,
  Position,
  RuleFinding,
  RuleSetting,
  Severity,
} from "./types.ts";
export { lintAppTree, compareFindings, toLintResult } from "./lint.ts";
export {
  loadLintConfig,
  findLintConfig,
  parseLintConfig,
  validateLintConfig,
  LINT_CONFIG_FILE,
} from "./config.ts";
export { lintConfigSchema } from "./config-schema.ts";
export { renderLintMarkdown } from "./format.ts";
export type { LintMarkdownOptions } from "./format.ts";
export { RULES as LINT_RULES } from "./rules/index.ts";
export type { LintRule } from "./rules/index.ts";
export { LocatedJson, JsonSyntaxError, parseJsonNodes } from "./json-locate.ts";
export type { JsonPath, JsonNode } from "./json-locate.ts";
export { analyzeScript, splitSections } from "./script.ts";
export type { ScriptModel, ScriptSection } from "./script.ts";
