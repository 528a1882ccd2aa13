// Tenant inventory: every mistake is one sentence naming the path and line in the user's file (and the
// tenant), all of them in one ConfigError raised before anything is touched.
import { describe, expect, it } from "@jest/globals";
import { ConfigError, secrets } from "@qlik-cicd/common";
import { parseInventory, resolveConnection, tenantParametersYaml } from "../src/rollout/index.ts";

const env = {
  QLIK_EU_CLIENT_ID: "eu-client",
  QLIK_EU_CLIENT_SECRET: "eu-client-secret-value",
  ACME_KEY: "acme-api-key-value",
  DB_PASS: "db-password-value",
};

const good = `
version: 1
credentials:
  eu-oauth: { clientIdEnv: QLIK_EU_CLIENT_ID, clientSecretEnv: QLIK_EU_CLIENT_SECRET }
defaults:
  credentials: { ref: eu-oauth }
  parameters:
    variables: { vCurrency: EUR }
tenants:
  - name: globex
    url: globex.eu.qlikcloud.com
    region: eu
    labels: [wave-1, eu]
  - name: acme
    url: https://acme.eu.qlikcloud.com/
    region: eu
    labels: [canary]
    credentials: { apiKeyEnv: ACME_KEY }
    parameters:
      variables: { vCustomer: ACME }
      connections:
        Sales: { connectionString: "host=acme-db", password: { secret: DB_PASS } }
`;

function error(text: string, e: Record<string, string> = env): ConfigError {
  try {
    parseInventory(text, "tenants.yml", e);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("tenant inventory", () => {
  it("parses tenants sorted by name, resolves shared credentials and registers secrets", () => {
    const inv = parseInventory(good, "tenants.yml", env);
    expect(inv.tenants.map((t) => t.name)).toEqual(["acme", "globex"]);
    const [acme, globex] = inv.tenants;
    expect(acme.url).toBe("https://acme.eu.qlikcloud.com");
    expect(acme.credentials).toEqual({ apiKeyEnv: "ACME_KEY" });
    expect(globex.credentials).toEqual({
      clientIdEnv: "QLIK_EU_CLIENT_ID",
      clientSecretEnv: "QLIK_EU_CLIENT_SECRET",
    });
    expect(globex.credentialRef).toBe("eu-oauth");
    expect(globex.labels).toEqual(["eu", "wave-1"]);
    expect(resolveConnection(globex, env)).toEqual({
      tenantUrl: "https://globex.eu.qlikcloud.com",
      clientId: "eu-client",
      clientSecret: "eu-client-secret-value",
    });
    expect(secrets.has("eu-client-secret-value")).toBe(true);
    expect(secrets.has("acme-api-key-value")).toBe(true);
    expect(secrets.has("db-password-value")).toBe(true);
    const yaml = tenantParametersYaml(inv, acme) ?? "";
    expect(yaml).toContain("vCurrency: EUR");
    expect(yaml).toContain("vCustomer: ACME");
    expect(yaml).toContain("secret: DB_PASS");
    expect(yaml).not.toContain("db-password-value");
  });

  it("gives tenants with the same labels one frozen array", () => {
    const text = `${good}  - name: initech
    url: initech.eu.qlikcloud.com
    region: eu
    labels: [eu, wave-1]
`;
    const [, globex, initech] = parseInventory(text, "tenants.yml", env).tenants;
    expect(initech.labels).toBe(globex.labels);
    expect(Object.isFrozen(initech.labels)).toBe(true);
  });

  it("rejects an unknown key, naming the tenant, the path in the file and its line", () => {
    const e = error(good.replace("labels: [canary]", "lables: [canary]"));
    expect(e.message).toBe(
      "Tenant inventory tenants.yml:17: 'tenants[1].lables' (tenant 'acme') is not a known key (did you mean 'labels'?).",
    );
    expect(e.field).toBe("tenants[1].lables");
    const top = error(`${good}\nextra: 1\n`);
    expect(top.message).toBe(
      "Tenant inventory tenants.yml:24: 'extra' is not a known key: use 'version', 'credentials', 'defaults' or 'tenants'.",
    );
  });

  it("rejects duplicate names (case-insensitive) and duplicate urls", () => {
    const dup = error(good.replace("name: globex", "name: ACME"));
    expect(dup.message).toBe(
      "Tenant inventory tenants.yml:14: 'tenants[1].name' (tenant 'acme') repeats the name of tenants[0]; tenant names must be unique.",
    );
    const sameUrl = error(good.replace("url: globex.eu.qlikcloud.com", "url: acme.eu.qlikcloud.com"));
    expect(sameUrl.message).toBe(
      "Tenant inventory tenants.yml:15: 'tenants[1].url' (tenant 'acme') is the address of tenant 'globex' (tenants[0]) too; each tenant has its own.",
    );
  });

  it("rejects a missing environment variable, naming tenant, field and variable", () => {
    const e = error(good, { ...env, ACME_KEY: "" });
    expect(e.message).toBe(
      "Tenant inventory tenants.yml:18: 'tenants[1].credentials.apiKeyEnv' (tenant 'acme') names environment variable 'ACME_KEY', which is not set: pass it to the step (env: ACME_KEY: ${{ secrets.ACME_KEY }}).",
    );
    const shared = error(good, { ...env, QLIK_EU_CLIENT_SECRET: undefined } as unknown as Record<
      string,
      string
    >);
    expect(shared.message).toBe(
      "Tenant inventory tenants.yml:4: 'credentials.eu-oauth.clientSecretEnv' names environment variable 'QLIK_EU_CLIENT_SECRET', which tenant 'globex' needs and is not set: pass it to the step (env: QLIK_EU_CLIENT_SECRET: ${{ secrets.QLIK_EU_CLIENT_SECRET }}).",
    );
    // The path is the user's own (tenants[1].parameters…), not a parameters file made from the inventory.
    const param = error(good, { ...env, DB_PASS: "" });
    expect(param.message).toBe(
      "Tenant inventory tenants.yml:22: 'tenants[1].parameters.connections.Sales.password' (tenant 'acme') names environment variable 'DB_PASS', which is not set: pass it to the step (env: DB_PASS: ${{ secrets.DB_PASS }}).",
    );
    // Every problem at once, one sentence each.
    const both = error(good, { ...env, ACME_KEY: "", DB_PASS: "" });
    expect(both.message.split("\n")).toEqual([
      expect.stringContaining("tenants.yml:18: 'tenants[1].credentials.apiKeyEnv'"),
      expect.stringContaining("tenants.yml:22: 'tenants[1].parameters.connections.Sales.password'"),
    ]);
  });

  it("rejects credentials given as values, unknown refs and tenants without credentials", () => {
    const literal = error(good.replace("{ apiKeyEnv: ACME_KEY }", "{ apiKey: abc123 }"));
    expect(literal.message).toBe(
      "Tenant inventory tenants.yml:18: 'tenants[1].credentials.apiKey' (tenant 'acme') is not a known key (did you mean 'apiKeyEnv'?).",
    );
    const ref = error(good.replace("{ ref: eu-oauth }", "{ ref: us-oauth }"));
    expect(ref.message).toBe(
      "Tenant inventory tenants.yml:6: 'defaults.credentials.ref' names 'us-oauth', which is not defined under the top-level 'credentials' (it defines 'eu-oauth').",
    );
    const none = error(good.replace("  credentials: { ref: eu-oauth }\n", ""));
    expect(none.message).toBe(
      "Tenant inventory tenants.yml:9: 'tenants[0].credentials' (tenant 'globex') is required: there is no 'defaults.credentials' to fall back on.",
    );
    const both = error(good.replace("{ apiKeyEnv: ACME_KEY }", "{ apiKeyEnv: ACME_KEY, ref: eu-oauth }"));
    expect(both.message).toBe(
      "Tenant inventory tenants.yml:18: 'tenants[1].credentials' (tenant 'acme') must be exactly one of { apiKeyEnv }, { clientIdEnv, clientSecretEnv } or { ref }.",
    );
  });

  it("rejects a missing url and bad YAML", () => {
    expect(error(good.replace("    url: globex.eu.qlikcloud.com\n", "")).message).toBe(
      "Tenant inventory tenants.yml:10: 'tenants[0].url' (tenant 'globex') is required.",
    );
    expect(error("tenants: [").message).toMatch(
      /^Tenant inventory tenants\.yml:1:\d+: the file is not valid YAML \(/,
    );
  });

  it("quotes the broken line and lists every other problem", () => {
    expect(error("tenants:\n  - name: a\n   url: x\n").message).toMatch(
      /^Tenant inventory \S+:3:\d+: the file is not valid YAML \(.+\): ` {3}url: x`\.$/,
    );
    const e = error(
      good.replace("labels: [canary]", "lables: [canary]").replace("    url: globex.eu.qlikcloud.com\n", ""),
    );
    // Every problem listed, one sentence per line, each naming its tenant.
    const lines = e.message.split("\n");
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line).toMatch(/tenant '.+'/);
    expect(e.message).not.toMatch(/more problems?/);
  });
});
