// Tenant inventory: schema kept identical to the committed file, and every mistake is one ConfigError
// naming the tenant and field, raised before anything is touched.
import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, secrets } from "@qlik-cicd/common";
import {
  parseInventory,
  resolveConnection,
  tenantInventorySchema,
  tenantParametersYaml,
} from "../src/rollout/index.ts";

const repoRoot = join(import.meta.dirname, "..", "..", "..");

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
  it("the committed JSON schema is the one the code validates with", () => {
    const committed = JSON.parse(
      readFileSync(join(repoRoot, "schemas", "tenant-inventory.schema.json"), "utf8"),
    );
    expect(committed).toEqual(JSON.parse(JSON.stringify(tenantInventorySchema)));
  });

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

  it("rejects an unknown key, naming the tenant and field", () => {
    const e = error(good.replace("labels: [canary]", "lables: [canary]"));
    expect(e.message).toContain("tenant 'acme'");
    expect(e.message).toContain("'lables' is not a known key");
    const top = error(`${good}\nextra: 1\n`);
    expect(top.message).toContain("'extra' is not a known key");
  });

  it("rejects duplicate names (case-insensitive) and duplicate urls", () => {
    const dup = error(good.replace("name: globex", "name: ACME"));
    expect(dup.message).toMatch(/tenant 'acme' \(tenants\[1\]\) repeats the name of tenants\[0\]/);
    const sameUrl = error(good.replace("url: globex.eu.qlikcloud.com", "url: acme.eu.qlikcloud.com"));
    expect(sameUrl.message).toContain("same url as tenant 'globex'");
  });

  it("rejects a missing environment variable, naming tenant, field and variable", () => {
    const e = error(good, { ...env, ACME_KEY: "" });
    expect(e.message).toContain("tenant 'acme'");
    expect(e.message).toContain("'credentials.apiKeyEnv'");
    expect(e.message).toContain("'ACME_KEY', which is not set");
    const shared = error(good, { ...env, QLIK_EU_CLIENT_SECRET: undefined } as unknown as Record<
      string,
      string
    >);
    expect(shared.message).toContain("tenant 'globex'");
    expect(shared.message).toContain("credentials.eu-oauth.clientSecretEnv");
    const param = error(good, { ...env, DB_PASS: "" });
    expect(param.message).toContain("tenant 'acme'");
    expect(param.message).toContain("DB_PASS");
  });

  it("rejects credentials given as values, unknown refs and tenants without credentials", () => {
    const literal = error(good.replace("{ apiKeyEnv: ACME_KEY }", "{ apiKey: abc123 }"));
    expect(literal.message).toContain("tenant 'acme'");
    expect(literal.message).toContain("'credentials.apiKey' is not a known key");
    const ref = error(good.replace("{ ref: eu-oauth }", "{ ref: us-oauth }"));
    expect(ref.message).toContain("'us-oauth', which is not defined");
    const none = error(good.replace("  credentials: { ref: eu-oauth }\n", ""));
    expect(none.message).toContain("tenant 'globex' (tenants[0]) has no 'credentials'");
    const both = error(good.replace("{ apiKeyEnv: ACME_KEY }", "{ apiKeyEnv: ACME_KEY, ref: eu-oauth }"));
    expect(both.message).toContain("tenant 'acme'");
    expect(both.message).toContain("must be exactly one of");
  });

  it("rejects a missing url and bad YAML", () => {
    expect(error(good.replace("    url: globex.eu.qlikcloud.com\n", "")).message).toContain(
      "tenant 'globex' (tenants[0]): 'url' is required",
    );
    expect(error("tenants: [").message).toContain("not valid YAML");
  });

  it("quotes the broken line and lists every other problem", () => {
    expect(error("tenants:\n  - name: a\n   url: x\n").message).toMatch(
      /at line 3, column \d+: ` {3}url: x`\.$/,
    );
    const e = error(
      good.replace("labels: [canary]", "lables: [canary]").replace("    url: globex.eu.qlikcloud.com\n", ""),
    );
    expect(e.message).toMatch(/\(\d+ more problems?: .*tenant '.+'.*\)\.$/);
    expect(e.message).not.toMatch(/\(\d+ more problems?\)/);
  });
});
