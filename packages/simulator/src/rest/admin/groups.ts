/**
 * Groups: `/api/v1/groups` (list with filter, create, get, patch, delete). Users reference groups through
 * `assignedGroups`; deleting a group removes it from every user.
 */
import { qlikError } from "../../http/types.ts";
import type { RouteModule, SimContext, SimRequest, TenantState } from "../../http/types.ts";
import { resolveRoles } from "./roles.ts";
import type { RoleRef } from "./roles.ts";
import {
  badRequest,
  isResponse,
  noContent,
  notFound,
  objectBody,
  ok,
  paginate,
  parseFilter,
  patchOps,
  sortBy,
} from "./util.ts";

export interface GroupRecord {
  id: string;
  name: string;
  description: string;
  status: "active" | "disabled";
  providerType: "idp" | "custom";
  assignedRoles: RoleRef[];
  createdAt: string;
  lastUpdatedAt: string;
  createdBy: string;
  updatedBy: string;
}

export function groupsState(tenant: TenantState): { groups: Map<string, GroupRecord> } {
  return tenant.moduleState("groups", () => ({ groups: new Map<string, GroupRecord>() }));
}

function view(req: SimRequest, g: GroupRecord) {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    status: g.status,
    providerType: g.providerType,
    assignedRoles: g.assignedRoles,
    tenantId: req.tenant.id,
    createdAt: g.createdAt,
    lastUpdatedAt: g.lastUpdatedAt,
    createdBy: g.createdBy,
    updatedBy: g.updatedBy,
    links: { self: { href: `${req.baseUrl}/api/v1/groups/${g.id}` } },
  };
}

function list(req: SimRequest, filter: string | null) {
  let groups = [...groupsState(req.tenant).groups.values()];
  if (filter) {
    const pred = parseFilter(filter);
    if (typeof pred === "string") return badRequest(pred);
    groups = groups.filter(pred);
  }
  groups = sortBy(groups, req.query.get("sort") ?? "+name", ["name", "id", "createdAt", "lastUpdatedAt"]);
  const { page, links } = paginate(req, groups, { defaultLimit: 20 });
  const body: Record<string, unknown> = { data: page.map((g) => view(req, g)), links };
  if (req.query.get("totalResults") === "true") body.totalResults = groups.length;
  return ok(body);
}

export const groupsModule: RouteModule = (routes, ctx: SimContext) => {
  routes.add({
    method: "GET",
    pattern: "/api/v1/groups",
    tier: "tier1",
    handler: (req) => list(req, req.query.get("filter")),
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/groups/actions/filter",
    tier: "tier1",
    handler: (req) => {
      const f = objectBody(req)?.filter;
      return list(req, typeof f === "string" ? f : null);
    },
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/groups",
    tier: "tier2",
    handler: (req) => {
      const b = objectBody(req);
      if (!b || typeof b.name !== "string" || b.name.trim() === "")
        return badRequest("The group needs a non-empty 'name'.");
      const state = groupsState(req.tenant);
      if ([...state.groups.values()].some((g) => g.name.toLowerCase() === (b.name as string).toLowerCase()))
        return qlikError(409, "GROUPS-409", "Conflict", `A group named '${b.name}' already exists.`);
      const roles = resolveRoles(req.tenant, b.assignedRoles);
      if (typeof roles === "string") return badRequest(roles);
      const now = ctx.now().toISOString();
      const who = req.principal?.userId ?? "";
      const g: GroupRecord = {
        id: ctx.newId("hex"),
        name: b.name,
        description: typeof b.description === "string" ? b.description : "",
        status: "active",
        providerType: b.providerType === "idp" ? "idp" : "custom",
        assignedRoles: roles,
        createdAt: now,
        lastUpdatedAt: now,
        createdBy: who,
        updatedBy: who,
      };
      state.groups.set(g.id, g);
      return ok(view(req, g), 201);
    },
  });
  routes.add({
    method: "GET",
    pattern: "/api/v1/groups/:groupId",
    tier: "tier1",
    handler: (req) => {
      const g = groupsState(req.tenant).groups.get(req.params.groupId);
      return g ? ok(view(req, g)) : notFound("Group", req.params.groupId);
    },
  });
  routes.add({
    method: "PATCH",
    pattern: "/api/v1/groups/:groupId",
    tier: "tier2",
    handler: (req) => {
      const g = groupsState(req.tenant).groups.get(req.params.groupId);
      if (!g) return notFound("Group", req.params.groupId);
      const ops = patchOps(req, (p) =>
        ["assignedRoles", "name", "description"].includes(p.replace(/^\//, "")),
      );
      if (isResponse(ops)) return ops;
      const next = { ...g };
      for (const op of ops) {
        if (op.op !== "replace") return badRequest(`Patch op '${op.op}' is not supported for groups.`);
        const path = op.path.replace(/^\//, "");
        if (path === "assignedRoles") {
          const roles = resolveRoles(req.tenant, op.value);
          if (typeof roles === "string") return badRequest(roles);
          next.assignedRoles = roles;
        } else if (typeof op.value !== "string") {
          return badRequest(`Patch value for '${op.path}' must be a string.`);
        } else if (path === "name") next.name = op.value;
        else next.description = op.value;
      }
      next.lastUpdatedAt = ctx.now().toISOString();
      next.updatedBy = req.principal?.userId ?? "";
      Object.assign(g, next);
      for (const u of req.tenant.users.values())
        for (const ag of u.assignedGroups) if (ag.id === g.id) ag.name = g.name;
      return noContent();
    },
  });
  routes.add({
    method: "DELETE",
    pattern: "/api/v1/groups/:groupId",
    tier: "tier2",
    handler: (req) => {
      const state = groupsState(req.tenant);
      if (!state.groups.delete(req.params.groupId)) return notFound("Group", req.params.groupId);
      for (const u of req.tenant.users.values())
        u.assignedGroups = u.assignedGroups.filter((ag) => ag.id !== req.params.groupId);
      return noContent();
    },
  });
};
