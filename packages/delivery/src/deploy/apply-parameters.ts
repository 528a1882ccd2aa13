import { AppTree, type JsonObject } from "@qlik-cicd/app-files";
import { ConfigError } from "@qlik-cicd/common";
import type { ResolvedParameters } from "./parameters.ts";

/** Credentials for one connection, held in memory only and applied over QIX after the build. */
export interface ConnectionCredentials {
  username?: string;
  password?: string;
}

export interface ParameterisedSource {
  /** The source with overrides applied: what the target must contain. Never holds credentials. */
  tree: AppTree;
  /** Connection name → credentials to set on the target's connection. */
  credentials: Map<string, ConnectionCredentials>;
}

/**
 * Applies variable overrides and connection remapping to the source tree. Every name must exist in
 * the source, so a typo in the parameters file fails instead of being ignored.
 */
export function applyParameters(
  tree: AppTree,
  params: ResolvedParameters | undefined,
  file = "parameters",
): ParameterisedSource {
  const credentials = new Map<string, ConnectionCredentials>();
  if (!params) return { tree, credentials };
  const content = structuredClone({ ...tree.content });

  const variableNames = Object.keys(params.variables);
  if (variableNames.length) {
    const variables = (content.variables ?? []).map((v) => ({ ...v }));
    for (const name of variableNames) {
      const variable = variables.find((v) => v.qName === name);
      if (!variable) {
        throw new ConfigError(
          `Variable '${name}' in parameters file '${file}' (environment '${params.environment}') is not defined in the app: add it to variables.json or fix the name.`,
          { field: file },
        );
      }
      variable.qDefinition = params.variables[name];
    }
    content.variables = variables as JsonObject[];
  }

  const connectionNames = Object.keys(params.connections);
  if (connectionNames.length) {
    const connections = (content.connections ?? []).map((c) => ({ ...c }));
    for (const name of connectionNames) {
      const conn = connections.find((c) => c.name === name);
      if (!conn) {
        throw new ConfigError(
          `Connection '${name}' in parameters file '${file}' (environment '${params.environment}') is not defined in the app's connections.yml.`,
          { field: file },
        );
      }
      const p = params.connections[name];
      if (p.connectionString !== undefined) conn.connectionString = p.connectionString;
      if (p.type !== undefined) conn.type = p.type;
      if (p.username !== undefined || p.password !== undefined) {
        credentials.set(name, { username: p.username, password: p.password });
      }
    }
    content.connections = connections;
  }
  return { tree: new AppTree(content, { warnings: tree.warnings }), credentials };
}
