import type { Doc } from "@qlik/api/qix";
import { ConfigError, type Logger } from "@qlik-cicd/common";
import type { ConnectionCredentials } from "./apply-parameters.ts";

/**
 * Sets credentials on the target app's connections over QIX (ModifyConnection with override). The
 * values exist only in memory for the call; they are registered secrets and never logged.
 */
export async function applyConnectionCredentials(
  doc: Doc,
  credentials: ReadonlyMap<string, ConnectionCredentials>,
  logger: Logger,
): Promise<void> {
  if (!credentials.size) return;
  const connections = await doc.getConnections();
  for (const [name, cred] of credentials) {
    const conn = connections.find((c) => c.qName === name);
    if (!conn?.qId) {
      throw new ConfigError(
        `Connection '${name}' is missing in the target app after the build; check connections.yml.`,
        {
          field: "parameters",
        },
      );
    }
    await doc.modifyConnection(
      conn.qId,
      {
        qId: conn.qId,
        qName: name,
        qConnectionString: conn.qConnectionString,
        qType: conn.qType,
        ...(cred.username !== undefined ? { qUserName: cred.username } : {}),
        ...(cred.password !== undefined ? { qPassword: cred.password } : {}),
      },
      true,
    );
    logger.info(`Set the credentials of connection '${name}' from the parameters file's references.`);
  }
}
