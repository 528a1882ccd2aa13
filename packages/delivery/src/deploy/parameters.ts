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
import {
  ConfigDocument,
  ConfigError,
  displayPath,
  secrets,
  unsetVariableSentence,
  validateConfig,
  type ConfigFormat,
  type ConfigPath,
  type ConfigProblem,
} from "@qlik-cicd/common";
import { parametersSchema } from "./parameters-schema.ts";

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
  /**
   * The document the parameters were read from and where each section sits in it, so a message names
   * the user's own line and path (a tenant inventory holds them under `tenants[i].parameters`).
   */
  source?: { document: ConfigDocument; defaults: ConfigPath; environments: Record<string, ConfigPath> };
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

const PARAMETERS_FORMAT: ConfigFormat = {
  label: "Parameters file",
  schema: parametersSchema,
  schemaFile: "schemas/parameters.schema.json",
};

/** A section as the schema accepts it (an empty section is null in YAML). */
export interface RawEnvironmentParameters {
  variables?: Record<string, string | number | boolean | { env: string }> | null;
  connections?: Record<string, ConnectionParameters> | null;
}

/** One section, valid against `environmentParametersSchema`, as the deploy uses it. */
export function environmentParameters(
  raw: RawEnvironmentParameters | null | undefined,
): EnvironmentParameters {
  const out: EnvironmentParameters = { variables: {}, connections: {} };
  for (const [name, value] of Object.entries(raw?.variables ?? {})) {
    out.variables[name] = typeof value === "object" ? { env: value.env } : String(value);
  }
  for (const [name, conn] of Object.entries(raw?.connections ?? {})) out.connections[name] = { ...conn };
  return out;
}

/** Parses and validates the YAML text of a parameters file (no environment variables are read yet). */
export function parseParameters(text: string, file: string): ParametersFile {
  const document = ConfigDocument.parse(PARAMETERS_FORMAT, text, file);
  const raw = validateConfig<{
    defaults?: RawEnvironmentParameters | null;
    environments?: Record<string, RawEnvironmentParameters | null> | null;
  } | null>(document);
  const environments: Record<string, EnvironmentParameters> = {};
  const paths: Record<string, ConfigPath> = {};
  for (const [name, section] of Object.entries(raw?.environments ?? {})) {
    environments[name] = environmentParameters(section);
    paths[name] = ["environments", name];
  }
  return {
    file,
    defaults: environmentParameters(raw?.defaults),
    environments,
    source: { document, defaults: ["defaults"], environments: paths },
  };
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
  return parseParameters(text, displayPath(path));
}

/** Reads one reference (`unsetReferences` has checked that it is set). */
function readRef(ref: ValueRef, env: Record<string, string | undefined>, register: boolean): string {
  const value = env["env" in ref ? ref.env : ref.secret] as string;
  if (register) secrets.register(value);
  return value;
}

function parametersDocument(params: ParametersFile): ConfigDocument {
  return params.source?.document ?? ConfigDocument.of(PARAMETERS_FORMAT, undefined, params.file);
}

/** Where a section sits in the user's file. */
function sectionPath(params: ParametersFile, environment: string | undefined): ConfigPath {
  if (environment === undefined) return params.source?.defaults ?? ["defaults"];
  return params.source?.environments[environment] ?? ["environments", environment];
}

/**
 * Every reference of `environment` (after `defaults`) whose environment variable is not set, as problems
 * at the user's own path; nothing is registered or returned.
 */
export function unsetReferences(
  params: ParametersFile,
  environment: string,
  env: Record<string, string | undefined>,
): (ConfigProblem & { variable: string })[] {
  const document = parametersDocument(params);
  const problems: (ConfigProblem & { variable: string })[] = [];
  for (const { at, layer } of layersOf(params, environment)) {
    const check = (path: ConfigPath, value: ParameterValue | undefined) => {
      if (value === undefined || typeof value === "string") return;
      const name = "env" in value ? value.env : value.secret;
      if (env[name] === undefined || env[name] === "") {
        problems.push({ ...document.problem([...at, ...path], unsetVariableSentence(name)), variable: name });
      }
    };
    for (const [name, value] of Object.entries(layer.variables)) check(["variables", name], value);
    for (const [name, conn] of Object.entries(layer.connections)) {
      for (const key of ["connectionString", "username", "password"] as const) {
        check(["connections", name, key], conn[key]);
      }
    }
  }
  return problems;
}

function layersOf(
  params: ParametersFile,
  environment: string,
): { at: ConfigPath; layer: EnvironmentParameters }[] {
  const section = params.environments[environment];
  const layers = [{ at: sectionPath(params, undefined), layer: params.defaults }];
  if (section) layers.push({ at: sectionPath(params, environment), layer: section });
  return layers;
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
  const missing = unsetReferences(params, environment, env);
  if (missing.length > 0) throw parametersDocument(params).error(missing, { field: missing[0].variable });
  const out: ResolvedParameters = { environment, matched: Boolean(section), variables: {}, connections: {} };
  for (const { layer } of layersOf(params, environment)) {
    for (const [name, value] of Object.entries(layer.variables)) {
      out.variables[name] = typeof value === "string" ? value : readRef(value, env, "secret" in value);
    }
    for (const [name, conn] of Object.entries(layer.connections)) {
      const target: ResolvedConnection = { ...(out.connections[name] ?? {}) };
      if (conn.connectionString !== undefined) {
        const v = conn.connectionString;
        target.connectionString = typeof v === "string" ? v : readRef(v, env, "secret" in v);
      }
      if (conn.type !== undefined) target.type = conn.type;
      if (conn.username) target.username = readRef(conn.username, env, true);
      if (conn.password) target.password = readRef(conn.password, env, true);
      out.connections[name] = target;
    }
  }
  return out;
}
