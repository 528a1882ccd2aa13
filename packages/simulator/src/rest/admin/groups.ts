/**
 * Groups: `/api/v1/groups` (list with filter, create, get, patch, delete). Users reference groups through
 * `assignedGroups`; deleting a group removes it from every user.
 */
import { qlikError } from "../../http/types.ts";
import type { RouteModule, SimContext, SimRequest, TenantState } from "../../http/types.ts";
import { resolveRoles } from "./roles.ts";
import type { RoleRef } from "./roles.ts";
import {
  addDeleteById,
  addFilterableList,
  addGetById,
  addPatchById,
  badRequest,
  filterBy,
  isResponse,
  listResponse,
  noContent,
  notFound,
  objectBody,
  ok,
} from "./util.ts";
import type { ItemRoute } from "./util.ts";

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
  const groups = filterBy([...groupsState(req.tenant).groups.values()], filter);
  if (isResponse(groups)) return groups;
  return listResponse(req, groups, {
    view: (g) => view(req, g),
    sort: { fields: ["name", "id", "createdAt", "lastUpdatedAt"], default: "+name" },
    defaultLimit: 20,
    totalResults: true,
  });
}

const groupItem: ItemRoute<GroupRecord> = {
  pattern: "/api/v1/groups/:groupId",
  records: (req) => groupsState(req.tenant).groups,
  missing: (id) => notFound("Group", id),
};

export const groupsModule: RouteModule = (routes, ctx: SimContext) => {
  addFilterableList(routes, "/api/v1/groups", list);
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
  addGetById(routes, groupItem, (g, req) => view(req, g));
  addPatchById(
    routes,
    groupItem,
    (p) => ["assignedRoles", "name", "description"].includes(p.replace(/^\//, "")),
    (req, g, ops) => {
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
  );
  // A deleted group leaves every user's assignedGroups.
  addDeleteById(routes, groupItem, (req, id) => {
    for (const u of req.tenant.users.values())
      u.assignedGroups = u.assignedGroups.filter((ag) => ag.id !== id);
  });
};
