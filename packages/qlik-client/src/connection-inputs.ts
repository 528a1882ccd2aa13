// The connection inputs every Qlik-facing action shares (`tenant-url`, `api-key` or `client-id` +
// `client-secret`, with the QLIK_* environment fallbacks), read once for the adapter and the CLI.
import { ConfigError, secrets, type InputReader } from "@qlik-cicd/common";
import { QlikClient, type QlikClientOptions } from "./client.ts";
import { validateConnection, type QlikConnectionOptions } from "./connection.ts";
import { QlikApiError } from "./errors.ts";

export const CONNECTION_INPUTS = {
  "tenant-url": {},
  "api-key": {},
  "client-id": {},
  "client-secret": {},
} as const;

/** A connection read from inputs; `schemeAssumed` when the tenant URL was given without http(s)://. */
export interface ConnectionInput extends QlikConnectionOptions {
  schemeAssumed?: boolean;
}

export function readConnection(inputs: InputReader, env: NodeJS.ProcessEnv): ConnectionInput {
  const tenantUrl = inputs.string("tenant-url") ?? (env.QLIK_TENANT_URL?.trim() || undefined);
  const apiKey = inputs.secret("api-key") ?? (env.QLIK_API_KEY?.trim() || undefined);
  const clientId = inputs.string("client-id") ?? (env.QLIK_CLIENT_ID?.trim() || undefined);
  const clientSecret = inputs.secret("client-secret") ?? (env.QLIK_CLIENT_SECRET?.trim() || undefined);
  secrets.register(apiKey);
  secrets.register(clientSecret);
  if (!tenantUrl) {
    throw new ConfigError("Input 'tenant-url' is required (or set QLIK_TENANT_URL).", {
      field: "tenant-url",
    });
  }
  if (!apiKey && !(clientId && clientSecret)) {
    throw new ConfigError(
      "Set either 'api-key' or both 'client-id' and 'client-secret' to connect to the tenant.",
      { field: "api-key" },
    );
  }
  const connection: QlikConnectionOptions = apiKey
    ? { tenantUrl, apiKey }
    : { tenantUrl, clientId, clientSecret };
  // A malformed URL or key is bad input: found here, before anything is contacted.
  validateConnection(connection);
  const schemeAssumed = !/^[a-z][a-z0-9+.-]*:\/\//i.test(tenantUrl);
  return { ...connection, ...(schemeAssumed ? { schemeAssumed } : {}) };
}

/** Failures that mean the address did not answer as an HTTPS tenant. */
const CONNECTION_KINDS: readonly string[] = ["unreachable", "network", "timeout"];

/**
 * Opens a client for the connection, runs `work` and closes the client. When the tenant cannot be
 * reached and its URL had no scheme, the error says that https:// was assumed.
 */
export async function withQlikClient<T>(
  connection: ConnectionInput,
  options: QlikClientOptions,
  work: (client: QlikClient) => Promise<T>,
): Promise<T> {
  const { schemeAssumed, ...plain } = connection;
  const client = new QlikClient(plain, options);
  try {
    return await work(client);
  } catch (error) {
    if (schemeAssumed && error instanceof QlikApiError && CONNECTION_KINDS.includes(error.kind)) {
      const Kind = error.constructor as typeof QlikApiError;
      throw new Kind(error.message, {
        kind: error.kind,
        tenant: error.tenant,
        method: error.method,
        resource: error.resource,
        code: error.code,
        attempts: error.attempts,
        hint: `The tenant URL '${connection.tenantUrl}' has no scheme, so https:// was assumed: write http://${connection.tenantUrl} for a server without TLS (such as the local simulator), or check the address.`,
        cause: error,
      });
    }
    throw error;
  } finally {
    await client.close();
  }
}
