/**
 * Users: `/api/v1/users` (list with RFC 7644-style filter, create, get, JSON-patch, delete, `/me`,
 * `actions/count`, `actions/filter`). Users live in the shared `tenant.users` map (the HTTP core seeds the
 * tenant's admin there and authenticates principals against it).
 */
import { qlikError } from "../../http/types.ts";
import type { RouteModule, SimContext, SimRequest, UserRecord } from "../../http/types.ts";
import { groupsState } from "./groups.ts";
import { resolveRoles } from "./roles.ts";
import {
  addFilterableList,
  badRequest,
  filterBy,
  isResponse,
  listResponse,
  noContent,
  notFound,
  objectBody,
  ok,
  patchOps,
  redirect,
} from "./util.ts";

function userView(req: SimRequest, u: UserRecord) {
  return {
    id: u.id,
    tenantId: req.tenant.id,
    subject: u.subject,
    name: u.name,
    email: u.email,
    status: u.status,
    assignedRoles: u.assignedRoles,
    assignedGroups: u.assignedGroups,
    assignedScopes: [] as string[],
    createdAt: u.createdAt,
    lastUpdatedAt: u.lastUpdatedAt,
    links: { self: { href: `${req.baseUrl}/api/v1/users/${u.id}` } },
  };
}

const LEGACY_QUERY_FILTERS = ["subject", "email", "status", "role"] as const;

function listUsers(req: SimRequest, filter: string | null) {
  let users = filterBy(
    [...req.tenant.users.values()].filter((u) => u.status !== "deleted"),
    filter,
  );
  if (isResponse(users)) return users;
  for (const key of LEGACY_QUERY_FILTERS) {
    const v = req.query.get(key);
    if (v === null) continue;
    users = users.filter((u) =>
      key === "role"
        ? u.assignedRoles.some((r) => r.name.toLowerCase() === v.toLowerCase())
        : String(u[key]).toLowerCase() === v.toLowerCase(),
    );
  }
  return listResponse(req, users, {
    view: (u) => userView(req, u),
    sort: { fields: ["name", "id", "status", "subject", "email", "createdAt"], default: "+name" },
    defaultLimit: 20,
    totalResults: true,
  });
}

function resolveGroups(req: SimRequest, refs: unknown): { id: string; name: string }[] | string {
  if (!Array.isArray(refs)) return "assignedGroups must be an array of {id} or {name} references.";
  const groups = [...groupsState(req.tenant).groups.values()];
  const out: { id: string; name: string }[] = [];
  for (const ref of refs) {
    const r = (ref ?? {}) as { id?: unknown; name?: unknown };
    const g = groups.find(
      (x) => x.id === r.id || (typeof r.name === "string" && x.name.toLowerCase() === r.name.toLowerCase()),
    );
    if (!g) return `assignedGroups: group ${JSON.stringify(ref)} does not exist.`;
    if (!out.some((x) => x.id === g.id)) out.push({ id: g.id, name: g.name });
  }
  return out;
}

/** The user in the path, unless it does not exist or was deleted. */
function liveUser(req: SimRequest): UserRecord | undefined {
  const u = req.tenant.users.get(req.params.userId);
  return u && u.status !== "deleted" ? u : undefined;
}

export const usersModule: RouteModule = (routes, ctx: SimContext) => {
  // Qlik answers /me with a permanent redirect to the caller's own user resource.
  const me = (req: SimRequest) => {
    const id = req.principal?.userId;
    const u = id ? req.tenant.users.get(id) : undefined;
    return u
      ? redirect(301, `${req.baseUrl}/api/v1/users/${encodeURIComponent(u.id)}`)
      : notFound("User", id ?? "me");
  };

  routes.add({ method: "GET", pattern: "/api/v1/users/me", tier: "tier1", handler: me });
  addFilterableList(routes, "/api/v1/users", listUsers);
  routes.add({
    method: "GET",
    pattern: "/api/v1/users/actions/count",
    tier: "tier1",
    handler: (req) =>
      ok({ total: [...req.tenant.users.values()].filter((u) => u.status !== "deleted").length }),
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/users",
    tier: "tier2",
    handler: (req) => {
      const b = objectBody(req);
      if (!b || typeof b.subject !== "string" || b.subject.trim() === "")
        return badRequest("The user needs a non-empty 'subject'.");
      if (b.email !== undefined && (typeof b.email !== "string" || !/^[^@\s]+@[^@\s]+$/.test(b.email)))
        return badRequest(`'email' must be an email address, got ${JSON.stringify(b.email)}.`);
      if (b.name !== undefined && typeof b.name !== "string") return badRequest("'name' must be a string.");
      if (b.tenantId !== undefined && b.tenantId !== req.tenant.id)
        return badRequest(`'tenantId' ${JSON.stringify(b.tenantId)} is not this tenant.`);
      const subject = b.subject;
      if ([...req.tenant.users.values()].some((u) => u.subject === subject && u.status !== "deleted"))
        return qlikError(409, "USERS-409", "Conflict", `A user with subject '${subject}' already exists.`);
      const roles = resolveRoles(req.tenant, b.assignedRoles);
      if (typeof roles === "string") return badRequest(roles);
      const now = ctx.now().toISOString();
      const user: UserRecord = {
        id: ctx.newId("hex"),
        subject,
        name: typeof b.name === "string" ? b.name : typeof b.email === "string" ? b.email : subject,
        email: typeof b.email === "string" ? b.email : "",
        status: b.status === "invited" ? "invited" : "active",
        assignedRoles: roles,
        assignedGroups: [],
        createdAt: now,
        lastUpdatedAt: now,
      };
      req.tenant.users.set(user.id, user);
      ctx.emitEvent(req.tenant, "com.qlik.user.created", { id: user.id, subject, name: user.name });
      return ok(userView(req, user), 201);
    },
  });
  routes.add({
    method: "GET",
    pattern: "/api/v1/users/:userId",
    tier: "tier1",
    handler: (req) => {
      if (req.params.userId === "me") return me(req);
      const u = liveUser(req);
      return u ? ok(userView(req, u)) : notFound("User", req.params.userId);
    },
  });
  routes.add({
    method: "PATCH",
    pattern: "/api/v1/users/:userId",
    tier: "tier2",
    handler: (req) => {
      const u = liveUser(req);
      if (!u) return notFound("User", req.params.userId);
      const ops = patchOps(req, (p) =>
        [
          "/name",
          "/status",
          "/assignedRoles",
          "/roles",
          "/assignedGroups",
          "/preferredLocale",
          "/preferredZoneinfo",
          "/inviteExpiry",
        ].includes(p),
      );
      if (isResponse(ops)) return ops;
      const next: UserRecord = structuredClone(u);
      for (const op of ops) {
        if (!["replace", "add", "remove-value", "set", "renew"].includes(op.op))
          return badRequest(`Patch op '${op.op}' is not supported for users.`);
        if (op.path === "/name") {
          if (typeof op.value !== "string" || op.value === "")
            return badRequest("'/name' needs a non-empty string.");
          next.name = op.value;
        } else if (op.path === "/status") {
          if (op.value !== "active" && op.value !== "disabled")
            return badRequest(`'/status' must be "active" or "disabled", got ${JSON.stringify(op.value)}.`);
          next.status = op.value;
        } else if (op.path === "/assignedRoles" || op.path === "/roles") {
          const refs =
            op.path === "/roles" && Array.isArray(op.value)
              ? (op.value as unknown[]).map((n) => (typeof n === "string" ? { name: n } : n))
              : op.value;
          const roles = resolveRoles(req.tenant, refs);
          if (typeof roles === "string") return badRequest(roles);
          if (op.op === "add") {
            for (const r of roles)
              if (!next.assignedRoles.some((x) => x.id === r.id)) next.assignedRoles.push(r);
          } else if (op.op === "remove-value") {
            next.assignedRoles = next.assignedRoles.filter((x) => !roles.some((r) => r.id === x.id));
          } else next.assignedRoles = roles;
        } else if (op.path === "/assignedGroups") {
          const groups = resolveGroups(req, op.value);
          if (typeof groups === "string") return badRequest(groups);
          if (op.op === "add") {
            for (const g of groups)
              if (!next.assignedGroups.some((x) => x.id === g.id)) next.assignedGroups.push(g);
          } else if (op.op === "remove-value") {
            next.assignedGroups = next.assignedGroups.filter((x) => !groups.some((g) => g.id === x.id));
          } else next.assignedGroups = groups;
        }
        // preferredLocale / preferredZoneinfo / inviteExpiry are accepted and not modelled.
      }
      next.lastUpdatedAt = ctx.now().toISOString();
      Object.assign(u, next);
      ctx.emitEvent(req.tenant, "com.qlik.user.updated", { id: u.id, subject: u.subject, name: u.name });
      return noContent();
    },
  });
  routes.add({
    method: "DELETE",
    pattern: "/api/v1/users/:userId",
    tier: "tier2",
    handler: (req) => {
      const u = liveUser(req);
      if (!u) return notFound("User", req.params.userId);
      req.tenant.users.delete(u.id);
      ctx.emitEvent(req.tenant, "com.qlik.user.deleted", { id: u.id, subject: u.subject });
      return noContent();
    },
  });
};
