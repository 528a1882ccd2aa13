/**
 * Tenant inventory: the customer tenants of a rollout, read from YAML and checked completely (schema,
 * unique names, credentials present in the environment, parameter references) before any tenant is
 * touched. Credentials are only names of environment variables, per tenant or shared by reference.
 *
 * ```yaml
 * credentials:
 *   eu-oauth: { clientIdEnv: QLIK_EU_CLIENT_ID, clientSecretEnv: QLIK_EU_CLIENT_SECRET }
 * defaults:
 *   credentials: { ref: eu-oauth }
 * tenants:
 *   - name: acme
 *     url: https://acme.eu.qlikcloud.com
 *     region: eu
 *     labels: [canary]
 *     parameters:
 *       variables: { vCustomer: ACME }
 *   - name: globex
 *     url: https://globex.us.qlikcloud.com
 *     region: us
 *     labels: [wave-1]
 *     credentials: { apiKeyEnv: QLIK_GLOBEX_API_KEY }
 * ```
 */
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject } from "ajv";
import { parse, stringify } from "yaml";
import { ConfigError, lazy, moreProblems, secrets, yamlProblem } from "@qlik-cicd/common";
import { normaliseTenantUrl } from "@qlik-cicd/qlik-client";
import { parseParameters, resolveParameters, type EnvironmentParameters } from "../deploy/parameters.ts";
import { tenantInventorySchema } from "./inventory-schema.ts";
import type { InventoryTenant, TenantConnection, TenantInventory } from "./types.ts";

/** Compiled on first use, not when the module loads: most importers never read an inventory. */
const schemaValidator = lazy(() =>
  new Ajv({ allErrors: true, strict: false }).compile(tenantInventorySchema),
);

type Env = Record<string, string | undefined>;

interface RawCredential {
  apiKeyEnv?: string;
  clientIdEnv?: string;
  clientSecretEnv?: string;
  ref?: string;
}

interface RawTenant {
  name: string;
  url: string;
  region?: string;
  labels?: string[];
  credentials?: RawCredential;
  parameters?: { variables?: Record<string, unknown>; connections?: Record<string, unknown> };
}

interface RawInventory {
  credentials?: Record<string, RawCredential>;
  defaults?: { credentials?: RawCredential; parameters?: RawTenant["parameters"]; labels?: string[] };
  tenants: RawTenant[];
}

const HINT = "See schemas/tenant-inventory.schema.json for the inventory format.";

/** `/tenants/3/credentials` → where, naming the tenant when the path is inside one. */
function describePath(doc: unknown, instancePath: string): { where: string; field: string } {
  const parts = instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (parts[0] === "tenants" && parts.length >= 2 && /^\d+$/.test(parts[1])) {
    const index = Number(parts[1]);
    const name = (doc as RawInventory).tenants?.[index]?.name;
    const rest = parts.slice(2).join(".");
    const who =
      typeof name === "string" && name ? `tenant '${name}' (tenants[${index}])` : `tenants[${index}]`;
    return { where: who, field: rest || "tenants" };
  }
  return { where: "the inventory", field: parts.join(".") || "(top level)" };
}

function schemaSentence(error: ErrorObject): string {
  switch (error.keyword) {
    case "additionalProperty":
    case "additionalProperties":
      return `has an unknown key '${(error.params as { additionalProperty: string }).additionalProperty}'`;
    case "required":
      return `is missing '${(error.params as { missingProperty: string }).missingProperty}'`;
    case "type":
      return `must be ${(error.params as { type: string }).type === "array" ? "a list" : `a ${(error.params as { type: string }).type}`}`;
    case "pattern":
      return `has an invalid value (it must match ${(error.params as { pattern: string }).pattern})`;
    case "uniqueItems":
      return "repeats a value";
    case "minItems":
      return "must not be empty";
    case "const":
      return `must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
    case "oneOf":
    case "not":
      return "must be exactly one of { apiKeyEnv }, { clientIdEnv, clientSecretEnv } or { ref }";
    default:
      return error.message ?? "is invalid";
  }
}

/** Where one schema error is, which field, and what is wrong with it. */
function describeError(doc: unknown, error: ErrorObject): { where: string; field: string; sentence: string } {
  let { where, field } = describePath(doc, error.instancePath);
  let sentence = schemaSentence(error);
  if (error.keyword === "additionalProperties") {
    const key = (error.params as { additionalProperty: string }).additionalProperty;
    field = field === "(top level)" || field === "tenants" ? key : `${field}.${key}`;
    sentence = "is not a known key";
    if (where === "the inventory" && field === key) where = "the top level";
  }
  if (error.keyword === "required") {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    field = field === "(top level)" || field === "tenants" ? missing : `${field}.${missing}`;
    sentence = "is required";
  }
  return { where, field, sentence };
}

function schemaError(file: string, doc: unknown, errors: ErrorObject[]): ConfigError {
  // Errors inside the branches of oneOf/anyOf/not say little on their own; prefer direct ones.
  const direct = errors.filter((e) => !/\/(oneOf|anyOf|not)\//.test(e.schemaPath));
  const rank = (e: ErrorObject) =>
    ["additionalProperties", "required", "type"].indexOf(e.keyword) === -1
      ? 3
      : ["additionalProperties", "required", "type"].indexOf(e.keyword);
  const pool = (direct.length ? direct : errors).slice().sort((a, b) => rank(a) - rank(b));
  const [first, ...rest] = pool.map((e) => describeError(doc, e));
  const more = moreProblems(rest.map((p) => `${p.where}: '${p.field}' ${p.sentence}`));
  const { where, field, sentence } = first;
  return new ConfigError(`Tenant inventory '${file}': ${where}: '${field}' ${sentence}${more}.`, {
    field,
    hint: HINT,
  });
}

function parametersOf(
  file: string,
  label: string,
  defaults: RawTenant["parameters"],
  own: RawTenant["parameters"],
): { defaults: EnvironmentParameters; own?: EnvironmentParameters } {
  const text = stringify({ defaults: defaults ?? {}, environments: own ? { [label]: own } : {} });
  const parsed = parseParameters(text, file);
  return { defaults: parsed.defaults, ...(own ? { own: parsed.environments[label] } : {}) };
}

function checkEnv(file: string, tenant: string, field: string, name: string, env: Env): void {
  const value = env[name];
  if (value === undefined || value.trim() === "") {
    throw new ConfigError(
      `Tenant inventory '${file}': tenant '${tenant}': '${field}' names environment variable '${name}', which is not set. Pass it to the step (e.g. env: ${name}: \${{ secrets.${name} }}).`,
      { field: `${tenant}.${field}` },
    );
  }
}

/**
 * Parses and checks an inventory. `env` is where credential and parameter references are looked up
 * (default `process.env`); every referenced secret is registered. Throws one ConfigError naming the
 * tenant and field at the first problem.
 */
export function parseInventory(text: string, file: string, env: Env = process.env): TenantInventory {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new ConfigError(
      `Tenant inventory '${file}' is not valid YAML: ${yamlProblem(text, error as Error)}.`,
      {
        field: file,
        cause: error,
      },
    );
  }
  const validateSchema = schemaValidator();
  if (!validateSchema(doc)) throw schemaError(file, doc, validateSchema.errors ?? []);
  const raw = doc as RawInventory;

  const seen = new Map<string, number>();
  raw.tenants.forEach((t, i) => {
    const key = t.name.toLowerCase();
    const before = seen.get(key);
    if (before !== undefined) {
      throw new ConfigError(
        `Tenant inventory '${file}': tenant '${t.name}' (tenants[${i}]) repeats the name of tenants[${before}]; tenant names must be unique.`,
        { field: `tenants[${i}].name`, hint: HINT },
      );
    }
    seen.set(key, i);
  });
  const urls = new Map<string, string>();

  const shared = raw.credentials ?? {};
  const defaultsParams = raw.defaults?.parameters;
  let defaultParameters: EnvironmentParameters | undefined;
  if (defaultsParams) defaultParameters = parametersOf(file, "defaults", defaultsParams, undefined).defaults;

  const tenants: InventoryTenant[] = raw.tenants.map((t, i) => {
    const url = normaliseTenantUrl(t.url, `${t.name}.url`).origin;
    const other = urls.get(url);
    if (other) {
      throw new ConfigError(
        `Tenant inventory '${file}': tenant '${t.name}' (tenants[${i}]) has the same url as tenant '${other}'.`,
        { field: `${t.name}.url`, hint: HINT },
      );
    }
    urls.set(url, t.name);
    const spec = t.credentials ?? raw.defaults?.credentials;
    if (!spec) {
      throw new ConfigError(
        `Tenant inventory '${file}': tenant '${t.name}' (tenants[${i}]) has no 'credentials' and there are no defaults.credentials.`,
        { field: `${t.name}.credentials`, hint: HINT },
      );
    }
    const field = t.credentials ? "credentials" : "defaults.credentials";
    let resolved: RawCredential = spec;
    let credentialRef: string | undefined;
    if (spec.ref) {
      credentialRef = spec.ref;
      resolved = shared[spec.ref];
      if (!resolved) {
        const known = Object.keys(shared);
        throw new ConfigError(
          `Tenant inventory '${file}': tenant '${t.name}': '${field}.ref' names '${spec.ref}', which is not defined under the top-level 'credentials'${known.length ? ` (it defines ${known.map((k) => `'${k}'`).join(", ")})` : ""}.`,
          { field: `${t.name}.${field}.ref`, hint: HINT },
        );
      }
    }
    const prefix = credentialRef ? `credentials.${credentialRef}` : field;
    let credentials: InventoryTenant["credentials"];
    if (resolved.apiKeyEnv) {
      checkEnv(file, t.name, `${prefix}.apiKeyEnv`, resolved.apiKeyEnv, env);
      credentials = { apiKeyEnv: resolved.apiKeyEnv };
    } else {
      checkEnv(file, t.name, `${prefix}.clientIdEnv`, resolved.clientIdEnv as string, env);
      checkEnv(file, t.name, `${prefix}.clientSecretEnv`, resolved.clientSecretEnv as string, env);
      credentials = {
        clientIdEnv: resolved.clientIdEnv as string,
        clientSecretEnv: resolved.clientSecretEnv as string,
      };
    }
    const tenant: InventoryTenant = {
      name: t.name,
      url,
      ...(t.region ? { region: t.region } : {}),
      labels: [...new Set([...(raw.defaults?.labels ?? []), ...(t.labels ?? [])])].sort(),
      credentials,
      ...(credentialRef ? { credentialRef } : {}),
    };
    if (t.parameters || defaultsParams) {
      const label = `tenant '${t.name}'`;
      const p = parametersOf(`${file} (${label})`, t.name, defaultsParams, t.parameters);
      if (p.own) tenant.parameters = p.own;
      // Every reference must resolve now, before anything is touched.
      try {
        resolveParameters(
          {
            file: `${file} (${label})`,
            defaults: p.defaults,
            environments: p.own ? { [t.name]: p.own } : {},
          },
          t.name,
          env,
        );
      } catch (error) {
        if (error instanceof ConfigError) {
          throw new ConfigError(`Tenant inventory '${file}': tenant '${t.name}': ${error.message}`, {
            field: `${t.name}.parameters`,
            hint: HINT,
          });
        }
        throw error;
      }
    }
    resolveConnection(tenant, env);
    return tenant;
  });
  tenants.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { file, tenants, ...(defaultParameters ? { defaultParameters } : {}) };
}

export function loadInventory(path: string, env: Env = process.env): TenantInventory {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      `Input 'tenants-file': the tenant inventory '${path}' cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}).`,
      { field: "tenants-file", cause: error },
    );
  }
  return parseInventory(text, path, env);
}

/** The tenant's connection from the environment; secrets are registered before they are returned. */
export function resolveConnection(tenant: InventoryTenant, env: Env = process.env): TenantConnection {
  const c = tenant.credentials;
  if ("apiKeyEnv" in c) {
    const apiKey = env[c.apiKeyEnv]?.trim();
    secrets.register(apiKey);
    if (!apiKey) {
      throw new ConfigError(`Tenant '${tenant.name}': environment variable '${c.apiKeyEnv}' is not set.`, {
        field: `${tenant.name}.credentials.apiKeyEnv`,
      });
    }
    return { tenantUrl: tenant.url, apiKey };
  }
  const clientId = env[c.clientIdEnv]?.trim();
  const clientSecret = env[c.clientSecretEnv]?.trim();
  secrets.register(clientSecret);
  if (!clientId || !clientSecret) {
    const missing = !clientId ? c.clientIdEnv : c.clientSecretEnv;
    throw new ConfigError(`Tenant '${tenant.name}': environment variable '${missing}' is not set.`, {
      field: `${tenant.name}.credentials`,
    });
  }
  return { tenantUrl: tenant.url, clientId, clientSecret };
}

/** The parameters-file YAML the deploy reads for one tenant (environment = tenant name). */
export function tenantParametersYaml(
  inventory: TenantInventory,
  tenant: InventoryTenant,
): string | undefined {
  if (!inventory.defaultParameters && !tenant.parameters) return undefined;
  return stringify({
    defaults: inventory.defaultParameters ?? {},
    environments: tenant.parameters ? { [tenant.name]: tenant.parameters } : {},
  });
}
