/**
 * A target's own parameters on an imported app: variables, connection strings and connection
 * credentials (exports never carry credentials). They are set over QIX only when they differ from what
 * the app already has, which the deployment record tells by a keyed digest, so a routine version
 * rollout opens no QIX session on a tenant without parameters of its own.
 */
import { createHmac } from "node:crypto";
import type { Doc } from "@qlik/api/qix";
import { canonicalJson, ConfigError, type Logger } from "@qlik-cicd/common";
import type { QlikClient } from "@qlik-cicd/qlik-client";
import type { ResolvedParameters } from "../deploy/parameters.ts";

/** Whether resolved parameters set anything at all. */
export function hasParameters(params: ResolvedParameters | undefined): params is ResolvedParameters {
  return !!params && (Object.keys(params.variables).length > 0 || Object.keys(params.connections).length > 0);
}

/**
 * Keyed digest (HMAC-SHA256) of what the parameters set, as the deployment record keeps it: the key is a
 * secret the pipeline holds (the tenant's credential), so the record does not let anyone test guesses
 * of a credential. Undefined when the parameters set nothing.
 */
export function parametersDigest(params: ResolvedParameters | undefined, key: string): string | undefined {
  if (!hasParameters(params)) return undefined;
  const body = canonicalJson({ variables: params.variables, connections: params.connections });
  return `hmac-sha256:${createHmac("sha256", key).update(body).digest("hex")}`;
}

interface VariableHandle {
  getProperties(): Promise<Record<string, unknown>>;
  setProperties(props: Record<string, unknown>): Promise<void>;
}

/**
 * Sets `params` on the open app (variables' definitions, connections' strings, types and credentials)
 * and saves it. Every name must exist in the app, so a typo fails instead of being ignored.
 */
export async function applyTenantParameters(
  client: QlikClient,
  appId: string,
  doc: Doc,
  params: ResolvedParameters,
  options: { file: string; logger: Logger },
): Promise<void> {
  const where = `parameters file '${options.file}' (environment '${params.environment}')`;
  await client.qixMutation(
    appId,
    "SetProperties",
    async () => {
      const variables = Object.entries(params.variables);
      await Promise.all(
        variables.map(async ([name, definition]) => {
          const handle = (await doc.getVariableByName(name).catch(() => undefined)) as unknown as
            (VariableHandle & { handle?: number | null }) | null | undefined;
          if (!handle || handle.handle === null) {
            throw new ConfigError(`Variable '${name}' in ${where} is not defined in the app: fix the name.`, {
              field: "parameters",
            });
          }
          const props = await handle.getProperties();
          await handle.setProperties({ ...props, qDefinition: definition });
        }),
      );
      const connectionNames = Object.keys(params.connections);
      if (connectionNames.length) {
        const connections = await doc.getConnections();
        await Promise.all(
          connectionNames.map(async (name) => {
            const conn = connections.find((c) => c.qName === name);
            if (!conn?.qId) {
              throw new ConfigError(`Connection '${name}' in ${where} is not defined in the app.`, {
                field: "parameters",
              });
            }
            const p = params.connections[name];
            const credentials = p.username !== undefined || p.password !== undefined;
            await doc.modifyConnection(
              conn.qId,
              {
                qId: conn.qId,
                qName: name,
                qConnectionString: p.connectionString ?? conn.qConnectionString,
                qType: p.type ?? conn.qType,
                ...(p.username !== undefined ? { qUserName: p.username } : {}),
                ...(p.password !== undefined ? { qPassword: p.password } : {}),
              },
              credentials,
            );
          }),
        );
      }
      await doc.doSave();
    },
    "apply parameters",
  );
  options.logger.info(
    `Applied the parameters of '${params.environment}' (${Object.keys(params.variables).length} variables, ${Object.keys(params.connections).length} connections).`,
  );
}
