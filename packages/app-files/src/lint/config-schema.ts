/**
 * The `.qlik-lint.yml` JSON schema, built from the rule definitions (ids, default severities and what each
 * rule catches) and published as `schemas/qlik-lint.schema.json` (a test keeps the two identical), so
 * editors complete rule ids and show what each one checks.
 */
import { SCHEMA_KEY_SCHEMA } from "@qlik-cicd/common";
import { RULES } from "./rules/index.ts";

/** A rule's setting. `false` is what a YAML 1.1 reader makes of a bare `off`, so it means off too. */
const setting = {
  enum: ["error", "warning", "notice", "off", false],
  errorMessage: "must be one of error, warning, notice or off",
} as const;

const names = (description: string) =>
  ({
    type: ["array", "null"],
    description,
    items: { type: "string", pattern: "\\S", errorMessage: "must be a name (text, not empty)" },
  }) as const;

export const lintConfigSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://github.com/qlik-cicd/schemas/qlik-lint.schema.json",
  title: "Qlik app lint configuration (.qlik-lint.yml)",
  description:
    "Settings of the app linter (validate-app): rule severities and what the rules may assume. Looked up in the app folder, then in each parent up to the repository root. docs/lint-rules.md describes every rule.",
  type: ["object", "null"],
  additionalProperties: false,
  properties: {
    $schema: SCHEMA_KEY_SCHEMA,
    rules: {
      type: ["object", "null"],
      description: "Rule id → error, warning, notice or off. Rules not listed keep their default severity.",
      propertyNames: {
        enum: RULES.map((r) => r.id),
        errorMessage: "is not a lint rule (docs/lint-rules.md lists them)",
      },
      properties: Object.fromEntries(
        RULES.map((r) => [
          r.id,
          { ...setting, description: `${r.description} Default: ${r.defaultSeverity}.` },
        ]),
      ),
    },
    allowedStoreConnections: names(
      "Connections a STORE … INTO lib://<name>/… may write to. Default: every connection in connections.yml plus the built-in ones.",
    ),
    builtinConnections: names(
      "Connections that exist without being declared in connections.yml. Default: [DataFiles].",
    ),
    knownVariables: names(
      "Variables that exist at run time without being in variables.json or the script (e.g. set by a reload call).",
    ),
  },
} as const;
