// The config files users write are defined by the JSON schemas published in schemas/, and the product
// accepts exactly the documents those schemas accept: checked here on valid and invalid documents of
// every kind, with an Ajv of the test's own reading the committed files (as an editor would). The only
// documents the schema accepts and the product refuses break a rule a schema cannot express (names unique
// regardless of case, a reference to another part of the file, a time zone the runtime knows); each is
// listed as such.
import { describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { parse } from "yaml";
import { parseLintConfig } from "@qlik-cicd/app-files";
import { ConfigError, ConfigFileError } from "@qlik-cicd/common";
import { parseInventory, parseParameters, resolveParameters } from "@qlik-cicd/delivery";
import { parseBlueprint } from "@qlik-cicd/tenant";
import { PUBLISHED_SCHEMAS } from "../../scripts/config-docs.ts";

const root = join(import.meta.dirname, "..", "..");
const published = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(root, file), "utf8")) as Record<string, unknown>;

/** Every environment variable a document names is set (to the same harmless value). */
const everyVariableSet = new Proxy({} as Record<string, string>, { get: () => "config-schemas-test-value" });

interface Case {
  name: string;
  text: string;
  /** valid; refused by the schema (and so by the product); or accepted by the schema, refused by a rule. */
  verdict: "valid" | "schema" | "rule";
  /** For a refusal: the path the first sentence names ("" for the top level). */
  path?: string;
}

interface Kind {
  label: string;
  schemaFile: string;
  file: string;
  /** Throws a ConfigError for a document the product refuses. */
  read(text: string, file: string): void;
  cases: Case[];
}

const tenant = (extra = "") =>
  `tenants:\n  - name: acme\n    url: https://acme.eu.qlikcloud.com\n    credentials: { apiKeyEnv: ACME_KEY }\n${extra}`;
const withParameters = (parameters: string) => tenant(`    parameters:\n${parameters}`);

const KINDS: Kind[] = [
  {
    label: "Tenant inventory",
    schemaFile: "schemas/tenant-inventory.schema.json",
    file: "tenants.yml",
    read: (text, file) => parseInventory(text, file, everyVariableSet),
    cases: [
      { name: "one tenant", verdict: "valid", text: tenant() },
      {
        name: "shared OAuth credentials by reference, defaults, labels, regions",
        verdict: "valid",
        text: `version: 1
credentials:
  eu-oauth: { clientIdEnv: EU_ID, clientSecretEnv: EU_SECRET }
defaults:
  credentials: { ref: eu-oauth }
  labels: [estate]
  parameters:
    variables: { vCurrency: EUR, vTopN: 10, vDebug: false }
tenants:
  - { name: acme, url: acme.eu.qlikcloud.com, region: eu, labels: [canary] }
  - { name: globex, url: "https://globex.eu.qlikcloud.com/", labels: ["wave:2"] }
`,
      },
      {
        name: "JSON, a simulator address with a port, an IPv4 address",
        verdict: "valid",
        text: JSON.stringify({
          tenants: [
            { name: "sim", url: "http://127.0.0.1:8080", credentials: { apiKeyEnv: "SIM_KEY" } },
            { name: "lab", url: "https://10.0.0.7", credentials: { clientIdEnv: "A", clientSecretEnv: "B" } },
          ],
        }),
      },
      {
        name: "parameters with references",
        verdict: "valid",
        text: withParameters(
          "      variables: { vApi: { env: API_BASE } }\n      connections:\n        Sales:\n          connectionString: { env: SALES_CS }\n          type: postgres\n          username: { env: DB_USER }\n          password: { secret: DB_PASS }\n",
        ),
      },
      { name: "empty parameters", verdict: "valid", text: withParameters("      variables:\n") },
      { name: "an empty file", verdict: "schema", text: "", path: "" },
      { name: "no tenants", verdict: "schema", text: "tenants: []\n", path: "tenants" },
      {
        name: "an unknown key",
        verdict: "schema",
        text: tenant("    lables: [canary]\n"),
        path: "tenants[0].lables",
      },
      {
        name: "a connection string as a secret (refused by both, at the user's own path)",
        verdict: "schema",
        text: withParameters(
          "      connections:\n        Sales: { connectionString: { secret: SALES_CS } }\n",
        ),
        path: "tenants[0].parameters.connections.Sales.connectionString",
      },
      {
        name: "a variable as a secret",
        verdict: "schema",
        text: withParameters("      variables: { vKey: { secret: KEY } }\n"),
        path: "tenants[0].parameters.variables.vKey",
      },
      {
        name: "a password written in the file",
        verdict: "schema",
        text: withParameters("      connections:\n        Sales: { password: hunter22 }\n"),
        path: "tenants[0].parameters.connections.Sales.password",
      },
      {
        name: "an API key and an OAuth client at once",
        verdict: "schema",
        text: tenant().replace("{ apiKeyEnv: ACME_KEY }", "{ apiKeyEnv: ACME_KEY, clientIdEnv: ID }"),
        path: "tenants[0].credentials",
      },
      {
        name: "an environment variable name with a dash",
        verdict: "schema",
        text: tenant().replace("ACME_KEY", "ACME-KEY"),
        path: "tenants[0].credentials.apiKeyEnv",
      },
      {
        name: "no credentials and no defaults",
        verdict: "schema",
        text: "tenants:\n  - { name: acme, url: acme.eu.qlikcloud.com }\n",
        path: "tenants[0].credentials",
      },
      {
        name: "a shared credential name that starts with a dash",
        verdict: "schema",
        text: `credentials:\n  "-eu": { apiKeyEnv: K }\n${tenant()}`,
        path: "credentials.-eu",
      },
      ...[
        ["a path", "https://acme.eu.qlikcloud.com/sense/app"],
        ["credentials", "https://admin:pw@acme.eu.qlikcloud.com"],
        ["another scheme", "ftp://acme.eu.qlikcloud.com"],
        ["a numeric last label", "acme.123"],
        ["a port out of range", "http://127.0.0.1:70000"],
        ["a query", "https://acme.eu.qlikcloud.com?x=1"],
        ["spaces", "https://acme eu.qlikcloud.com"],
      ].map(([what, url]): Case => ({
        name: `a tenant url with ${what}`,
        verdict: "schema",
        text: tenant().replace("https://acme.eu.qlikcloud.com", JSON.stringify(url)),
        path: "tenants[0].url",
      })),
      {
        name: "two tenants named alike",
        verdict: "rule",
        text: `${tenant()}  - { name: ACME, url: acme2.eu.qlikcloud.com, credentials: { apiKeyEnv: K2 } }\n`,
        path: "tenants[1].name",
      },
      {
        name: "one tenant url written two ways",
        verdict: "rule",
        text: `${tenant()}  - { name: other, url: "acme.eu.qlikcloud.com/", credentials: { apiKeyEnv: K2 } }\n`,
        path: "tenants[1].url",
      },
      {
        name: "a reference to an undefined shared credential",
        verdict: "rule",
        text: tenant().replace("{ apiKeyEnv: ACME_KEY }", "{ ref: eu-oauth }"),
        path: "tenants[0].credentials.ref",
      },
    ],
  },
  {
    label: "Blueprint",
    schemaFile: "schemas/tenant-blueprint.schema.json",
    file: "tenant.yml",
    read: (text, file) => parseBlueprint(text, file),
    cases: [
      { name: "the least", verdict: "valid", text: "version: 1\n" },
      {
        name: "spaces with members, clients, monitoring",
        verdict: "valid",
        text: `version: 1
spaces:
  - name: reports
    type: shared
    members:
      - { user: "acme|ann", roles: [producer] }
      - { group: Analysts, roles: [consumer] }
oauthClients:
  - { name: cli, appType: native }
  - { name: backend, appType: web, secret: { exportVariable: BACKEND_SECRET } }
monitoring:
  failedReloadWebhook: { url: "https://hooks.example.com/qlik", secretEnv: HOOK_SECRET }
  apps:
    - source: ./apps/monitor
      schedule: { recurrence: ["RRULE:FREQ=DAILY;BYHOUR=2"], timeZone: Europe/Zurich }
`,
      },
      { name: "an empty file", verdict: "schema", text: "", path: "" },
      { name: "a list", verdict: "schema", text: "- version: 1\n", path: "" },
      { name: "version 2", verdict: "schema", text: "version: 2\n", path: "version" },
      { name: "an unknown key", verdict: "schema", text: "version: 1\nspace: []\n", path: "space" },
      {
        name: "an unknown space type",
        verdict: "schema",
        text: "version: 1\nspaces: [{ name: a, type: public }]\n",
        path: "spaces[0].type",
      },
      {
        name: "a member that is a user and a group",
        verdict: "schema",
        text: "version: 1\nspaces: [{ name: a, type: shared, members: [{ user: u, group: g, roles: [r] }] }]\n",
        path: "spaces[0].members[0]",
      },
      {
        name: "a member that is neither",
        verdict: "schema",
        text: "version: 1\nspaces: [{ name: a, type: shared, members: [{ roles: [r] }] }]\n",
        path: "spaces[0].members[0]",
      },
      {
        name: "a web client with nowhere to keep its secret",
        verdict: "schema",
        text: "version: 1\noauthClients: [{ name: backend, appType: web }]\n",
        path: "oauthClients[0].secret",
      },
      {
        name: "an unsigned webhook",
        verdict: "schema",
        text: 'version: 1\nmonitoring: { failedReloadWebhook: { url: "https://hooks.example.com" } }\n',
        path: "monitoring.failedReloadWebhook.secretEnv",
      },
      {
        name: "a claim mapped to a number",
        verdict: "schema",
        text: 'version: 1\nidentityProvider: { protocol: OIDC, description: d, provider: okta, discoveryUrl: "https://x", clientId: c, clientSecretEnv: S, claimsMapping: { sub: 5 } }\n',
        path: "identityProvider.claimsMapping.sub",
      },
      {
        name: "a recurrence without RRULE",
        verdict: "schema",
        text: 'version: 1\nmonitoring: { apps: [{ source: ./m, schedule: { recurrence: ["FREQ=DAILY"] } }] }\n',
        path: "monitoring.apps[0].schedule.recurrence[0]",
      },
      {
        name: "two spaces named alike",
        verdict: "rule",
        text: "version: 1\nspaces: [{ name: Reports, type: shared }, { name: reports, type: managed }]\n",
        path: "spaces[1].name",
      },
      {
        name: "a time zone no one knows",
        verdict: "rule",
        text: 'version: 1\nmonitoring: { apps: [{ source: ./m, schedule: { recurrence: ["RRULE:FREQ=DAILY"], timeZone: Mars/Olympus } }] }\n',
        path: "monitoring.apps[0].schedule.timeZone",
      },
    ],
  },
  {
    label: "Parameters file",
    schemaFile: "schemas/parameters.schema.json",
    file: "parameters.yml",
    read: (text, file) => {
      const params = parseParameters(text, file);
      for (const environment of ["(none)", ...Object.keys(params.environments)]) {
        resolveParameters(params, environment, everyVariableSet);
      }
    },
    cases: [
      { name: "an empty file", verdict: "valid", text: "" },
      { name: "an environment left empty", verdict: "valid", text: "environments:\n  test:\n" },
      {
        name: "every form of value",
        verdict: "valid",
        text: `defaults:
  variables: { vCurrency: EUR, vTopN: 10, vDebug: false, vApi: { env: API_BASE } }
environments:
  production:
    connections:
      Sales:
        connectionString: 'CUSTOM CONNECT TO "provider=postgres;host=db;"'
        type: postgres
        username: { env: DB_USER }
        password: { secret: DB_PASS }
      Lake: { connectionString: { env: LAKE_CS } }
`,
      },
      { name: "a list", verdict: "schema", text: "- defaults\n", path: "" },
      { name: "an unknown top-level key", verdict: "schema", text: "envs: {}\n", path: "envs" },
      {
        name: "an unknown section key",
        verdict: "schema",
        text: "environments:\n  test:\n    variable: {}\n",
        path: "environments.test.variable",
      },
      {
        name: "a variable as a secret",
        verdict: "schema",
        text: "defaults:\n  variables: { vKey: { secret: KEY } }\n",
        path: "defaults.variables.vKey",
      },
      {
        name: "a variable as a list",
        verdict: "schema",
        text: "defaults:\n  variables: { vList: [a, b] }\n",
        path: "defaults.variables.vList",
      },
      {
        name: "a connection string as a secret",
        verdict: "schema",
        text: "defaults:\n  connections: { Sales: { connectionString: { secret: CS } } }\n",
        path: "defaults.connections.Sales.connectionString",
      },
      {
        name: "a password written in the file",
        verdict: "schema",
        text: "defaults:\n  connections: { Sales: { password: hunter22 } }\n",
        path: "defaults.connections.Sales.password",
      },
      ...["{}", "{ env: A, secret: B }", "{ vault: A }", "{ secret: 1BAD }"].map((ref): Case => ({
        name: `a username of ${ref}`,
        verdict: "schema",
        text: `defaults:\n  connections: { Sales: { username: ${ref} } }\n`,
        path: ref.includes("vault")
          ? "defaults.connections.Sales.username.vault"
          : ref.includes("1BAD")
            ? "defaults.connections.Sales.username.secret"
            : "defaults.connections.Sales.username",
      })),
      {
        name: "a connection left empty",
        verdict: "schema",
        text: "defaults:\n  connections:\n    Sales:\n",
        path: "defaults.connections.Sales",
      },
      {
        name: "a connection type that is not text",
        verdict: "schema",
        text: "defaults:\n  connections: { Sales: { type: 5 } }\n",
        path: "defaults.connections.Sales.type",
      },
    ],
  },
  {
    label: "Lint config",
    schemaFile: "schemas/qlik-lint.schema.json",
    file: ".qlik-lint.yml",
    read: (text, file) => parseLintConfig(text, file),
    cases: [
      { name: "an empty file", verdict: "valid", text: "" },
      { name: "rules left empty", verdict: "valid", text: "rules:\n" },
      {
        name: "every setting",
        verdict: "valid",
        text: `rules:
  script-section-duplicate: error
  object-chart-no-title: off
  script-variable-redefined: false
allowedStoreConnections: [Archive]
builtinConnections: [DataFiles, Lake]
knownVariables: [vReloadedBy]
`,
      },
      { name: "a list", verdict: "schema", text: "- rules\n", path: "" },
      { name: "an unknown setting", verdict: "schema", text: "severity: error\n", path: "severity" },
      {
        name: "an unknown rule",
        verdict: "schema",
        text: "rules:\n  no-such-rule: error\n",
        path: "rules.no-such-rule",
      },
      {
        name: "an unknown severity",
        verdict: "schema",
        text: "rules:\n  file-parse: fatal\n",
        path: "rules.file-parse",
      },
      { name: "rules as a list", verdict: "schema", text: "rules: [file-parse]\n", path: "rules" },
      {
        name: "one name instead of a list",
        verdict: "schema",
        text: "allowedStoreConnections: Archive\n",
        path: "allowedStoreConnections",
      },
      {
        name: "a blank name",
        verdict: "schema",
        text: "knownVariables: [vA, '  ']\n",
        path: "knownVariables[1]",
      },
      {
        name: "a number as a name",
        verdict: "schema",
        text: "builtinConnections: [ok, 3]\n",
        path: "builtinConnections[1]",
      },
    ],
  },
];

function refusal(kind: Kind, text: string): ConfigError | undefined {
  try {
    kind.read(text, kind.file);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
}

describe("published config schemas", () => {
  it("schemas/ holds exactly the schemas the code validates with, as the code has them", () => {
    expect(readdirSync(join(root, "schemas")).sort()).toEqual(
      PUBLISHED_SCHEMAS.map((s) => s.file.replace("schemas/", "")).sort(),
    );
    for (const { file, schema } of PUBLISHED_SCHEMAS) {
      expect({ file, schema: published(file) }).toEqual({ file, schema: JSON.parse(JSON.stringify(schema)) });
    }
  });

  it("say in words what each alternative (anyOf, oneOf, not) demands", () => {
    // An alternative that fails says nothing useful by itself: a schema node above it, on the same value,
    // carries the sentence users get (its errorMessage).
    const bare: string[] = [];
    const CHILD_VALUES = new Set([
      "additionalProperties",
      "items",
      "propertyNames",
      "additionalItems",
      "contains",
    ]);
    const walk = (node: unknown, at: string, covered: boolean) => {
      if (node === null || typeof node !== "object" || Array.isArray(node)) return;
      const record = node as Record<string, unknown>;
      const here = covered || typeof record.errorMessage === "string";
      for (const keyword of ["anyOf", "oneOf", "not"])
        if (keyword in record && !here) bare.push(`${at}/${keyword}`);
      for (const [key, value] of Object.entries(record)) {
        if (key === "properties" || key === "patternProperties") {
          for (const [name, child] of Object.entries(value as object))
            walk(child, `${at}/${key}/${name}`, false);
        } else if (CHILD_VALUES.has(key)) walk(value, `${at}/${key}`, false);
        else if (Array.isArray(value)) value.forEach((child, i) => walk(child, `${at}/${key}/${i}`, here));
        else walk(value, `${at}/${key}`, here);
      }
    };
    for (const { file } of PUBLISHED_SCHEMAS) walk(published(file), file, false);
    expect(bare).toEqual([]);
  });

  it("every published schema is a valid JSON Schema (the product compiles them without this check)", () => {
    const ajv = new Ajv({ strict: false });
    const invalid = PUBLISHED_SCHEMAS.filter(({ file }) => !ajv.validateSchema(published(file))).map(
      ({ file }) => `${file}: ${ajv.errorsText(ajv.errors)}`,
    );
    expect(invalid).toEqual([]);
    // The check can fail: a keyword of the wrong type is refused.
    expect(ajv.validateSchema({ type: "object", properties: [] })).toBe(false);
  });
});

describe.each(KINDS.map((k) => [k.label, k] as [string, Kind]))("%s: schema ≡ product", (_, kind) => {
  const validate: ValidateFunction = new Ajv({ allErrors: true, strict: false }).compile(
    published(kind.schemaFile),
  );

  it.each(kind.cases.map((c) => [c.name, c] as [string, Case]))("%s", (_name, c) => {
    const value = parse(c.text) ?? null;
    const schemaAccepts = validate(value) as boolean;
    const error = refusal(kind, c.text);
    expect({ schemaAccepts, productAccepts: error === undefined }).toEqual({
      schemaAccepts: c.verdict !== "schema",
      productAccepts: c.verdict === "valid",
    });
    if (!error) return;
    // One sentence per problem, each naming the file, the line and the path as the user wrote them.
    const lines = error.message.split("\n");
    for (const line of lines) {
      expect(line).toMatch(new RegExp(`^${kind.label} ${kind.file.replace(".", "\\.")}:\\d+(:\\d+)?: `));
    }
    const where = c.path ? `'${c.path}'` : "the top level";
    if (error instanceof ConfigFileError) {
      expect(error.problems.map((p) => p.path)).toContain(c.path);
      expect(lines.some((l) => l.includes(`: ${where} `))).toBe(true);
    } else {
      // A YAML syntax error (none of these cases has one) would not be a ConfigFileError.
      throw error;
    }
  });
});
