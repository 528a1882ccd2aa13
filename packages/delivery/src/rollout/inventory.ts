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
import { stringify } from "yaml";
import {
  ConfigDocument,
  ConfigError,
  compactString,
  displayPath,
  secrets,
  sharedCopies,
  unsetVariableSentence,
  validateConfig,
  type ConfigFormat,
  type ConfigPath,
  type ConfigProblem,
  type ShareCopies,
} from "@qlik-cicd/common";
import { normaliseTenantUrl } from "@qlik-cicd/qlik-client";
import {
  environmentParameters,
  resolveParameters,
  unsetReferences,
  type ParametersFile,
  type RawEnvironmentParameters,
} from "../deploy/parameters.ts";
import { tenantInventorySchema } from "./inventory-schema.ts";
import type { InventoryTenant, TenantConnection, TenantInventory } from "./types.ts";

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
  parameters?: RawEnvironmentParameters | null;
}

/** An inventory as its schema accepts it. */
interface RawInventory {
  credentials?: Record<string, RawCredential>;
  defaults?: { credentials?: RawCredential; parameters?: RawEnvironmentParameters | null; labels?: string[] };
  tenants: RawTenant[];
}

const INVENTORY_FORMAT: ConfigFormat = {
  label: "Tenant inventory",
  schema: tenantInventorySchema,
  schemaFile: "schemas/tenant-inventory.schema.json",
  subject(path, value) {
    if (path[0] !== "tenants" || typeof path[1] !== "number" || path.length < 3) return undefined;
    const name = (value as Partial<RawInventory> | null)?.tenants?.[path[1]]?.name;
    return typeof name === "string" && name ? `tenant '${name}'` : undefined;
  },
};

/**
 * What the schema cannot say: tenant names unique regardless of case, each url once, a `ref` that names a
 * shared credential.
 */
function crossFieldProblems(doc: ConfigDocument, raw: RawInventory): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = new Map<string, number>();
  const urls = new Map<string, number>();
  raw.tenants.forEach((t, i) => {
    const before = names.get(t.name.toLowerCase());
    if (before === undefined) names.set(t.name.toLowerCase(), i);
    else
      problems.push(
        doc.problem(
          ["tenants", i, "name"],
          `repeats the name of tenants[${before}]; tenant names must be unique`,
        ),
      );
    const origin = normaliseTenantUrl(t.url, formatUrlField(i)).origin;
    const same = urls.get(origin);
    if (same === undefined) urls.set(origin, i);
    else {
      problems.push(
        doc.problem(
          ["tenants", i, "url"],
          `is the address of tenant '${raw.tenants[same].name}' (tenants[${same}]) too; each tenant has its own`,
        ),
      );
    }
  });
  const shared = Object.keys(raw.credentials ?? {});
  const refs: [ConfigPath, RawCredential | undefined][] = [
    [["defaults", "credentials"], raw.defaults?.credentials],
    ...raw.tenants.map((t, i): [ConfigPath, RawCredential | undefined] => [
      ["tenants", i, "credentials"],
      t.credentials,
    ]),
  ];
  for (const [path, spec] of refs) {
    if (spec?.ref !== undefined && !shared.includes(spec.ref)) {
      const known = shared.length ? ` (it defines ${shared.map((k) => `'${k}'`).join(", ")})` : "";
      problems.push(
        doc.problem(
          [...path, "ref"],
          `names '${spec.ref}', which is not defined under the top-level 'credentials'${known}`,
        ),
      );
    }
  }
  return problems;
}

const formatUrlField = (i: number) => `tenants[${i}].url`;

/** The tenant's labels and the default ones, sorted; tenants with the same labels share one frozen array. */
function labelsOf(raw: RawInventory, t: RawTenant, share: ShareCopies<readonly string[]>): readonly string[] {
  const labels = [...new Set([...(raw.defaults?.labels ?? []), ...(t.labels ?? [])])].sort();
  return share(labels.join("\n"), Object.freeze(labels));
}

/** Where a tenant's credentials come from: its own, or the defaults; a `ref` resolved to the shared entry. */
function credentialsOf(raw: RawInventory, i: number): { at: ConfigPath; spec: RawCredential; ref?: string } {
  const own = raw.tenants[i].credentials;
  // The schema requires defaults.credentials for a tenant without its own.
  const at: ConfigPath = own ? ["tenants", i, "credentials"] : ["defaults", "credentials"];
  const spec = (own ?? raw.defaults?.credentials) as RawCredential;
  if (spec.ref === undefined) return { at, spec };
  return { at: ["credentials", spec.ref], spec: raw.credentials![spec.ref], ref: spec.ref };
}

/**
 * Parses and checks an inventory. `env` is where credential and parameter references are looked up
 * (default `process.env`); every referenced secret is registered. Throws one ConfigError listing every
 * problem, each naming the tenant, the path and the line in the user's file.
 */
export function parseInventory(text: string, file: string, env: Env = process.env): TenantInventory {
  const doc = ConfigDocument.parse(INVENTORY_FORMAT, text, file);
  const raw = validateConfig<RawInventory>(doc);
  doc.check(crossFieldProblems(doc, raw));

  // Every environment variable the inventory names must be set now, before any tenant is touched.
  const unset = new Map<string, { path: ConfigPath; variable: string; tenants: string[] }>();
  const defaultParameters = raw.defaults?.parameters
    ? environmentParameters(raw.defaults.parameters)
    : undefined;
  const problems: ConfigProblem[] = [];
  const withParameters: ParametersFile[] = [];
  // Tenants share one copy of a region and of a set of labels: the inventory is held for the whole
  // rollout, and the parser gives every occurrence its own.
  const sharedRegion = sharedCopies<string>();
  const sharedLabels = sharedCopies<readonly string[]>();
  const tenants: InventoryTenant[] = raw.tenants.map((t, i) => {
    const { at, spec, ref } = credentialsOf(raw, i);
    const variables: [string, string][] = spec.apiKeyEnv
      ? [["apiKeyEnv", spec.apiKeyEnv]]
      : [
          ["clientIdEnv", spec.clientIdEnv as string],
          ["clientSecretEnv", spec.clientSecretEnv as string],
        ];
    for (const [key, variable] of variables) {
      if (env[variable] !== undefined && env[variable]!.trim() !== "") continue;
      const path = [...at, key];
      const entry = unset.get(path.join("/")) ?? { path, variable, tenants: [] };
      entry.tenants.push(t.name);
      unset.set(path.join("/"), entry);
    }
    const tenant: InventoryTenant = {
      name: t.name,
      url: compactString(normaliseTenantUrl(t.url, formatUrlField(i)).origin),
      ...(t.region ? { region: sharedRegion(t.region, t.region) } : {}),
      labels: labelsOf(raw, t, sharedLabels),
      credentials: spec.apiKeyEnv
        ? { apiKeyEnv: spec.apiKeyEnv }
        : { clientIdEnv: spec.clientIdEnv as string, clientSecretEnv: spec.clientSecretEnv as string },
      ...(ref ? { credentialRef: ref } : {}),
    };
    if (t.parameters) tenant.parameters = environmentParameters(t.parameters);
    if (tenant.parameters || defaultParameters) {
      const params: ParametersFile = {
        file,
        defaults: defaultParameters ?? { variables: {}, connections: {} },
        environments: tenant.parameters ? { [t.name]: tenant.parameters } : {},
        source: {
          document: doc,
          defaults: ["defaults", "parameters"],
          environments: { [t.name]: ["tenants", i, "parameters"] },
        },
      };
      problems.push(...unsetReferences(params, t.name, env));
      withParameters.push(params);
    }
    return tenant;
  });
  for (const { path, variable, tenants: users } of unset.values()) {
    // A tenant's own credentials name the tenant already; shared ones say who needs them.
    const who = path[0] === "tenants" ? undefined : users.map((u) => `tenant '${u}'`).join(", ");
    problems.push(doc.problem(path, unsetVariableSentence(variable, who)));
  }
  doc.check(problems);
  // Registers every secret the inventory references.
  for (const tenant of tenants) resolveConnection(tenant, env);
  for (const params of withParameters)
    resolveParameters(params, Object.keys(params.environments)[0] ?? "", env);
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
  return parseInventory(text, displayPath(path), env);
}

/**
 * Client options for one tenant of an estate: a tenant's steps send their requests one after another,
 * so one connection carries them all. With a cap of one, undici gives the tenant a single client
 * instead of a pool, whose request queue alone (16 kB) would be allocated again for every tenant.
 */
export const TENANT_CONNECTIONS = { maxConnectionsPerOrigin: 1 } as const;

/** The tenant's connection from the environment; secrets are registered before they are returned. */
export function resolveConnection(tenant: InventoryTenant, env: Env = process.env): TenantConnection {
  const c = tenant.credentials;
  if ("apiKeyEnv" in c) {
    const apiKey = env[c.apiKeyEnv]?.trim();
    // Registered by name: an estate's thousand keys stay in the environment, not copied into the heap.
    secrets.register(apiKey, { env, name: c.apiKeyEnv });
    if (!apiKey) {
      throw new ConfigError(`Tenant '${tenant.name}': environment variable '${c.apiKeyEnv}' is not set.`, {
        field: `${tenant.name}.credentials.apiKeyEnv`,
      });
    }
    return { tenantUrl: tenant.url, apiKey };
  }
  const clientId = env[c.clientIdEnv]?.trim();
  const clientSecret = env[c.clientSecretEnv]?.trim();
  secrets.register(clientSecret, { env, name: c.clientSecretEnv });
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
