/**
 * Tenant settings on a tenant's own origin: `GET /api/v1/tenants/me`, `GET/PATCH /api/v1/tenants/{id}`
 * (name, alias hostname, auto-assign and creation toggles). The same view is used by the regional
 * registration service.
 */
import type { RouteModule, SimContext, SimRequest, TenantState } from "../../http/types.ts";
import { badRequest, isResponse, noContent, notFound, ok, patchOps, redirect } from "./util.ts";
import { qlikError } from "../../http/types.ts";
import { isTenantSettingName } from "@qlik-cicd/qlik-facts";
import type { TenantSettingName } from "@qlik-cicd/qlik-facts";

export interface TenantSettings extends Record<TenantSettingName, boolean> {
  displayName: string;
  datacenter: string;
  created: string;
  lastUpdated: string;
  statusLastUpdatedAt: string;
  createdByUser: string;
}

const HOSTNAME_RE =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function isValidHostname(h: string): boolean {
  return HOSTNAME_RE.test(h);
}

export function tenantSettings(tenant: TenantState, now: () => Date = () => new Date()): TenantSettings {
  return tenant.moduleState("tenant-settings", () => {
    const t = now().toISOString();
    return {
      displayName: tenant.name,
      datacenter: tenant.region,
      created: tenant.createdAt ?? t,
      lastUpdated: t,
      statusLastUpdatedAt: t,
      createdByUser: "",
      autoAssignCreateSharedSpacesRoleToProfessionals: true,
      autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals: true,
      autoAssignDataServicesContributorRoleToProfessionals: true,
      enableAnalyticCreation: false,
      enableAppOpeningFeedback: true,
    };
  });
}

/** All hostnames of a tenant: its own, then its aliases (`tenant.hostnameAliases`, shared with the core). */
export function tenantHostnames(tenant: TenantState): string[] {
  const out = [tenant.hostname.toLowerCase()];
  for (const a of tenant.hostnameAliases ?? []) if (!out.includes(a.toLowerCase())) out.push(a.toLowerCase());
  return out;
}

/** Replaces the tenant's alias hostname in place (the core resolves tenants through the same array). */
function setAlias(tenant: TenantState, alias: string | null): void {
  if (!tenant.hostnameAliases) tenant.hostnameAliases = [];
  tenant.hostnameAliases.splice(0, tenant.hostnameAliases.length, ...(alias ? [alias] : []));
}

export function tenantView(tenant: TenantState, baseUrl: string) {
  const s = tenantSettings(tenant);
  return {
    id: tenant.id,
    name: s.displayName,
    hostnames: tenantHostnames(tenant),
    datacenter: s.datacenter,
    region: tenant.region,
    status: tenant.status,
    created: s.created,
    lastUpdated: s.lastUpdated,
    statusLastUpdatedAt: s.statusLastUpdatedAt,
    ...(s.createdByUser ? { createdByUser: s.createdByUser } : {}),
    autoAssignCreateSharedSpacesRoleToProfessionals: s.autoAssignCreateSharedSpacesRoleToProfessionals,
    autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals:
      s.autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals,
    autoAssignDataServicesContributorRoleToProfessionals:
      s.autoAssignDataServicesContributorRoleToProfessionals,
    enableAnalyticCreation: s.enableAnalyticCreation,
    enableAppOpeningFeedback: s.enableAppOpeningFeedback,
    links: { self: { href: `${baseUrl}/api/v1/tenants/${tenant.id}` } },
  };
}

export const tenantSettingsModule: RouteModule = (routes, ctx: SimContext) => {
  const get = (req: SimRequest, id: string) => {
    if (id !== "me" && id !== req.tenant.id) return notFound("Tenant", id);
    tenantSettings(req.tenant, ctx.now);
    return ok(tenantView(req.tenant, req.baseUrl));
  };
  // Qlik answers /me with a redirect to the tenant's own resource.
  routes.add({
    method: "GET",
    pattern: "/api/v1/tenants/me",
    tier: "tier1",
    handler: (req) => redirect(302, `${req.baseUrl}/api/v1/tenants/${encodeURIComponent(req.tenant.id)}`),
  });
  routes.add({
    method: "GET",
    pattern: "/api/v1/tenants/:tenantId",
    tier: "tier1",
    handler: (req) => get(req, req.params.tenantId),
  });
  routes.add({
    method: "PATCH",
    pattern: "/api/v1/tenants/:tenantId",
    tier: "tier2",
    handler: (req) => {
      const id = req.params.tenantId;
      if (id !== "me" && id !== req.tenant.id) return notFound("Tenant", id);
      const ops = patchOps(
        req,
        (p) => p === "/name" || p === "/hostnames/1" || isTenantSettingName(p.slice(1)),
      );
      if (isResponse(ops)) return ops;
      const s = tenantSettings(req.tenant, ctx.now);
      const next = { ...s };
      let alias: string | null | undefined;
      for (const op of ops) {
        if (op.op !== "replace")
          return badRequest(`Patch op '${op.op}' is not supported for tenants; use "replace".`);
        if (op.path === "/name") {
          if (typeof op.value !== "string" || op.value.trim() === "")
            return badRequest("'/name' needs a non-empty string.");
          next.displayName = op.value;
        } else if (op.path === "/hostnames/1") {
          if (typeof op.value !== "string") return badRequest("'/hostnames/1' needs a hostname string.");
          if (op.value === "") alias = null;
          else if (!isValidHostname(op.value))
            return badRequest(`'/hostnames/1' value '${op.value}' is not a valid hostname.`);
          else {
            for (const other of ctx.tenants()) {
              if (other.id !== req.tenant.id && tenantHostnames(other).includes(op.value.toLowerCase()))
                return qlikError(409, "TENANTS-409", "Conflict", `Hostname '${op.value}' is already in use.`);
            }
            alias = op.value.toLowerCase();
          }
        } else {
          if (typeof op.value !== "boolean") return badRequest(`'${op.path}' needs a boolean.`);
          next[op.path.slice(1) as TenantSettingName] = op.value;
        }
      }
      next.lastUpdated = ctx.now().toISOString();
      Object.assign(s, next);
      if (alias !== undefined) setAlias(req.tenant, alias);
      return noContent();
    },
  });
};
