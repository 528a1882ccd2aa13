import { ConfigError, secrets } from "@qlik-cicd/common";

/** How to reach and authenticate against one tenant: an API key, or an OAuth client (client credentials). */
export interface QlikConnectionOptions {
  tenantUrl: string;
  apiKey?: string;
  clientId?: string;
  clientSecret?: string;
  /** OAuth scope sent with the client-credentials request; omitted when not set. */
  scope?: string;
}

/** A tenant URL reduced to what the client uses: scheme + host (+ port), no path, no trailing slash. */
export interface NormalisedTenant {
  /** e.g. `https://acme.eu.qlikcloud.com` or `http://127.0.0.5:8080` */
  origin: string;
  /** host with port if any, e.g. `acme.eu.qlikcloud.com`: used in messages */
  name: string;
}

/**
 * Validates and normalises a tenant URL. A bare host gets `https://`; `http://` is kept (simulator,
 * lab proxies). Paths other than `/`, query strings, fragments and credentials are rejected because a
 * Qlik Cloud tenant is always a bare origin.
 */
export function normaliseTenantUrl(raw: string, field = "tenant-url"): NormalisedTenant {
  const value = (raw ?? "").trim();
  if (!value) {
    throw new ConfigError(`The tenant URL is empty: set '${field}' to e.g. https://acme.eu.qlikcloud.com.`, {
      field,
    });
  }
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError(
      `The tenant URL '${value}' in '${field}' is not a valid URL: use the form https://acme.eu.qlikcloud.com.`,
      { field },
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(
      `The tenant URL '${value}' in '${field}' uses '${url.protocol}'; only https:// (or http:// for a local simulator) is supported.`,
      { field },
    );
  }
  if (url.username || url.password) {
    throw new ConfigError(
      `The tenant URL in '${field}' must not contain a user name or password: pass credentials as api-key or client-id/client-secret.`,
      { field },
    );
  }
  if (!url.hostname) {
    throw new ConfigError(`The tenant URL '${value}' in '${field}' has no host name.`, { field });
  }
  if ((url.pathname && url.pathname !== "/") || url.search || url.hash) {
    throw new ConfigError(
      `The tenant URL '${value}' in '${field}' must be the tenant's address only (e.g. ${url.origin}), without a path, query or fragment.`,
      { field },
    );
  }
  return { origin: url.origin, name: url.host };
}

/**
 * Reads QLIK_TENANT_URL and either QLIK_API_KEY or QLIK_CLIENT_ID + QLIK_CLIENT_SECRET.
 * Secrets are registered before anything is validated, so no later message can leak them.
 */
export function connectionFromEnv(env: NodeJS.ProcessEnv = process.env): QlikConnectionOptions {
  const tenantUrl = env.QLIK_TENANT_URL?.trim();
  const apiKey = env.QLIK_API_KEY?.trim() || undefined;
  const clientId = env.QLIK_CLIENT_ID?.trim() || undefined;
  const clientSecret = env.QLIK_CLIENT_SECRET?.trim() || undefined;
  secrets.register(apiKey);
  secrets.register(clientSecret);
  if (!tenantUrl) {
    throw new ConfigError(
      "QLIK_TENANT_URL is not set: set it to the tenant's address, e.g. https://acme.eu.qlikcloud.com.",
      {
        field: "QLIK_TENANT_URL",
      },
    );
  }
  normaliseTenantUrl(tenantUrl, "QLIK_TENANT_URL");
  if (apiKey) return { tenantUrl, apiKey };
  if (clientId && clientSecret) return { tenantUrl, clientId, clientSecret };
  if (clientId) {
    throw new ConfigError(
      "QLIK_CLIENT_SECRET is not set: an OAuth client needs both QLIK_CLIENT_ID and QLIK_CLIENT_SECRET.",
      {
        field: "QLIK_CLIENT_SECRET",
      },
    );
  }
  if (clientSecret) {
    throw new ConfigError(
      "QLIK_CLIENT_ID is not set: an OAuth client needs both QLIK_CLIENT_ID and QLIK_CLIENT_SECRET.",
      {
        field: "QLIK_CLIENT_ID",
      },
    );
  }
  throw new ConfigError(
    "QLIK_API_KEY is not set: set it, or QLIK_CLIENT_ID and QLIK_CLIENT_SECRET for an OAuth client.",
    {
      field: "QLIK_API_KEY",
    },
  );
}

/**
 * An API key travels in an HTTP header, which only carries printable ASCII: anything else is a
 * placeholder or a copy-paste accident (curly quotes, an ellipsis, a non-breaking space).
 */
function checkApiKeyCharacters(apiKey: string): void {
  const index = [...apiKey].findIndex((ch) => ch < "!" || ch > "~");
  if (index >= 0) {
    throw new ConfigError(
      `The API key has a character an API key never contains (character ${index + 1} is not plain ASCII): paste the key itself, not a placeholder or quoted text.`,
      { field: "api-key" },
    );
  }
}

/** Checks explicit options the same way and registers their secrets. */
export function validateConnection(connection: QlikConnectionOptions): NormalisedTenant {
  secrets.register(connection?.apiKey);
  secrets.register(connection?.clientSecret);
  const tenant = normaliseTenantUrl(connection?.tenantUrl, "tenant-url");
  if (connection.apiKey) {
    checkApiKeyCharacters(connection.apiKey);
    return tenant;
  }
  if (connection.clientId && connection.clientSecret) return tenant;
  if (connection.clientId) {
    throw new ConfigError(
      `The OAuth client for tenant ${tenant.name} has no client secret: set 'client-secret' (or QLIK_CLIENT_SECRET).`,
      { field: "client-secret" },
    );
  }
  throw new ConfigError(
    `No credentials for tenant ${tenant.name}: set 'api-key', or 'client-id' and 'client-secret'.`,
    { field: "api-key" },
  );
}
