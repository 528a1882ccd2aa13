/**
 * Platform Operations tenant registration, served on each region's registration origin
 * (`https://register.{region}.qlikcloud.com`): create a tenant from a license key, read it, deactivate and
 * reactivate it (both need header `qlik-confirm-hostname` = the tenant's hostname). The caller is a
 * regional OAuth client (`req.principal.regionalClientId`) and may only act on tenants it created.
 */
import type { RouteModule, SimContext, SimRequest, TenantState } from "../../http/types.ts";
import { qlikError } from "../../http/types.ts";
import { tenantHostnames, tenantSettings, tenantView } from "./tenant-settings.ts";
import { badRequest, forbidden, header, notFound, objectBody, ok } from "./util.ts";

interface Ownership {
  /** tenant id → regional client id that created it */
  creators: Map<string, string>;
  /** tenant id → estimated purge date after deactivation */
  purgeDates: Map<string, string>;
}

const ownershipByCtx = new WeakMap<SimContext, Ownership>();

function ownership(ctx: SimContext): Ownership {
  let o = ownershipByCtx.get(ctx);
  if (!o) {
    o = { creators: new Map(), purgeDates: new Map() };
    ownershipByCtx.set(ctx, o);
  }
  return o;
}

/** Records that `regionalClientId` owns `tenantId` (for tenants the control API pre-creates for a client). */
function recordTenantCreator(ctx: SimContext, tenantId: string, regionalClientId: string): void {
  ownership(ctx).creators.set(tenantId, regionalClientId);
}

/** The regional client that created a tenant through the registration API, if any. */
function tenantCreator(ctx: SimContext, tenantId: string): string | undefined {
  return ownership(ctx).creators.get(tenantId);
}

function b64urlJson(part: string): unknown {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(part)) return undefined;
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

/**
 * A Qlik license key is a signed JWT: three base64url parts, the first two JSON objects. The simulator checks
 * the shape (not the signature): anything else is "malformed".
 */
export function isValidLicenseKey(key: unknown): key is string {
  if (typeof key !== "string") return false;
  const parts = key.split(".");
  if (parts.length !== 3 || parts.some((p) => p.length === 0)) return false;
  const head = b64urlJson(parts[0]);
  const payload = b64urlJson(parts[1]);
  const isObj = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
  return isObj(head) && isObj(payload) && /^[A-Za-z0-9_-]+$/.test(parts[2]);
}

/** Builds a well-formed (unsigned, simulator-only) license key, e.g. for tests and the CLI. */
export function makeLicenseKey(payload: Record<string, unknown> = {}): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${enc({ alg: "EdDSA", typ: "JWT" })}.${enc({ sub: "qlik-sim-license", ...payload })}.${Buffer.from("qlik-sim-signature").toString("base64url")}`;
}

function regionOf(req: SimRequest): string | undefined {
  const r = (req as SimRequest & { region?: string }).region;
  return r ?? req.tenant?.region;
}

function findTenant(ctx: SimContext, id: string): TenantState | undefined {
  for (const t of ctx.tenants()) if (t.id === id) return t;
  return undefined;
}

function caller(req: SimRequest): string | undefined {
  return req.principal?.regionalClientId;
}

function guard(req: SimRequest, ctx: SimContext): { tenant: TenantState } | ReturnType<typeof forbidden> {
  const client = caller(req);
  if (!client) return forbidden("Tenant registration needs a token from a regional OAuth client.");
  const tenant = findTenant(ctx, req.params.tenantId);
  if (!tenant) return notFound("Tenant", req.params.tenantId);
  if (tenantCreator(ctx, tenant.id) !== client)
    return forbidden(
      `Regional client '${client}' did not create tenant '${tenant.id}' and may not manage it.`,
    );
  return { tenant };
}

/** guard, then the hostname confirmation that deactivating or reactivating a tenant needs. */
function guardConfirmed(req: SimRequest, ctx: SimContext) {
  const g = guard(req, ctx);
  if ("status" in g) return g;
  return confirmHostname(req, g.tenant) ?? g;
}

function confirmHostname(req: SimRequest, tenant: TenantState) {
  const confirm = header(req, "qlik-confirm-hostname");
  if (!confirm)
    return badRequest(
      "Header 'qlik-confirm-hostname' is required and must name the tenant's hostname.",
      "TENANTS-400",
    );
  if (!tenantHostnames(tenant).includes(confirm.toLowerCase()))
    return badRequest(
      `Header 'qlik-confirm-hostname' value '${confirm}' does not match tenant '${tenant.id}' hostname.`,
      "TENANTS-400",
    );
  return undefined;
}

export const registrationRouteModule: RouteModule = (routes, ctx: SimContext) => {
  routes.add({
    method: "POST",
    pattern: "/api/v1/tenants",
    tier: "tier2",
    handler: async (req) => {
      const client = caller(req);
      if (!client) return forbidden("Tenant creation needs a token from a regional OAuth client.");
      const b = objectBody(req);
      if (!b) return badRequest("The request body must be a JSON object with 'licenseKey'.");
      if (b.licenseKey === undefined) return badRequest("'licenseKey' is required.");
      if (!isValidLicenseKey(b.licenseKey))
        return badRequest("'licenseKey' is malformed: expected a signed license key.");
      const region = regionOf(req);
      if (!region)
        return qlikError(500, "TENANTS-500", "Internal error", "The registration origin has no region.");
      if (b.datacenter !== undefined && (typeof b.datacenter !== "string" || b.datacenter === ""))
        return badRequest("'datacenter' must be a non-empty string.");
      // Qlik's TenantCreationRequest is licenseKey and datacenter: an alias is set afterwards on the
      // tenant itself (PATCH /api/v1/tenants/{id}, /hostnames/1).
      if (b.name !== undefined && (typeof b.name !== "string" || !/^[a-z0-9][a-z0-9-]{0,62}$/i.test(b.name)))
        return badRequest("'name' must be letters, digits and dashes (at most 63).");
      let tenant: TenantState;
      try {
        tenant = await ctx.createTenant(region, {
          name: typeof b.name === "string" ? b.name : undefined,
          licenseKey: b.licenseKey,
        });
      } catch (e) {
        return qlikError(
          409,
          "TENANTS-409",
          "Conflict",
          `The tenant could not be created: ${(e as Error).message}`,
        );
      }
      recordTenantCreator(ctx, tenant.id, client);
      const s = tenantSettings(tenant, ctx.now);
      if (typeof b.datacenter === "string") s.datacenter = b.datacenter;
      s.createdByUser = req.principal?.userId ?? client;
      return ok(tenantView(tenant, tenant.url), 201);
    },
  });
  routes.add({
    method: "GET",
    pattern: "/api/v1/tenants/:tenantId",
    tier: "tier1",
    handler: (req) => {
      const g = guard(req, ctx);
      if ("status" in g) return g;
      return ok(tenantView(g.tenant, g.tenant.url));
    },
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/tenants/:tenantId/actions/deactivate",
    tier: "tier2",
    handler: (req) => {
      const g = guardConfirmed(req, ctx);
      if ("status" in g) return g;
      const b = objectBody(req) ?? {};
      const days = b.purgeAfterDays === undefined ? 30 : b.purgeAfterDays;
      if (typeof days !== "number" || !Number.isInteger(days) || days < 1 || days > 90)
        return badRequest("'purgeAfterDays' must be an integer from 1 to 90.");
      const now = ctx.now();
      const purge = new Date(now.getTime() + days * 86_400_000).toISOString();
      g.tenant.status = "disabled";
      const s = tenantSettings(g.tenant, ctx.now);
      s.statusLastUpdatedAt = now.toISOString();
      ownership(ctx).purgeDates.set(g.tenant.id, purge);
      return ok({ id: g.tenant.id, status: "disabled", estimatedPurgeDate: purge });
    },
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/tenants/:tenantId/actions/reactivate",
    tier: "tier2",
    handler: (req) => {
      const g = guardConfirmed(req, ctx);
      if ("status" in g) return g;
      g.tenant.status = "active";
      tenantSettings(g.tenant, ctx.now).statusLastUpdatedAt = ctx.now().toISOString();
      ownership(ctx).purgeDates.delete(g.tenant.id);
      return ok(tenantView(g.tenant, g.tenant.url));
    },
  });
};
