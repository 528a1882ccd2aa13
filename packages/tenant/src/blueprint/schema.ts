/**
 * The tenant blueprint's JSON schema. The same object is committed as
 * `schemas/tenant-blueprint.schema.json` (a test keeps the two identical) so editors can validate YAML.
 */
import { SCHEMA_KEY_SCHEMA } from "@qlik-cicd/common";
import {
  TENANT_SETTING_NAMES,
  WEBHOOK_SECRET_MAX_LENGTH,
  WEBHOOK_SECRET_MIN_LENGTH,
} from "@qlik-cicd/qlik-facts";

const roleName = { type: "string", minLength: 1, maxLength: 100 } as const;
const nonEmpty = { type: "string", minLength: 1 } as const;
const envName = {
  type: "string",
  pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
  description: "Name of an environment variable that holds the value (a secret reference, never the value).",
  errorMessage: "must name an environment variable (letters, digits and _, not starting with a digit)",
} as const;
const webAddress = {
  type: "string",
  pattern: "^https?://",
  errorMessage: "must be a web address starting with https:// (or http://)",
} as const;
const stringList = { type: "array", items: nonEmpty, uniqueItems: true } as const;

const reloadSchedule = {
  type: "object",
  additionalProperties: false,
  required: ["recurrence"],
  description:
    "Scheduled reload of the app (a Qlik Cloud reload task), created or updated after the app is deployed.",
  properties: {
    recurrence: {
      type: "array",
      minItems: 1,
      uniqueItems: true,
      description: "RFC 5545 RECUR lines, e.g. RRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=0.",
      items: {
        type: "string",
        pattern:
          "^RRULE:([A-Z]+=[^;=]+;)*FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(;[A-Z]+=[^;=]+)*$",
        errorMessage:
          "does not have the expected form: an RRULE line with a FREQ, e.g. RRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=0",
      },
    },
    timeZone: { ...nonEmpty, description: "IANA time zone name, e.g. Europe/Zurich (default UTC)." },
    startDateTime: {
      type: "string",
      pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$",
      errorMessage: "must be a local date and time without offset, e.g. 2026-01-01T02:00:00",
      description:
        "First run, local to timeZone (no offset), e.g. 2026-01-01T02:00:00. Default: the day the task is created.",
    },
    partial: { type: "boolean", description: "Partial reload (default false)." },
    enabled: {
      type: "boolean",
      description: "Default true: a task disabled on the tenant is enabled again.",
    },
  },
} as const;

/** The tenant settings a blueprint may set (Qlik's list, in @qlik-cicd/qlik-facts). */
export const TENANT_SETTINGS = TENANT_SETTING_NAMES;

export const blueprintSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://github.com/qlik-cicd/schemas/tenant-blueprint.schema.json",
  title: "Qlik Cloud tenant blueprint",
  description:
    "Declarative configuration of one Qlik Cloud tenant, applied idempotently by configure-tenant (apply, plan, drift).",
  type: "object",
  additionalProperties: false,
  required: ["version"],
  properties: {
    $schema: SCHEMA_KEY_SCHEMA,
    version: { const: 1, description: "Blueprint format version." },
    tenant: {
      type: "object",
      additionalProperties: false,
      properties: {
        name: { ...nonEmpty, description: "Display name of the tenant." },
        settings: {
          type: "object",
          additionalProperties: false,
          properties: Object.fromEntries(TENANT_SETTINGS.map((s) => [s, { type: "boolean" }])),
        },
      },
    },
    identityProvider: {
      type: "object",
      required: ["protocol", "description"],
      properties: {
        protocol: { enum: ["jwtAuth", "OIDC"] },
        description: { ...nonEmpty, description: "Identifies the identity provider on the tenant." },
      },
      allOf: [
        {
          if: { required: ["protocol"], properties: { protocol: { const: "jwtAuth" } } },
          then: {
            additionalProperties: false,
            required: ["issuer", "keys"],
            properties: {
              protocol: true,
              description: true,
              issuer: nonEmpty,
              keys: {
                type: "array",
                minItems: 1,
                items: {
                  type: "object",
                  additionalProperties: false,
                  required: ["kid", "pem"],
                  properties: {
                    kid: nonEmpty,
                    pem: {
                      type: "string",
                      pattern: "-----BEGIN ",
                      errorMessage: "must be a PEM-encoded public key (-----BEGIN PUBLIC KEY----- …)",
                    },
                  },
                },
              },
            },
          },
        },
        {
          if: { required: ["protocol"], properties: { protocol: { const: "OIDC" } } },
          then: {
            additionalProperties: false,
            required: ["provider", "discoveryUrl", "clientId", "clientSecretEnv"],
            properties: {
              protocol: true,
              description: true,
              provider: { enum: ["auth0", "okta", "generic", "salesforce", "keycloak", "adfs", "azureAD"] },
              discoveryUrl: webAddress,
              clientId: nonEmpty,
              clientSecretEnv: envName,
              claimsMapping: {
                type: "object",
                additionalProperties: {
                  anyOf: [nonEmpty, stringList],
                  errorMessage: "must be a claim name or a list of claim names",
                },
              },
            },
          },
        },
      ],
    },
    serviceAccounts: {
      ...stringList,
      description:
        "Subjects of service accounts and bots. Every other user holding an admin role is reported as an interactive admin.",
    },
    users: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["subject"],
        properties: {
          subject: nonEmpty,
          name: nonEmpty,
          email: {
            type: "string",
            pattern: "^[^@\\s]+@[^@\\s]+$",
            errorMessage: "must be an email address",
          },
          roles: { type: "array", items: roleName, uniqueItems: true },
        },
      },
    },
    pruneUsers: {
      type: "boolean",
      description: "Delete users not listed (never the caller). The action input prune-users overrides it.",
    },
    spaces: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "type"],
        properties: {
          name: nonEmpty,
          type: { enum: ["shared", "managed", "data"] },
          description: { type: "string" },
          members: {
            type: "array",
            items: {
              type: "object",
              additionalProperties: false,
              required: ["roles"],
              properties: {
                user: { ...nonEmpty, description: "The user's subject." },
                group: { ...nonEmpty, description: "The group's name." },
                roles: { type: "array", items: roleName, minItems: 1, uniqueItems: true },
              },
              allOf: [
                {
                  oneOf: [{ required: ["user"] }, { required: ["group"] }],
                  errorMessage: "must name exactly one of 'user' or 'group'",
                },
              ],
            },
          },
        },
      },
    },
    oauthClients: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "appType"],
        // A web client's secret is shown once, when it is created: it must be stored somewhere.
        if: { required: ["appType"], properties: { appType: { const: "web" } } },
        then: {
          required: ["secret"],
          errorMessage:
            "is required for a web client: its secret is shown once and must be stored (githubSecret or exportVariable)",
        },
        properties: {
          name: nonEmpty,
          description: { type: "string" },
          appType: { enum: ["web", "native", "spa"] },
          grantTypes: {
            type: "array",
            uniqueItems: true,
            items: { enum: ["client_credentials", "urn:qlik:oauth:user-impersonation"] },
          },
          scopes: stringList,
          redirectUris: stringList,
          allowedOrigins: stringList,
          secret: {
            type: "object",
            additionalProperties: false,
            description: "Where a newly created client secret goes (it is shown once).",
            properties: {
              githubSecret: {
                type: "object",
                additionalProperties: false,
                required: ["name"],
                properties: {
                  name: {
                    type: "string",
                    pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
                    errorMessage:
                      "must be a GitHub secret name (letters, digits and _, not starting with a digit)",
                  },
                  repository: {
                    type: "string",
                    pattern: "^[^/\\s]+/[^/\\s]+$",
                    errorMessage: "must name a repository as owner/name",
                  },
                  environment: nonEmpty,
                },
              },
              exportVariable: envName,
            },
            minProperties: 1,
          },
        },
      },
    },
    branding: {
      type: "object",
      additionalProperties: false,
      required: ["name"],
      properties: { name: nonEmpty, description: { type: "string" } },
    },
    monitoring: {
      type: "object",
      additionalProperties: false,
      properties: {
        space: { ...nonEmpty, description: "Shared space the monitoring apps go to (default: monitoring)." },
        apps: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["source"],
            properties: { source: nonEmpty, name: nonEmpty, schedule: reloadSchedule },
          },
        },
        failedReloadWebhook: {
          type: "object",
          additionalProperties: false,
          required: ["url"],
          allOf: [
            {
              required: ["secretEnv"],
              errorMessage: "is required so deliveries are signed and can be verified",
            },
          ],
          properties: {
            name: nonEmpty,
            url: webAddress,
            secretEnv: {
              ...envName,
              description: `Name of an environment variable that holds the webhook's signing secret (a secret reference, never the value). Qlik takes secrets of ${WEBHOOK_SECRET_MIN_LENGTH} to ${WEBHOOK_SECRET_MAX_LENGTH} characters.`,
            },
          },
        },
      },
    },
    content: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["source", "space"],
        properties: { source: nonEmpty, space: nonEmpty, name: nonEmpty },
      },
    },
  },
} as const;
