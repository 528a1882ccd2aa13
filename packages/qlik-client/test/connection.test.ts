import { describe, expect, it } from "@jest/globals";
import { ConfigError, secrets } from "@qlik-cicd/common";
import { connectionFromEnv, normaliseTenantUrl, QlikClient } from "../src/index.ts";

describe("connectionFromEnv", () => {
  it("reads an API key connection and registers the key as a secret", () => {
    const c = connectionFromEnv({
      QLIK_TENANT_URL: "https://acme.eu.qlikcloud.com",
      QLIK_API_KEY: " env-api-key-1 ",
    });
    expect(c).toEqual({ tenantUrl: "https://acme.eu.qlikcloud.com", apiKey: "env-api-key-1" });
    expect(secrets.has("env-api-key-1")).toBe(true);
  });

  it("reads an OAuth client connection and registers the secret", () => {
    const c = connectionFromEnv({
      QLIK_TENANT_URL: "http://127.0.0.1:9000",
      QLIK_CLIENT_ID: "cid",
      QLIK_CLIENT_SECRET: "env-secret-2",
    });
    expect(c).toEqual({ tenantUrl: "http://127.0.0.1:9000", clientId: "cid", clientSecret: "env-secret-2" });
    expect(secrets.has("env-secret-2")).toBe(true);
  });

  it.each([
    [{}, "QLIK_TENANT_URL"],
    [{ QLIK_TENANT_URL: "https://acme.eu.qlikcloud.com" }, "QLIK_API_KEY"],
    [{ QLIK_TENANT_URL: "https://acme.eu.qlikcloud.com", QLIK_CLIENT_ID: "cid" }, "QLIK_CLIENT_SECRET"],
    [
      { QLIK_TENANT_URL: "https://acme.eu.qlikcloud.com", QLIK_CLIENT_SECRET: "only-secret" },
      "QLIK_CLIENT_ID",
    ],
    [{ QLIK_TENANT_URL: "ftp://acme", QLIK_API_KEY: "k-1234" }, "QLIK_TENANT_URL"],
  ])("throws a ConfigError naming the variable (%#)", (env, variable) => {
    let error: unknown;
    try {
      connectionFromEnv(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe(variable);
    expect((error as Error).message).toContain(variable);
  });
});

describe("tenant URL validation", () => {
  it("normalises to a bare origin and keeps http:// for the simulator", () => {
    expect(normaliseTenantUrl("acme.eu.qlikcloud.com")).toEqual({
      origin: "https://acme.eu.qlikcloud.com",
      name: "acme.eu.qlikcloud.com",
    });
    expect(normaliseTenantUrl("https://ACME.eu.qlikcloud.com/")).toEqual({
      origin: "https://acme.eu.qlikcloud.com",
      name: "acme.eu.qlikcloud.com",
    });
    expect(normaliseTenantUrl(" http://127.0.0.5:8080 ")).toEqual({
      origin: "http://127.0.0.5:8080",
      name: "127.0.0.5:8080",
    });
  });

  it.each([
    ["", "is empty"],
    ["https://", "is not a valid URL"],
    ["ws://acme.eu.qlikcloud.com", "uses 'ws:'"],
    ["https://user:pw@acme.eu.qlikcloud.com", "must not contain a user name or password"],
    ["https://acme.eu.qlikcloud.com/hub", "without a path, query or fragment"],
    ["https://acme.eu.qlikcloud.com?x=1", "without a path, query or fragment"],
    ["https://exa mple.com", "is not a valid URL"],
  ])("rejects %j with a clear sentence", (url, words) => {
    expect(() => normaliseTenantUrl(url)).toThrow(ConfigError);
    expect(() => normaliseTenantUrl(url)).toThrow(words);
  });

  it("never echoes credentials in a URL back", () => {
    expect(() => normaliseTenantUrl("https://user:hunter22@acme.eu.qlikcloud.com")).toThrow(
      /^(?!.*hunter22).*$/,
    );
  });

  it("the client exposes the normalised origin and host name, and rejects missing credentials", async () => {
    const c = new QlikClient({ tenantUrl: "acme.us.qlikcloud.com/", apiKey: "abcd-key" });
    expect(c.tenantUrl).toBe("https://acme.us.qlikcloud.com");
    expect(c.tenantName).toBe("acme.us.qlikcloud.com");
    await c.close();
    expect(() => new QlikClient({ tenantUrl: "https://acme.us.qlikcloud.com" })).toThrow(
      "No credentials for tenant acme.us.qlikcloud.com",
    );
    // Messages name what a user sets (inputs and variables), not option fields (clientSecret).
    expect(() => new QlikClient({ tenantUrl: "https://acme.us.qlikcloud.com", clientId: "c" })).toThrow(
      "has no client secret: set 'client-secret' (or QLIK_CLIENT_SECRET).",
    );
    expect(() => new QlikClient({ tenantUrl: "https://acme.us.qlikcloud.com", apiKey: "abc…def" })).toThrow(
      "The API key has a character an API key never contains (character 4 is not plain ASCII)",
    );
    expect(() => new QlikClient({ tenantUrl: "https://acme.us.qlikcloud.com/hub", apiKey: "k3y" })).toThrow(
      "in 'tenant-url'",
    );
  });
});
