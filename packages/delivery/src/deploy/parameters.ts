/**
 * Per-environment parameters: variable overrides and connection remapping, in a YAML file kept in git.
 * Credentials are never literal: they are references to environment variables (GitHub secrets are
 * passed to the step as environment variables) resolved at deploy time and registered as secrets.
 *
 * ```yaml
 * defaults:                      # optional, applied to every environment first
 *   variables:
 *     vCurrency: EUR
 * environments:
 *   test:
 *     variables:
 *       vEnvironment: TEST
 *       vApiBase: { env: API_BASE }          # a non-secret value from the environment
 *     connections:
 *       Sales:                               # connection name as in connections.yml
 *         connectionString: "CUSTOM CONNECT TO \"provider=…;host=test-db;\""
 *         type: postgres                     # optional
 *         username: { env: DB_USER }         # credentials: references only
 *         password: { secret: DB_PASS }
 * ```
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { ConfigError, secrets, yamlProblem } from "@qlik-cicd/common";

/** A value read from the environment at deploy time. `secret` and `env` both read `env[NAME]`. */
export type ValueRef = { env: string } | { secret: string };
export type ParameterValue = string | ValueRef;

export interface ConnectionParameters {
  connectionString?: ParameterValue;
  type?: string;
  username?: ValueRef;
  password?: ValueRef;
}

export interface EnvironmentParameters {
  variables: Record<string, ParameterValue>;
  connections: Record<string, ConnectionParameters>;
}

export interface ParametersFile {
  /** Where it came from, for messages. */
  file: string;
  defaults: EnvironmentParameters;
  environments: Record<string, EnvironmentParameters>;
}

/** What a deploy applies: plain values, credentials kept apart from the app tree. */
export interface ResolvedConnection {
  connectionString?: string;
  type?: string;
  username?: string;
  password?: string;
}

export interface ResolvedParameters {
  environment: string;
  /** False when the file has no section for this environment (only `defaults` applied). */
  matched: boolean;
  variables: Record<string, string>;
  connections: Record<string, ResolvedConnection>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function fail(file: string, path: string, what: string): never {
  throw new ConfigError(`Parameters file '${file}': ${path} ${what}`, { field: file });
}

function parseRef(file: string, path: string, value: unknown): ValueRef {
  if (!isObject(value)) fail(file, path, "must be a reference like { env: NAME } or { secret: NAME }.");
  const keys = Object.keys(value);
  if (keys.length !== 1 || (keys[0] !== "env" && keys[0] !== "secret")) {
    fail(file, path, "must have exactly one key, 'env' or 'secret' (e.g. { secret: DB_PASSWORD }).");
  }
  const name = value[keys[0]];
  if (typeof name !== "string" || !ENV_NAME.test(name)) {
    fail(file, path, `must name an environment variable (letters, digits, _), got '${String(name)}'.`);
  }
  return keys[0] === "env" ? { env: name } : { secret: name };
}

function parseValue(file: string, path: string, value: unknown): ParameterValue {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return parseRef(file, path, value);
}

function parseEnvironment(file: string, path: string, value: unknown): EnvironmentParameters {
  const out: EnvironmentParameters = { variables: {}, connections: {} };
  if (value === null || value === undefined) return out;
  if (!isObject(value)) fail(file, path, "must be a mapping with 'variables' and/or 'connections'.");
  for (const key of Object.keys(value)) {
    if (key !== "variables" && key !== "connections") {
      fail(file, `${path}.${key}`, "is not allowed here: use 'variables' or 'connections'.");
    }
  }
  const variables = value.variables ?? {};
  if (!isObject(variables)) fail(file, `${path}.variables`, "must map variable names to values.");
  for (const [name, v] of Object.entries(variables)) {
    const p = `${path}.variables.${name}`;
    if (isObject(v) && "secret" in v) {
      fail(file, p, "cannot be a secret: variable values are stored in the app where anyone can read them.");
    }
    out.variables[name] = parseValue(file, p, v);
  }
  const connections = value.connections ?? {};
  if (!isObject(connections)) fail(file, `${path}.connections`, "must map connection names to settings.");
  for (const [name, c] of Object.entries(connections)) {
    const p = `${path}.connections.${name}`;
    if (!isObject(c)) fail(file, p, "must be a mapping (connectionString, type, username, password).");
    const conn: ConnectionParameters = {};
    for (const [key, v] of Object.entries(c)) {
      if (key === "connectionString") {
        if (isObject(v) && "secret" in v) {
          fail(
            file,
            `${p}.${key}`,
            "cannot be a secret: connection strings are visible in the app; put credentials in username and password.",
          );
        }
        conn.connectionString = parseValue(file, `${p}.${key}`, v);
      } else if (key === "type") {
        if (typeof v !== "string") fail(file, `${p}.type`, "must be a string.");
        conn.type = v;
      } else if (key === "username" || key === "password") {
        if (typeof v === "string" || typeof v === "number") {
          fail(
            file,
            `${p}.${key}`,
            `must not be written in the file: use { secret: NAME } and pass the value as a secret.`,
          );
        }
        conn[key] = parseRef(file, `${p}.${key}`, v);
      } else {
        fail(file, `${p}.${key}`, "is not allowed: use connectionString, type, username or password.");
      }
    }
    out.connections[name] = conn;
  }
  return out;
}

/** Parses the YAML text of a parameters file (no environment variables are read yet). */
export function parseParameters(text: string, file: string): ParametersFile {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new ConfigError(
      `Parameters file '${file}' is not valid YAML: ${yamlProblem(text, error as Error)}.`,
      {
        field: file,
        cause: error,
      },
    );
  }
  if (doc === null || doc === undefined) doc = {};
  if (!isObject(doc)) fail(file, "the top level", "must be a mapping with 'defaults' and/or 'environments'.");
  for (const key of Object.keys(doc)) {
    if (key !== "defaults" && key !== "environments") {
      fail(file, key, "is not allowed at the top level: use 'defaults' or 'environments'.");
    }
  }
  const environments: Record<string, EnvironmentParameters> = {};
  const envs = doc.environments ?? {};
  if (!isObject(envs)) fail(file, "environments", "must map environment names to parameters.");
  for (const [name, value] of Object.entries(envs)) {
    environments[name] = parseEnvironment(file, `environments.${name}`, value);
  }
  return { file, defaults: parseEnvironment(file, "defaults", doc.defaults), environments };
}

export function loadParametersFile(path: string): ParametersFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      `Parameters file '${path}' cannot be read: ${(error as NodeJS.ErrnoException).code ?? "error"}.`,
      {
        field: "parameters",
        cause: error,
      },
    );
  }
  return parseParameters(text, path);
}

function resolveRef(
  file: string,
  path: string,
  ref: ValueRef,
  env: Record<string, string | undefined>,
  register: boolean,
): string {
  const name = "env" in ref ? ref.env : ref.secret;
  const value = env[name];
  if (value === undefined || value === "") {
    throw new ConfigError(
      `Environment variable '${name}' is not set; parameters file '${file}' references it at ${path}. Pass it to the step (e.g. env: ${name}: \${{ secrets.${name} }}).`,
      { field: name },
    );
  }
  if (register) secrets.register(value);
  return value;
}

/**
 * Picks `environment` (after `defaults`) and reads every referenced variable. Credentials and `secret`
 * references are registered with the secret registry before they are returned.
 * `required`: the environment was asked for explicitly, so a missing section is an error.
 */
export function resolveParameters(
  params: ParametersFile,
  environment: string,
  env: Record<string, string | undefined>,
  options: { required?: boolean } = {},
): ResolvedParameters {
  const section = params.environments[environment];
  if (!section && options.required && Object.keys(params.environments).length > 0) {
    throw new ConfigError(
      `Environment '${environment}' is not defined in parameters file '${params.file}'; it defines ${Object.keys(
        params.environments,
      )
        .map((e) => `'${e}'`)
        .join(", ")}.`,
      { field: "environment" },
    );
  }
  const out: ResolvedParameters = { environment, matched: Boolean(section), variables: {}, connections: {} };
  const layers: [string, EnvironmentParameters][] = [["defaults", params.defaults]];
  if (section) layers.push([`environments.${environment}`, section]);
  for (const [prefix, layer] of layers) {
    for (const [name, value] of Object.entries(layer.variables)) {
      const path = `${prefix}.variables.${name}`;
      out.variables[name] =
        typeof value === "string" ? value : resolveRef(params.file, path, value, env, "secret" in value);
    }
    for (const [name, conn] of Object.entries(layer.connections)) {
      const path = `${prefix}.connections.${name}`;
      const target: ResolvedConnection = { ...(out.connections[name] ?? {}) };
      if (conn.connectionString !== undefined) {
        const v = conn.connectionString;
        target.connectionString =
          typeof v === "string"
            ? v
            : resolveRef(params.file, `${path}.connectionString`, v, env, "secret" in v);
      }
      if (conn.type !== undefined) target.type = conn.type;
      if (conn.username)
        target.username = resolveRef(params.file, `${path}.username`, conn.username, env, true);
      if (conn.password)
        target.password = resolveRef(params.file, `${path}.password`, conn.password, env, true);
      out.connections[name] = target;
    }
  }
  return out;
}
