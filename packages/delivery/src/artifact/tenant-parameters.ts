/**
 * A target's own parameters on an imported app: variables, connection strings and connection
 * credentials (exports never carry credentials). They are set over QIX only when they differ from what
 * the app already has, which the deployment record tells by a keyed digest, so a routine version
 * rollout opens no QIX session on a tenant without parameters of its own.
 */
import { createHmac } from "node:crypto";
import type { Doc } from "@qlik/api/qix";
import { canonicalJson, CicdError, ConfigError, type Logger } from "@qlik-cicd/common";
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

/**
 * Name → id of the app's own variables (not script-created or reserved ones), from a variable list. The
 * list is a session object: it ends with the session, which closes once the parameters are saved.
 */
async function variableIds(doc: Doc): Promise<Map<string, string>> {
  const obj = await doc.createSessionObject({
    qInfo: { qType: "VariableList" },
    qVariableListDef: { qType: "variable", qShowReserved: false, qShowConfig: false, qData: {} },
  });
  const layout = (await obj.getLayout()) as {
    qVariableList?: { qItems?: { qName?: string; qInfo?: { qId?: string } }[] };
  };
  const out = new Map<string, string>();
  for (const item of layout.qVariableList?.qItems ?? [])
    if (item.qName && item.qInfo?.qId) out.set(item.qName, item.qInfo.qId);
  return out;
}

interface VariableHandle {
  applyPatches(patches: { qOp: "replace"; qPath: string; qValue: string }[]): Promise<void>;
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
  const setVariables = async () => {
    const variables = Object.entries(params.variables);
    if (!variables.length) return;
    // Names are checked against the app's variable list: @qlik/api answers "not found" for a variable
    // it could not get for any reason (a dropped session too), so that answer alone would turn a
    // transient failure into a wrong sentence about the parameters file.
    const ids = await variableIds(doc);
    await Promise.all(
      variables.map(async ([name, definition]) => {
        const id = ids.get(name);
        if (!id) {
          throw new ConfigError(`Variable '${name}' in ${where} is not defined in the app: fix the name.`, {
            field: "parameters",
          });
        }
        const handle = (await doc.getVariableById(id).catch((error: unknown) => {
          throw new CicdError(
            `Could not open variable '${name}' on app ${appId} (${(error as { message?: string }).message ?? "no answer"}).`,
          );
        })) as unknown as VariableHandle;
        // One patch of the definition; the rest of the variable's properties stay as they are.
        await handle.applyPatches([
          { qOp: "replace", qPath: "/qDefinition", qValue: JSON.stringify(definition) },
        ]);
      }),
    );
  };
  const setConnections = async () => {
    const connectionNames = Object.keys(params.connections);
    if (!connectionNames.length) return;
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
  };
  await client.qixMutation(
    appId,
    "SetProperties",
    async () => {
      // Variables and connections are independent: their requests share the session's round trips.
      // Both run to their end, and a variable's problem is reported before a connection's.
      const settled = await Promise.allSettled([setVariables(), setConnections()]);
      for (const result of settled) if (result.status === "rejected") throw result.reason;
      await doc.doSave();
    },
    "apply parameters",
  );
  options.logger.info(
    `Applied the parameters of '${params.environment}' (${Object.keys(params.variables).length} variables, ${Object.keys(params.connections).length} connections).`,
  );
}
