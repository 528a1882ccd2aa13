import {
  createTenant,
  deactivateTenant,
  getMyTenant,
  getTenant,
  patchTenant,
  reactivateTenant,
  type Tenant,
} from "@qlik/api/tenants";
import { ConfigError, secrets, silentLogger, withRetries } from "@qlik-cicd/common";
import type { Logger } from "@qlik-cicd/common";
import { QlikClient, QlikConflictError, type QlikConnectionOptions } from "@qlik-cicd/qlik-client";
import { configureTenant } from "../blueprint/configure.ts";
import type { ConfigureDeps, ConfigureResult } from "../blueprint/configure.ts";
import type { Blueprint } from "../blueprint/types.ts";
import { aliasHostname, datacenterFor, registrationUrlFor } from "./regions.ts";

export type ProvisionOperation = "create" | "deactivate" | "reactivate";

export interface ProvisionOptions {
  operation?: ProvisionOperation;
  /** Qlik Cloud region, e.g. `eu` (picks the registration origin and the datacenter). */
  region: string;
  /** Registration origin override (simulator, labs); default `https://register.{region}.qlikcloud.com`. */
  registrationUrl?: string;
  /** Datacenter override; default the region's. */
  datacenter?: string;
  /** The regional OAuth client (Platform Operations). */
  clientId: string;
  clientSecret: string;
  /** create: the signed license key. */
  licenseKey?: string;
  /** create: the hostname alias; also how an existing tenant is found so a re-run does not duplicate it. */
  hostnameAlias?: string;
  /** Where the alias answers when it is not `https://{alias hostname}` (simulator, proxies). */
  tenantUrl?: string;
  /** deactivate / reactivate: the tenant's id (or found through the alias). */
  tenantId?: string;
  /** deactivate: days before the tenant is purged (1–90, default 30). */
  purgeAfterDays?: number;
  /** create: a blueprint applied to the tenant afterwards (with the same regional client). */
  blueprint?: {
    blueprint: Blueprint;
    baseDir: string;
    pruneUsers?: boolean;
    env?: Record<string, string | undefined>;
  };
  /** How long a new tenant may take to answer before the blueprint is applied (default 60 s). */
  readyTimeoutMs?: number;
}

export interface ProvisionResult {
  operation: ProvisionOperation;
  tenantId: string;
  tenantUrl: string;
  hostnames: string[];
  status: string;
  region: string;
  datacenter?: string;
  /** create: false when an existing tenant with the alias was reused. */
  created: boolean;
  /** True when the tenant (or its configuration) changed. */
  changed: boolean;
  /** deactivate: when the tenant will be purged. */
  estimatedPurgeDate?: string;
  blueprint?: ConfigureResult;
}

export interface ProvisionDeps extends Omit<ConfigureDeps, "logger"> {
  logger?: Logger;
}

/** What provisioning reads of a tenant (the registration API's `Tenant`). */
type TenantView = Pick<Tenant, "id" | "hostnames" | "status" | "datacenter">;

function tenantUrlOf(view: TenantView, registrationUrl: string): string {
  const host = view.hostnames?.[0];
  if (!host) return "";
  const scheme = new URL(registrationUrl).protocol;
  return `${scheme}//${host}`;
}

function isQlikCloud(url: string): boolean {
  return /(^|\.)qlikcloud\.com$/i.test(new URL(url).hostname);
}

/**
 * Finds a tenant by its alias: asks the alias's own origin who it is (`GET /api/v1/tenants/me` with the regional
 * client, which may act on the tenants it created). No answer, or a tenant without that alias, means "not found".
 */
async function findByAlias(
  options: ProvisionOptions,
  registrationUrl: string,
  logger: Logger,
): Promise<{ view: TenantView; url: string } | undefined> {
  const alias = options.hostnameAlias!.trim().toLowerCase();
  const fullHost = aliasHostname(alias, options.region);
  const probeUrl = options.tenantUrl ?? (isQlikCloud(registrationUrl) ? `https://${fullHost}` : undefined);
  if (!probeUrl) {
    logger.debug(
      `No URL to look for a tenant with alias '${alias}' at; set 'tenant-url' where aliases do not resolve.`,
    );
    return undefined;
  }
  const client = new QlikClient(
    { tenantUrl: probeUrl, clientId: options.clientId, clientSecret: options.clientSecret },
    { logger, retry: { maxAttempts: 2 } },
  );
  try {
    const view = await readTenant(client, "me");
    const names = (view.hostnames ?? []).map((h) => h.toLowerCase());
    if (view.id && (names.includes(alias) || names.includes(fullHost)))
      return { view, url: client.tenantUrl };
    logger.warn(`The tenant at ${probeUrl} does not carry the alias '${alias}'; it is not reused.`);
    return undefined;
  } catch (error) {
    logger.debug(`No tenant answers for alias '${alias}' at ${probeUrl}: ${(error as Error).message}`);
    return undefined;
  } finally {
    await client.close();
  }
}

/**
 * Waits until a new tenant answers (its hostname, DNS and the regional client's access take a moment).
 * This loop is the only one: the probe's client sends each probe once (no request retries), and the
 * probes follow the project's backoff (1 s doubling to 5 s, full jitter) until `timeoutMs`.
 */
async function waitUntilReady(
  connection: QlikConnectionOptions,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  const probe = new QlikClient(connection, { logger, retry: { maxAttempts: 1 } });
  try {
    await withRetries(() => readTenant(probe, "me"), {
      policy: { maxAttempts: Infinity, maxElapsedMs: timeoutMs, baseDelayMs: 1000, maxDelayMs: 5000 },
      retryable: () => true,
      onRetry: (error) =>
        logger.info(`The new tenant does not answer yet (${(error as Error).message}); waiting.`),
    });
  } finally {
    await probe.close();
  }
}

/** `GET /api/v1/tenants/{id}`; `me` is the tenant the origin belongs to (Qlik redirects it to its id). */
async function readTenant(client: QlikClient, id: string): Promise<TenantView> {
  if (id === "me") {
    const spec = { tier: "read", method: "GET", resource: "/api/v1/tenants/me" } as const;
    return (await client.call(spec, (opts) => getMyTenant(opts))).data;
  }
  const spec = { tier: "read", method: "GET", resource: "/api/v1/tenants/{id}" } as const;
  return (await client.call(spec, (opts) => getTenant(id, opts))).data;
}

/** Deactivates or reactivates a tenant through the registration API, confirming its hostname. */
async function tenantAction(
  registration: QlikClient,
  tenantId: string,
  hostname: string,
  operation: "deactivate" | "reactivate",
  purgeAfterDays: number,
): Promise<{ status?: string; estimatedPurgeDate?: string }> {
  const spec = {
    tier: "write",
    method: "POST",
    resource: `/api/v1/tenants/{id}/actions/${operation}`,
    operation: `${operation} tenant`,
  } as const;
  const confirm = { "qlik-confirm-hostname": hostname };
  if (operation === "deactivate") {
    const res = await registration.call(spec, (opts) =>
      deactivateTenant(tenantId, { purgeAfterDays }, { ...opts, headers: confirm }),
    );
    return res.data;
  }
  const res = await registration.call(spec, (opts) =>
    reactivateTenant(tenantId, {}, { ...opts, headers: confirm }),
  );
  // @qlik/api types the reactivation answer as unknown; Qlik answers the tenant.
  return (res.data ?? {}) as { status?: string };
}

/**
 * Gives a new tenant its alias: `PATCH /api/v1/tenants/{id}` replacing `/hostnames/1` with the alias's
 * full hostname. An alias another tenant holds leaves the new tenant without one: it is deactivated again,
 * so a re-run with another alias does not leave a stray tenant running.
 */
async function setTenantAlias(
  tenantClient: QlikClient,
  registration: QlikClient,
  view: TenantView,
  options: ProvisionOptions,
  logger: Logger,
): Promise<TenantView> {
  const alias = options.hostnameAlias!.trim().toLowerCase();
  try {
    await tenantClient.call(
      { tier: "write", method: "PATCH", resource: "/api/v1/tenants/{id}", operation: "set tenant alias" },
      (opts) =>
        patchTenant(
          view.id,
          [{ op: "replace", path: "/hostnames/1", value: aliasHostname(alias, options.region) }],
          opts,
        ),
    );
  } catch (error) {
    if (!(error instanceof QlikConflictError)) throw error;
    const hostname = view.hostnames?.[0];
    if (hostname) await tenantAction(registration, view.id, hostname, "deactivate", 1);
    throw new ConfigError(
      `Hostname alias '${options.hostnameAlias}' is already in use, but no tenant answering for it could be reached with this regional client; the tenant just created (${view.id}) was deactivated again.`,
      {
        field: "hostname-alias",
        hint: "If the tenant is yours, set 'tenant-url' to where it answers; otherwise choose another alias.",
        cause: error,
      },
    );
  }
  logger.info(`Tenant ${view.id} answers to alias '${alias}'.`);
  return readTenant(tenantClient, view.id);
}

function validate(options: ProvisionOptions, operation: ProvisionOperation): void {
  if (!options.clientId || !options.clientSecret) {
    throw new ConfigError(
      "Set 'client-id' and 'client-secret' of the regional OAuth client (Platform Operations).",
      {
        field: "client-id",
      },
    );
  }
  if (operation === "create" && !options.licenseKey) {
    throw new ConfigError("Input 'license-key' is required to create a tenant.", { field: "license-key" });
  }
  if (operation === "create" && options.licenseKey && options.licenseKey.split(".").length !== 3) {
    throw new ConfigError(
      "Input 'license-key' is not a signed license key (expected three dot-separated parts).",
      {
        field: "license-key",
      },
    );
  }
  if (operation !== "create" && !options.tenantId && !options.hostnameAlias) {
    throw new ConfigError(`Set 'tenant-id' (or 'hostname-alias') to ${operation} a tenant.`, {
      field: "tenant-id",
    });
  }
  if (
    options.hostnameAlias &&
    !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(options.hostnameAlias.trim())
  ) {
    throw new ConfigError(
      `Input 'hostname-alias' value '${options.hostnameAlias}' is not a valid hostname.`,
      {
        field: "hostname-alias",
      },
    );
  }
  if (
    options.purgeAfterDays !== undefined &&
    !(Number.isInteger(options.purgeAfterDays) && options.purgeAfterDays >= 1 && options.purgeAfterDays <= 90)
  ) {
    throw new ConfigError("Input 'purge-after-days' must be a whole number from 1 to 90.", {
      field: "purge-after-days",
    });
  }
}

/**
 * Creates a tenant through the Platform Operations registration API (reusing one that already carries the
 * alias), then applies a blueprint; or deactivates / reactivates a tenant with the hostname confirmation.
 */
export async function provisionTenant(
  options: ProvisionOptions,
  deps: ProvisionDeps = {},
): Promise<ProvisionResult> {
  const logger = deps.logger ?? silentLogger;
  const operation = options.operation ?? "create";
  secrets.register(options.clientSecret);
  secrets.register(options.licenseKey);
  validate(options, operation);
  const registrationUrl = registrationUrlFor(options.region, options.registrationUrl);
  const datacenter = operation === "create" ? datacenterFor(options.region, options.datacenter) : undefined;
  const registration = new QlikClient(
    { tenantUrl: registrationUrl, clientId: options.clientId, clientSecret: options.clientSecret },
    { logger },
  );
  try {
    if (operation === "create") {
      const found = options.hostnameAlias ? await findByAlias(options, registrationUrl, logger) : undefined;
      let created = false;
      let view: TenantView;
      let tenantUrl: string;
      if (found) {
        view = found.view;
        tenantUrl = found.url;
        logger.info(`Tenant ${view.id} already carries alias '${options.hostnameAlias}': reusing it.`);
      } else {
        // Qlik's creation request is the license key and the datacenter; the alias is set on the tenant.
        const res = await registration.call(
          { tier: "write", method: "POST", resource: "/api/v1/tenants", operation: "create tenant" },
          (opts) => createTenant({ licenseKey: options.licenseKey, datacenter }, opts),
        );
        view = res.data;
        created = true;
        tenantUrl = tenantUrlOf(view, registrationUrl);
        logger.info(`Created tenant ${view.id} in ${options.region} (${datacenter}) at ${tenantUrl}.`);
      }
      let blueprintResult: ConfigureResult | undefined;
      const setAlias = created && !!options.hostnameAlias;
      if (setAlias || options.blueprint) {
        const connection = { tenantUrl, clientId: options.clientId, clientSecret: options.clientSecret };
        if (created) await waitUntilReady(connection, options.readyTimeoutMs ?? 60_000, logger);
        const tenantClient = new QlikClient(connection, { logger });
        try {
          if (setAlias) view = await setTenantAlias(tenantClient, registration, view, options, logger);
          if (options.blueprint) {
            blueprintResult = await configureTenant(
              tenantClient,
              { ...options.blueprint, mode: "apply" },
              { ...deps, logger },
            );
          }
        } finally {
          await tenantClient.close();
        }
      }
      return {
        operation,
        tenantId: view.id,
        tenantUrl,
        hostnames: view.hostnames ?? [],
        status: view.status ?? "active",
        region: options.region,
        datacenter: view.datacenter ?? datacenter,
        created,
        changed: created || (blueprintResult?.changed ?? false),
        ...(blueprintResult ? { blueprint: blueprintResult } : {}),
      };
    }

    // deactivate / reactivate
    let tenantId = options.tenantId;
    if (!tenantId) {
      const found = await findByAlias(options, registrationUrl, logger);
      if (!found) {
        throw new ConfigError(
          `No tenant with alias '${options.hostnameAlias}' could be found; set 'tenant-id'.`,
          {
            field: "tenant-id",
          },
        );
      }
      tenantId = found.view.id;
    }
    const current = await readTenant(registration, tenantId);
    const hostname = current.hostnames?.[0];
    if (!hostname)
      throw new ConfigError(`Tenant ${tenantId} reports no hostname to confirm.`, { field: "tenant-id" });
    const wanted = operation === "deactivate" ? "disabled" : "active";
    if (current.status === wanted) {
      logger.info(`Tenant ${tenantId} is already ${wanted}; nothing to do.`);
      return {
        operation,
        tenantId,
        tenantUrl: tenantUrlOf(current, registrationUrl),
        hostnames: current.hostnames ?? [],
        status: wanted,
        region: options.region,
        created: false,
        changed: false,
      };
    }
    const data = await tenantAction(
      registration,
      tenantId,
      hostname,
      operation,
      options.purgeAfterDays ?? 30,
    );
    logger.info(`Tenant ${tenantId} is now ${data.status ?? wanted}.`);
    return {
      operation,
      tenantId,
      tenantUrl: tenantUrlOf(current, registrationUrl),
      hostnames: current.hostnames ?? [],
      status: data.status ?? wanted,
      region: options.region,
      created: false,
      changed: true,
      ...(data.estimatedPurgeDate ? { estimatedPurgeDate: data.estimatedPurgeDate } : {}),
    };
  } finally {
    await registration.close();
  }
}
