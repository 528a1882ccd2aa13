/**
 * Roles: `/api/v1/roles` (list, get). Qlik Cloud's built-in roles with stable ids; custom roles can be
 * created and deleted. Users and groups resolve `assignedRoles` (by id or by name) through `resolveRoles`.
 */
import type { RouteModule, SimContext, SimRequest, TenantState } from "../../http/types.ts";
import {
  addGetById,
  badRequest,
  filterBy,
  isResponse,
  listResponse,
  noContent,
  notFound,
  objectBody,
  ok,
  stableHexId,
} from "./util.ts";
import type { ItemRoute } from "./util.ts";

export interface RoleRecord {
  id: string;
  name: string;
  description: string;
  type: "default" | "custom";
  level: "admin" | "user";
  assignedScopes: string[];
  permissions: string[];
  createdAt: string;
  lastUpdatedAt: string;
}

/** Qlik Cloud's default roles (name, level, description). */
const BUILT_IN_ROLES: readonly { name: string; level: "admin" | "user"; description: string }[] = [
  { name: "TenantAdmin", level: "admin", description: "Administers the tenant: users, settings, licenses." },
  {
    name: "AnalyticsAdmin",
    level: "admin",
    description: "Administers analytics content: spaces, apps, reloads.",
  },
  { name: "DataAdmin", level: "admin", description: "Administers data integration and data spaces." },
  { name: "AuditAdmin", level: "admin", description: "Reads audit events." },
  { name: "SharedSpaceCreator", level: "user", description: "Creates shared spaces." },
  { name: "ManagedSpaceCreator", level: "user", description: "Creates managed spaces." },
  { name: "DataSpaceCreator", level: "user", description: "Creates data spaces." },
  {
    name: "PrivateAnalyticsContentCreator",
    level: "user",
    description: "Creates apps in the personal space.",
  },
  { name: "AutomationCreator", level: "user", description: "Creates and runs automations." },
  { name: "Developer", level: "user", description: "Creates API keys." },
  { name: "DataServicesContributor", level: "user", description: "Contributes to data services." },
  { name: "EmbedAnalyticsUser", level: "user", description: "Uses embedded analytics." },
  { name: "Steward", level: "user", description: "Stewards data products." },
  { name: "OrganizationAdmin", level: "admin", description: "Administers the organization." },
];

const EPOCH = "2020-01-01T00:00:00.000Z";

function builtInRoles(): RoleRecord[] {
  return BUILT_IN_ROLES.map((r) => ({
    id: stableHexId(`role:${r.name}`),
    name: r.name,
    description: r.description,
    type: "default",
    level: r.level,
    assignedScopes: [],
    permissions: [],
    createdAt: EPOCH,
    lastUpdatedAt: EPOCH,
  }));
}

interface RolesState {
  roles: Map<string, RoleRecord>;
}

function rolesState(tenant: TenantState): RolesState {
  return tenant.moduleState("roles", () => ({ roles: new Map(builtInRoles().map((r) => [r.id, r])) }));
}

export type RoleRef = { id: string; name: string; type: string; level: string };

/**
 * Resolves `[{id}]` or `[{name}]` references to role records (UserRecord.assignedRoles shape), or returns an
 * error sentence naming the unknown role.
 */
export function resolveRoles(tenant: TenantState, refs: unknown): RoleRef[] | string {
  if (refs === undefined || refs === null) return [];
  if (!Array.isArray(refs)) return "assignedRoles must be an array of {id} or {name} references.";
  const roles = [...rolesState(tenant).roles.values()];
  const out: RoleRef[] = [];
  for (const ref of refs) {
    const r = (ref ?? {}) as { id?: unknown; name?: unknown };
    const found =
      typeof r.id === "string"
        ? roles.find((x) => x.id === r.id)
        : typeof r.name === "string"
          ? roles.find((x) => x.name.toLowerCase() === (r.name as string).toLowerCase())
          : undefined;
    if (!found) return `assignedRoles: role ${JSON.stringify(ref)} does not exist.`;
    if (!out.some((x) => x.id === found.id))
      out.push({ id: found.id, name: found.name, type: found.type, level: found.level });
  }
  return out;
}

function view(req: SimRequest, r: RoleRecord) {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    type: r.type,
    level: r.level,
    assignedScopes: r.assignedScopes,
    permissions: r.permissions,
    canEdit: r.type === "custom",
    canDelete: r.type === "custom",
    tenantId: req.tenant.id,
    createdAt: r.createdAt,
    lastUpdatedAt: r.lastUpdatedAt,
    links: { self: { href: `${req.baseUrl}/api/v1/roles/${r.id}` } },
  };
}

const roleItem: ItemRoute<RoleRecord> = {
  pattern: "/api/v1/roles/:id",
  records: (req) => rolesState(req.tenant).roles,
  missing: (id) => notFound("Role", id),
};

export const rolesModule: RouteModule = (routes, ctx: SimContext) => {
  routes.add({
    method: "GET",
    pattern: "/api/v1/roles",
    tier: "tier1",
    handler: (req) => {
      const roles = filterBy([...rolesState(req.tenant).roles.values()], req.query.get("filter"));
      if (isResponse(roles)) return roles;
      return listResponse(req, roles, {
        view: (r) => view(req, r),
        sort: { fields: ["name", "id", "type", "level", "createdAt"], default: "+name" },
        defaultLimit: 100,
        totalResults: true,
      });
    },
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/roles",
    tier: "tier2",
    handler: (req) => {
      const b = objectBody(req);
      if (!b || typeof b.name !== "string" || b.name.trim() === "")
        return badRequest("The role needs a non-empty 'name'.");
      const state = rolesState(req.tenant);
      if ([...state.roles.values()].some((r) => r.name.toLowerCase() === (b.name as string).toLowerCase()))
        return badRequest(`A role named '${b.name}' already exists.`, "ROLES-409");
      const now = ctx.now().toISOString();
      const role: RoleRecord = {
        id: ctx.newId("hex"),
        name: b.name,
        description: typeof b.description === "string" ? b.description : "",
        type: "custom",
        level: "user",
        assignedScopes: Array.isArray(b.assignedScopes) ? b.assignedScopes.map(String) : [],
        permissions: [],
        createdAt: now,
        lastUpdatedAt: now,
      };
      state.roles.set(role.id, role);
      return ok(view(req, role), 201);
    },
  });
  addGetById(routes, roleItem, (r, req) => view(req, r));
  routes.add({
    method: "DELETE",
    pattern: "/api/v1/roles/:id",
    tier: "tier2",
    handler: (req) => {
      const state = rolesState(req.tenant);
      const r = state.roles.get(req.params.id);
      if (!r) return notFound("Role", req.params.id);
      if (r.type === "default") return badRequest(`The default role '${r.name}' cannot be deleted.`);
      state.roles.delete(r.id);
      return noContent();
    },
  });
};
