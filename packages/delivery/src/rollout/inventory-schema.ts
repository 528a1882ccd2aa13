/**
 * The tenant inventory's JSON schema. The same object is committed as
 * `schemas/tenant-inventory.schema.json` (a test keeps the two identical) so editors can validate and
 * autocomplete the YAML.
 */
import { SCHEMA_KEY_SCHEMA } from "@qlik-cicd/common";
import { envNameSchema, environmentParametersSchema } from "../deploy/parameters-schema.ts";

const nonEmpty = { type: "string", minLength: 1 } as const;
const credentialName = {
  type: "string",
  pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]*$",
  errorMessage: "must be a name of letters, digits, _, . and - (starting with a letter or digit)",
} as const;

const parameters = {
  ...environmentParametersSchema,
  description:
    "Deploy parameters for this tenant: variable overrides and connection remapping (the format of one environment of a parameters file).",
} as const;

/**
 * A tenant's address as the client accepts it: https:// (or http:// for a simulator), a host name or an
 * IPv4 address (a name whose last label is a number is not a host name), an optional port, nothing else.
 */
const label = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
const lastLabel = "[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
const octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
const port = "(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";
const TENANT_URL_PATTERN = `^(?:https?://)?(?:(?:${label}\\.)*${lastLabel}|${octet}(?:\\.${octet}){3})(?::${port})?/?$`;

/** How a tenant is reached: names of environment variables only, never values. */
const credentialSpec = {
  type: "object",
  additionalProperties: false,
  description:
    "Either { apiKeyEnv }, or { clientIdEnv, clientSecretEnv } (OAuth client credentials), or { ref: <name> } pointing at a shared entry under the top-level 'credentials'.",
  errorMessage: "must be exactly one of { apiKeyEnv }, { clientIdEnv, clientSecretEnv } or { ref }",
  properties: {
    apiKeyEnv: { ...envNameSchema, description: "Environment variable holding the tenant's API key." },
    clientIdEnv: { ...envNameSchema, description: "Environment variable holding the OAuth client id." },
    clientSecretEnv: {
      ...envNameSchema,
      description: "Environment variable holding the OAuth client secret.",
    },
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
  errorMessage: "must be exactly one of { apiKeyEnv } or { clientIdEnv, clientSecretEnv }",
  properties: {
    apiKeyEnv: envNameSchema,
    clientIdEnv: envNameSchema,
    clientSecretEnv: envNameSchema,
  },
  oneOf: [
    { required: ["apiKeyEnv"], not: { required: ["clientIdEnv"] } },
    { required: ["clientIdEnv", "clientSecretEnv"], not: { required: ["apiKeyEnv"] } },
  ],
} as const;

const tenantLabel = {
  type: "string",
  pattern: "^[A-Za-z0-9][A-Za-z0-9_.:/-]*$",
  errorMessage: "must be a label of letters, digits, _, ., :, / and - (starting with a letter or digit)",
} as const;

export const tenantInventorySchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://github.com/qlik-cicd/schemas/tenant-inventory.schema.json",
  title: "Qlik Cloud tenant inventory",
  description:
    "The customer tenants an app is rolled out to (rollout-canary): where they are, how they are labelled, which credentials (by environment variable name) reach them and which deploy parameters they get.",
  type: "object",
  additionalProperties: false,
  required: ["tenants"],
  // A tenant without its own credentials uses defaults.credentials; without those, it must have its own.
  if: { required: ["defaults"], properties: { defaults: { required: ["credentials"] } } },
  else: {
    properties: {
      tenants: {
        items: {
          required: ["credentials"],
          errorMessage: "is required: there is no 'defaults.credentials' to fall back on",
        },
      },
    },
  },
  properties: {
    $schema: SCHEMA_KEY_SCHEMA,
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
        labels: { type: "array", items: tenantLabel, uniqueItems: true },
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
            description:
              "Unique name of the tenant (the customer), used in reports and state; names differing only in case are the same.",
            errorMessage:
              "must be a name of at most 100 letters, digits, _, . and - (starting with a letter or digit)",
          },
          url: {
            type: "string",
            pattern: TENANT_URL_PATTERN,
            description: "Tenant address, e.g. https://acme.eu.qlikcloud.com (each tenant its own).",
            errorMessage:
              "must be the tenant's address, e.g. https://acme.eu.qlikcloud.com (http:// only for a local simulator; no path, query or credentials)",
          },
          region: { ...nonEmpty, description: "Region, e.g. eu, us (also usable as a label)." },
          labels: {
            type: "array",
            items: tenantLabel,
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
