/**
 * The tenant inventory's JSON schema. The same object is committed as
 * `schemas/tenant-inventory.schema.json` (a test keeps the two identical) so editors can validate and
 * autocomplete the YAML.
 */
const nonEmpty = { type: "string", minLength: 1 } as const;
const envName = {
  type: "string",
  pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
  description: "Name of an environment variable (a GitHub secret passed to the step) that holds the value.",
} as const;
const credentialName = { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]*$" } as const;

/** Exactly one of { env: NAME } or { secret: NAME }: the inventory never holds a value itself. */
const envReference = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: { env: envName, secret: envName },
} as const;

const valueRef = {
  ...envReference,
  description: "A value read from the environment at deploy time: { env: NAME } or { secret: NAME }.",
} as const;

const credentialRef = {
  ...envReference,
  description: "Credentials are references only: { env: NAME } or { secret: NAME }.",
} as const;

const parameters = {
  type: "object",
  additionalProperties: false,
  description:
    "Deploy parameters: variable overrides and connection remapping (same format as a parameters file).",
  properties: {
    variables: {
      type: "object",
      description: "Variable name → value (a string, or { env: NAME }).",
      additionalProperties: {
        anyOf: [
          { type: "string" },
          { type: "number" },
          { type: "boolean" },
          { type: "object", additionalProperties: false, required: ["env"], properties: { env: envName } },
        ],
      },
    },
    connections: {
      type: "object",
      description: "Connection name (as in connections.yml) → its settings in this tenant.",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        properties: {
          connectionString: { anyOf: [{ type: "string" }, valueRef] },
          type: { type: "string" },
          username: credentialRef,
          password: credentialRef,
        },
      },
    },
  },
} as const;

/** How a tenant is reached: names of environment variables only, never values. */
const credentialSpec = {
  type: "object",
  additionalProperties: false,
  description:
    "Either { apiKeyEnv }, or { clientIdEnv, clientSecretEnv } (OAuth client credentials), or { ref: <name> } pointing at a shared entry under the top-level 'credentials'.",
  properties: {
    apiKeyEnv: { ...envName, description: "Environment variable holding the tenant's API key." },
    clientIdEnv: { ...envName, description: "Environment variable holding the OAuth client id." },
    clientSecretEnv: { ...envName, description: "Environment variable holding the OAuth client secret." },
    ref: { ...credentialName, description: "Name of a shared entry under the top-level 'credentials'." },
  },
  oneOf: [
    { required: ["apiKeyEnv"], not: { anyOf: [{ required: ["clientIdEnv"] }, { required: ["ref"] }] } },
    {
      required: ["clientIdEnv", "clientSecretEnv"],
      not: { anyOf: [{ required: ["apiKeyEnv"] }, { required: ["ref"] }] },
    },
    {
      required: ["ref"],
      not: {
        anyOf: [
          { required: ["apiKeyEnv"] },
          { required: ["clientIdEnv"] },
          { required: ["clientSecretEnv"] },
        ],
      },
    },
  ],
} as const;

const sharedCredential = {
  type: "object",
  additionalProperties: false,
  description: "A credential many tenants share, e.g. a regional OAuth client.",
  properties: {
    apiKeyEnv: envName,
    clientIdEnv: envName,
    clientSecretEnv: envName,
  },
  oneOf: [
    { required: ["apiKeyEnv"], not: { required: ["clientIdEnv"] } },
    { required: ["clientIdEnv", "clientSecretEnv"], not: { required: ["apiKeyEnv"] } },
  ],
} as const;

const label = { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.:/-]*$" } as const;

export const tenantInventorySchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://github.com/qlik-cicd/schemas/tenant-inventory.schema.json",
  title: "Qlik Cloud tenant inventory",
  description:
    "The customer tenants an app is rolled out to (rollout-canary): where they are, how they are labelled, which credentials (by environment variable name) reach them and which deploy parameters they get.",
  type: "object",
  additionalProperties: false,
  required: ["tenants"],
  properties: {
    version: { const: 1, description: "Inventory format version." },
    credentials: {
      type: "object",
      description: "Shared credentials by name, referenced from tenants as credentials: { ref: <name> }.",
      propertyNames: credentialName,
      additionalProperties: sharedCredential,
    },
    defaults: {
      type: "object",
      additionalProperties: false,
      description: "Applied to every tenant that does not set its own.",
      properties: {
        credentials: credentialSpec,
        parameters,
        labels: { type: "array", items: label, uniqueItems: true },
      },
    },
    tenants: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "url"],
        properties: {
          name: {
            type: "string",
            pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]*$",
            maxLength: 100,
            description: "Unique name of the tenant (the customer), used in reports and state.",
          },
          url: { ...nonEmpty, description: "Tenant address, e.g. https://acme.eu.qlikcloud.com." },
          region: { ...nonEmpty, description: "Region, e.g. eu, us (also usable as a label)." },
          labels: {
            type: "array",
            items: label,
            uniqueItems: true,
            description: "Labels for canary and wave selectors, e.g. canary, wave-1, eu.",
          },
          credentials: credentialSpec,
          parameters,
        },
      },
    },
  },
} as const;
