/**
 * The parameters file's JSON schema, published as `schemas/parameters.schema.json` (a test keeps the two
 * identical) so editors validate and complete the YAML. Its `environmentParametersSchema` is also what a
 * tenant inventory holds under `parameters`.
 *
 * Credentials are references only: `username` and `password` are `{ secret: NAME }` (or `{ env: NAME }`),
 * and neither a variable nor a connection string may be a secret, since both are visible in the app.
 */
import { SCHEMA_KEY_SCHEMA } from "@qlik-cicd/common";

const ENV_NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$";

/** The name of an environment variable (a GitHub secret or variable passed to the step). */
export const envNameSchema = {
  type: "string",
  pattern: ENV_NAME_PATTERN,
  description: "Name of an environment variable (a GitHub secret passed to the step) that holds the value.",
  errorMessage: "must name an environment variable (letters, digits and _, not starting with a digit)",
} as const;

const envValue = {
  type: "object",
  additionalProperties: false,
  required: ["env"],
  properties: { env: envNameSchema },
} as const;

/** Refuses values matching `condition` with `sentence`; other values must match `otherwise`. */
function refuse<C extends object, O extends object>(condition: C, sentence: string, otherwise: O) {
  return { if: condition, then: { not: {}, errorMessage: sentence }, else: otherwise } as const;
}

const isSecretReference = { type: "object", required: ["secret"] } as const;

const variableValue = {
  description: "The variable's definition: text, a number, true/false, or { env: NAME } read at deploy time.",
  ...refuse(
    isSecretReference,
    "cannot be a secret: variable values are stored in the app, where anyone who can open it reads them",
    {
      anyOf: [{ type: "string" }, { type: "number" }, { type: "boolean" }, envValue],
      errorMessage: "must be text, a number, true/false or { env: NAME }",
    },
  ),
} as const;

const connectionString = {
  description: "The connection string in this environment: text, or { env: NAME } read at deploy time.",
  ...refuse(
    isSecretReference,
    "cannot be a secret: connection strings are visible in the app; put credentials in username and password",
    { anyOf: [{ type: "string" }, envValue], errorMessage: "must be text or { env: NAME }" },
  ),
} as const;

const credential = {
  description: "A credential, by reference only: { secret: NAME } (or { env: NAME }), never the value.",
  ...refuse(
    { type: ["string", "number", "boolean"] },
    "must not be written in the file: use { secret: NAME } and pass the value to the step as a secret",
    {
      type: "object",
      additionalProperties: false,
      properties: { env: envNameSchema, secret: envNameSchema },
      oneOf: [{ required: ["env"] }, { required: ["secret"] }],
      errorMessage: "must be a reference with exactly one key, secret or env (e.g. { secret: DB_PASSWORD })",
    },
  ),
} as const;

/** One environment's overrides: what `defaults`, each `environments.<name>` and an inventory tenant hold. */
export const environmentParametersSchema = {
  type: ["object", "null"],
  additionalProperties: false,
  description:
    "Deploy parameters: variable overrides and connection remapping (the same in a parameters file and a tenant inventory).",
  properties: {
    variables: {
      type: ["object", "null"],
      description: "Variable name (as in variables.json) → its definition in this environment.",
      additionalProperties: variableValue,
    },
    connections: {
      type: ["object", "null"],
      description: "Connection name (as in connections.yml) → its settings in this environment.",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        properties: {
          connectionString,
          type: { type: "string", description: "Connection type, e.g. postgres (default: unchanged)." },
          username: credential,
          password: credential,
        },
      },
    },
  },
} as const;

export const parametersSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://github.com/qlik-cicd/schemas/parameters.schema.json",
  title: "Qlik app deploy parameters",
  description:
    "Per-environment variable overrides and connection remapping applied when an app is deployed (deploy-to-space input parameters). Credentials are references to environment variables, resolved at deploy time.",
  type: ["object", "null"],
  additionalProperties: false,
  properties: {
    $schema: SCHEMA_KEY_SCHEMA,
    defaults: {
      ...environmentParametersSchema,
      description: "Applied to every environment first.",
    },
    environments: {
      type: ["object", "null"],
      description:
        "Environment name (deploy-to-space input environment, default the space) → its parameters.",
      additionalProperties: environmentParametersSchema,
    },
  },
} as const;
