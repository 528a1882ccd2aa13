/**
 * Spaces API: `/api/v1/spaces` (list with `name`/`type`/`ownerId` filters, create with unique names,
 * get, put, patch, delete, types) and `/api/v1/spaces/{id}/assignments` (roles validated per space type,
 * 409 for a second assignment of the same assignee).
 */
import type {
  RouteModule,
  SimRequest,
  SimResponse,
  SpaceAssignment,
  SpaceRecord,
  TenantState,
} from "../http/types.ts";
import {
  badRequest,
  conflict,
  isResponse,
  json,
  notFound,
  objectBody,
  page,
  parseLimit,
  sortList,
} from "./http-helpers.ts";
import { ASSIGNABLE_ROLES, createSpaceRecord, SPACE_TYPES } from "./store.ts";

const NAME_PATTERN = /^[^"*?<>/|\\:]+$/;

function spaceView(req: SimRequest, s: SpaceRecord) {
  const actions = ["change_owner", "create", "delete", "read", "update"];
  if (s.type === "managed" || s.type === "data") actions.push("publish");
  return {
    id: s.id,
    type: s.type,
    name: s.name,
    description: s.description,
    ownerId: s.ownerId,
    tenantId: req.tenant.id,
    createdAt: s.createdAt,
    createdBy: s.ownerId,
    updatedAt: s.updatedAt,
    meta: { actions: actions.sort(), roles: [] as string[], assignableRoles: [...ASSIGNABLE_ROLES[s.type]] },
    links: {
      self: { href: `${req.baseUrl}/api/v1/spaces/${s.id}` },
      assignments: { href: `${req.baseUrl}/api/v1/spaces/${s.id}/assignments` },
    },
  };
}

function assignmentView(req: SimRequest, a: SpaceAssignment) {
  return {
    id: a.id,
    type: a.type,
    assigneeId: a.assigneeId,
    roles: a.roles,
    spaceId: a.spaceId,
    tenantId: req.tenant.id,
    createdAt: a.createdAt,
    updatedAt: a.createdAt,
    links: {
      self: { href: `${req.baseUrl}/api/v1/spaces/${a.spaceId}/assignments/${a.id}` },
      space: { href: `${req.baseUrl}/api/v1/spaces/${a.spaceId}` },
    },
  };
}

function validName(name: unknown): string | null {
  if (typeof name !== "string" || name.trim() === "")
    return "name is required and must be a non-empty string.";
  if (name.length > 256) return "name must be at most 256 characters.";
  if (!NAME_PATTERN.test(name)) return 'name must not contain any of the characters " * ? < > / | \\ :';
  return null;
}

function nameTaken(tenant: TenantState, name: string, exceptId?: string): boolean {
  const want = name.toLowerCase();
  for (const s of tenant.spaces.values()) if (s.id !== exceptId && s.name.toLowerCase() === want) return true;
  return false;
}

function getSpace(req: SimRequest): SpaceRecord | SimResponse {
  const s = req.tenant.spaces.get(req.params.spaceId);
  return s ?? notFound("SPACES-404", `Space '${req.params.spaceId}' was not found.`);
}

function userExists(tenant: TenantState, id: string): boolean {
  const u = tenant.users.get(id);
  return !!u && u.status !== "deleted";
}

function groupExists(tenant: TenantState, id: string): boolean {
  const groups = tenant.moduleState("groups", () => ({ groups: new Map<string, unknown>() })).groups;
  return groups instanceof Map && groups.has(id);
}

function applyUpdate(
  req: SimRequest,
  s: SpaceRecord,
  upd: { name?: unknown; description?: unknown; ownerId?: unknown },
): SimResponse | null {
  if (upd.name !== undefined) {
    const err = validName(upd.name);
    if (err) return badRequest("SPACES-400", err, "/name");
    if (nameTaken(req.tenant, upd.name as string, s.id))
      return conflict("SPACES-409", `A space named '${String(upd.name)}' already exists.`);
  }
  if (upd.description !== undefined && typeof upd.description !== "string")
    return badRequest("SPACES-400", "description must be a string.", "/description");
  if (upd.ownerId !== undefined) {
    if (typeof upd.ownerId !== "string" || !userExists(req.tenant, upd.ownerId))
      return badRequest(
        "SPACES-400",
        `ownerId '${String(upd.ownerId)}' is not an existing user.`,
        "/ownerId",
      );
  }
  if (upd.name !== undefined) s.name = upd.name as string;
  if (upd.description !== undefined) s.description = upd.description as string;
  if (upd.ownerId !== undefined) s.ownerId = upd.ownerId as string;
  s.updatedAt = new Date().toISOString();
  return null;
}

export const spacesRouteModule: RouteModule = (routes, ctx) => {
  routes.add({
    method: "GET",
    pattern: "/api/v1/spaces",
    tier: "tier1",
    handler: (req) => {
      const limit = parseLimit(req, 10, 100, "SPACES-400");
      if (typeof limit !== "number") return limit;
      let list = [...req.tenant.spaces.values()];
      const name = req.query.get("name");
      if (name) list = list.filter((s) => s.name.toLowerCase().includes(name.toLowerCase()));
      const type = req.query.get("type");
      if (type) {
        const types = type.split(",").map((t) => t.trim());
        const bad = types.find((t) => !(SPACE_TYPES as readonly string[]).includes(t));
        if (bad)
          return badRequest("SPACES-400", `type '${bad}' is not a space type; use shared, managed or data.`);
        list = list.filter((s) => types.includes(s.type));
      }
      const ownerId = req.query.get("ownerId");
      if (ownerId) list = list.filter((s) => s.ownerId === ownerId);
      const sorted = sortList(
        list,
        req.query.get("sort"),
        ["name", "type", "createdAt"],
        (s, f) => (s as unknown as Record<string, unknown>)[f],
      );
      if (!sorted) return badRequest("SPACES-400", "sort supports name, type and createdAt.");
      const p = page(req, sorted, limit);
      if (isResponse(p)) return p;
      return json(200, {
        data: p.data.map((s) => spaceView(req, s)),
        links: p.links,
        meta: { count: sorted.length },
      });
    },
  });

  routes.add({
    method: "GET",
    pattern: "/api/v1/spaces/types",
    tier: "tier1",
    handler: () => json(200, { data: [...SPACE_TYPES] }),
  });

  routes.add({
    method: "POST",
    pattern: "/api/v1/spaces",
    tier: "tier2",
    handler: (req) => {
      const b = objectBody(req);
      if (!b) return badRequest("SPACES-400", "The request body must be a JSON object with name and type.");
      const err = validName(b.name);
      if (err) return badRequest("SPACES-400", err, "/name");
      if (!(SPACE_TYPES as readonly unknown[]).includes(b.type))
        return badRequest(
          "SPACES-400",
          "type is required and must be one of shared, managed or data.",
          "/type",
        );
      if (b.description !== undefined && typeof b.description !== "string")
        return badRequest("SPACES-400", "description must be a string.", "/description");
      if (nameTaken(req.tenant, b.name as string))
        return conflict("SPACES-409", `A space named '${String(b.name)}' already exists.`);
      const s = createSpaceRecord(ctx, req.tenant, {
        name: b.name as string,
        type: b.type as SpaceRecord["type"],
        description: (b.description as string | undefined) ?? "",
        ownerId: req.principal!.userId,
      });
      return json(201, spaceView(req, s));
    },
  });

  routes.add({
    method: "GET",
    pattern: "/api/v1/spaces/:spaceId",
    tier: "tier1",
    handler: (req) => {
      const s = getSpace(req);
      return isResponse(s) ? s : json(200, spaceView(req, s));
    },
  });

  routes.add({
    method: "PUT",
    pattern: "/api/v1/spaces/:spaceId",
    tier: "tier2",
    handler: (req) => {
      const s = getSpace(req);
      if (isResponse(s)) return s;
      const b = objectBody(req);
      if (!b) return badRequest("SPACES-400", "The request body must be a JSON object.");
      const err = applyUpdate(req, s, b);
      return err ?? json(200, spaceView(req, s));
    },
  });

  routes.add({
    method: "PATCH",
    pattern: "/api/v1/spaces/:spaceId",
    tier: "tier2",
    handler: (req) => {
      const s = getSpace(req);
      if (isResponse(s)) return s;
      if (!Array.isArray(req.body) || req.body.length === 0)
        return badRequest("SPACES-400", "The request body must be a non-empty JSON Patch array.");
      const upd: Record<string, unknown> = {};
      for (const [i, raw] of (req.body as unknown[]).entries()) {
        const op = raw as Record<string, unknown> | null;
        if (!op || op.op !== "replace")
          return badRequest("SPACES-400", `Operation ${i}: only "replace" is supported.`);
        if (!["/name", "/description", "/ownerId"].includes(op.path as string))
          return badRequest("SPACES-400", `Operation ${i}: path must be /name, /description or /ownerId.`);
        upd[(op.path as string).slice(1)] = op.value;
      }
      const err = applyUpdate(req, s, upd);
      return err ?? json(200, spaceView(req, s));
    },
  });

  routes.add({
    method: "DELETE",
    pattern: "/api/v1/spaces/:spaceId",
    tier: "tier2",
    handler: (req) => {
      const s = getSpace(req);
      if (isResponse(s)) return s;
      req.tenant.spaces.delete(s.id);
      for (const [id, a] of req.tenant.assignments) if (a.spaceId === s.id) req.tenant.assignments.delete(id);
      return { status: 204 };
    },
  });

  // ---------------------------------------------------------------- assignments

  routes.add({
    method: "GET",
    pattern: "/api/v1/spaces/:spaceId/assignments",
    tier: "tier1",
    handler: (req) => {
      const s = getSpace(req);
      if (isResponse(s)) return s;
      const limit = parseLimit(req, 10, 100, "SPACES-400");
      if (typeof limit !== "number") return limit;
      let list = [...req.tenant.assignments.values()].filter((a) => a.spaceId === s.id);
      const type = req.query.get("type");
      if (type) list = list.filter((a) => a.type === type);
      const assigneeId = req.query.get("assigneeId");
      if (assigneeId) list = list.filter((a) => a.assigneeId === assigneeId);
      const p = page(req, list, limit);
      if (isResponse(p)) return p;
      return json(200, {
        data: p.data.map((a) => assignmentView(req, a)),
        links: p.links,
        meta: { count: list.length },
      });
    },
  });

  routes.add({
    method: "POST",
    pattern: "/api/v1/spaces/:spaceId/assignments",
    tier: "tier2",
    handler: (req) => {
      const s = getSpace(req);
      if (isResponse(s)) return s;
      const b = objectBody(req);
      if (!b)
        return badRequest(
          "SPACES-400",
          "The request body must be a JSON object with type, assigneeId and roles.",
        );
      if (b.type !== "user" && b.type !== "group")
        return badRequest("SPACES-400", "type must be user or group.", "/type");
      if (typeof b.assigneeId !== "string" || b.assigneeId === "")
        return badRequest("SPACES-400", "assigneeId is required.", "/assigneeId");
      const rolesErr = validateRoles(s, b.roles);
      if (rolesErr) return rolesErr;
      const exists =
        b.type === "user" ? userExists(req.tenant, b.assigneeId) : groupExists(req.tenant, b.assigneeId);
      if (!exists) return notFound("SPACES-404", `The ${b.type} '${b.assigneeId}' was not found.`);
      for (const a of req.tenant.assignments.values()) {
        if (a.spaceId === s.id && a.assigneeId === b.assigneeId)
          return conflict(
            "SPACES-409",
            `The ${b.type} '${b.assigneeId}' already has an assignment in space '${s.name}'.`,
          );
      }
      const a: SpaceAssignment = {
        id: ctx.newId("hex"),
        spaceId: s.id,
        type: b.type,
        assigneeId: b.assigneeId,
        roles: [...new Set(b.roles as string[])],
        createdAt: ctx.now().toISOString(),
      };
      req.tenant.assignments.set(a.id, a);
      return json(201, assignmentView(req, a));
    },
  });

  const getAssignment = (req: SimRequest): SpaceAssignment | SimResponse => {
    const s = getSpace(req);
    if (isResponse(s)) return s;
    const a = req.tenant.assignments.get(req.params.assignmentId);
    if (!a || a.spaceId !== s.id)
      return notFound(
        "SPACES-404",
        `Assignment '${req.params.assignmentId}' was not found in space '${s.id}'.`,
      );
    return a;
  };

  routes.add({
    method: "GET",
    pattern: "/api/v1/spaces/:spaceId/assignments/:assignmentId",
    tier: "tier1",
    handler: (req) => {
      const a = getAssignment(req);
      return isResponse(a) ? a : json(200, assignmentView(req, a));
    },
  });

  routes.add({
    method: "PUT",
    pattern: "/api/v1/spaces/:spaceId/assignments/:assignmentId",
    tier: "tier2",
    handler: (req) => {
      const a = getAssignment(req);
      if (isResponse(a)) return a;
      const b = objectBody(req);
      if (!b) return badRequest("SPACES-400", "The request body must be a JSON object with roles.");
      const err = validateRoles(req.tenant.spaces.get(a.spaceId)!, b.roles);
      if (err) return err;
      a.roles = [...new Set(b.roles as string[])];
      return json(200, assignmentView(req, a));
    },
  });

  routes.add({
    method: "DELETE",
    pattern: "/api/v1/spaces/:spaceId/assignments/:assignmentId",
    tier: "tier2",
    handler: (req) => {
      const a = getAssignment(req);
      if (isResponse(a)) return a;
      req.tenant.assignments.delete(a.id);
      return { status: 204 };
    },
  });
};

function validateRoles(s: SpaceRecord, roles: unknown): SimResponse | null {
  if (!Array.isArray(roles) || roles.length === 0)
    return badRequest("SPACES-400", "roles must be a non-empty list.", "/roles");
  const allowed = ASSIGNABLE_ROLES[s.type];
  const bad = roles.find((r) => typeof r !== "string" || !allowed.includes(r));
  if (bad !== undefined)
    return badRequest(
      "SPACES-400",
      `Role '${String(bad)}' cannot be assigned in a ${s.type} space; assignable roles: ${allowed.join(", ")}.`,
      "/roles",
    );
  return null;
}
