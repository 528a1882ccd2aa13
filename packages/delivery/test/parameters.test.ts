import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, secrets } from "@qlik-cicd/common";
import { loadParametersFile, parseParameters, resolveParameters } from "../src/deploy/parameters.ts";

const YAML = `
defaults:
  variables:
    vCurrency: EUR
    vRegion: global
environments:
  test:
    variables:
      vRegion: test-region
      vApiBase: { env: API_BASE }
    connections:
      Sales:
        connectionString: "host=test-db;port=5432"
        type: postgres
        username: { env: DB_USER }
        password: { secret: DB_PASS }
  production:
    variables:
      vRegion: prod
`;

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("parameters file", () => {
  it("parses defaults and environments", () => {
    const p = parseParameters(YAML, "params.yml");
    expect(p.defaults.variables).toEqual({ vCurrency: "EUR", vRegion: "global" });
    expect(Object.keys(p.environments).sort()).toEqual(["production", "test"]);
    expect(p.environments.test.connections.Sales).toEqual({
      connectionString: "host=test-db;port=5432",
      type: "postgres",
      username: { env: "DB_USER" },
      password: { secret: "DB_PASS" },
    });
  });

  it("resolves the chosen environment over the defaults and registers credentials as secrets", () => {
    const p = parseParameters(YAML, "params.yml");
    const resolved = resolveParameters(p, "test", {
      API_BASE: "https://api.test",
      DB_USER: "svc-reader",
      DB_PASS: "s3cr3t-pass-word",
    });
    expect(resolved.matched).toBe(true);
    expect(resolved.variables).toEqual({
      vCurrency: "EUR",
      vRegion: "test-region",
      vApiBase: "https://api.test",
    });
    expect(resolved.connections.Sales).toEqual({
      connectionString: "host=test-db;port=5432",
      type: "postgres",
      username: "svc-reader",
      password: "s3cr3t-pass-word",
    });
    expect(secrets.has("s3cr3t-pass-word")).toBe(true);
    expect(secrets.has("svc-reader")).toBe(true);
    expect(secrets.has("https://api.test")).toBe(false);
  });

  it("applies only defaults for an environment without a section, unless it was asked for explicitly", () => {
    const p = parseParameters(YAML, "params.yml");
    const resolved = resolveParameters(p, "acceptance", {});
    expect(resolved.matched).toBe(false);
    expect(resolved.variables).toEqual({ vCurrency: "EUR", vRegion: "global" });
    const err = configError(() => resolveParameters(p, "acceptance", {}, { required: true }));
    expect(err.message).toContain("Environment 'acceptance' is not defined in parameters file 'params.yml'");
    expect(err.message).toContain("'test'");
  });

  it("names the missing variable and the file when a reference is not set", () => {
    const p = parseParameters(YAML, "config/params.yml");
    const err = configError(() => resolveParameters(p, "test", { API_BASE: "x", DB_USER: "u" }));
    expect(err.message).toContain("'DB_PASS'");
    expect(err.message).toContain("config/params.yml");
    expect(err.message).toContain("environments.test.connections.Sales.password");
    expect(err.field).toBe("DB_PASS");
  });

  it("rejects literal credentials, secret variables and unknown keys with the path at fault", () => {
    expect(
      configError(() =>
        parseParameters(
          "environments:\n  test:\n    connections:\n      Sales:\n        password: hunter22\n",
          "p.yml",
        ),
      ).message,
    ).toBe(
      "Parameters file p.yml:5: 'environments.test.connections.Sales.password' must not be written in the file: use { secret: NAME } and pass the value to the step as a secret.",
    );
    expect(
      configError(() =>
        parseParameters("environments:\n  test:\n    variables:\n      vX: { secret: X }\n", "p.yml"),
      ).message,
    ).toBe(
      "Parameters file p.yml:4: 'environments.test.variables.vX' cannot be a secret: variable values are stored in the app, where anyone who can open it reads them.",
    );
    expect(configError(() => parseParameters("envs: {}\n", "p.yml")).message).toBe(
      "Parameters file p.yml:1: 'envs' is not a known key: use 'defaults' or 'environments'.",
    );
    expect(
      configError(() =>
        parseParameters(
          "environments:\n  test:\n    connections:\n      S:\n        connectionString: { secret: C }\n",
          "p.yml",
        ),
      ).message,
    ).toBe(
      "Parameters file p.yml:5: 'environments.test.connections.S.connectionString' cannot be a secret: connection strings are visible in the app; put credentials in username and password.",
    );
    expect(
      configError(() =>
        parseParameters(
          "environments:\n  test:\n    connections:\n      Sales:\n        username: { vault: X }\n",
          "p.yml",
        ),
      ).message,
    ).toBe(
      "Parameters file p.yml:5: 'environments.test.connections.Sales.username.vault' is not a known key: use 'env' or 'secret'.",
    );
    expect(configError(() => parseParameters("a: [", "p.yml")).message).toMatch(
      /^Parameters file p\.yml:1:\d+: the file is not valid YAML \(/,
    );
    expect(
      configError(() => parseParameters("environments:\n  test: {\n vars: 1\n", "p.yml")).message,
    ).toMatch(/^Parameters file p\.yml:\d+:\d+: the file is not valid YAML \(.+\): `.+`\.$/);
  });

  it("reads a file and reports a missing one by path", () => {
    const dir = mkdtempSync(join(tmpdir(), "params-"));
    const file = join(dir, "params.yml");
    writeFileSync(file, YAML);
    expect(loadParametersFile(file).environments.production.variables).toEqual({ vRegion: "prod" });
    expect(configError(() => loadParametersFile(join(dir, "nope.yml"))).message).toContain(
      "nope.yml' cannot be read",
    );
  });
});
