import { ConfigError, secrets } from "@qlik-cicd/common";
import { readInput } from "./inputs.ts";

/** The connection inputs every Qlik-facing action shares, with the QLIK_* environment fallbacks. */
export interface ConnectionInputs {
  tenantUrl: string;
  apiKey?: string;
  clientId?: string;
  clientSecret?: string;
}

export function readConnectionInputs(env: NodeJS.ProcessEnv = process.env): ConnectionInputs {
  const tenantUrl = readInput("tenant-url") ?? env.QLIK_TENANT_URL?.trim();
  const apiKey = readInput("api-key") ?? env.QLIK_API_KEY?.trim();
  const clientId = readInput("client-id") ?? env.QLIK_CLIENT_ID?.trim();
  const clientSecret = readInput("client-secret") ?? env.QLIK_CLIENT_SECRET?.trim();
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
  return apiKey ? { tenantUrl, apiKey } : { tenantUrl, clientId, clientSecret };
}
