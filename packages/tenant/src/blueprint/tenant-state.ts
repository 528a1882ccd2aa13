import type { QlikClient } from "@qlik-cicd/qlik-client";

/** What configure-tenant reads from a tenant before it plans (only what a blueprint can manage). */
export interface UserState {
  id: string;
  subject: string;
  name: string;
  email: string;
  status: string;
  roles: string[];
}

export interface SpaceState {
  id: string;
  name: string;
  type: string;
  description: string;
}

export interface AssignmentState {
  id: string;
  type: "user" | "group";
  assigneeId: string;
  roles: string[];
}

export interface OAuthClientState {
  id: string;
  clientId: string;
  clientName: string;
  description: string;
  appType: string;
  allowedGrantTypes: string[];
  allowedScopes: string[];
  redirectUris: string[];
  allowedOrigins: string[];
}

export interface IdpState {
  id: string;
  protocol: string;
  provider: string;
  description: string;
  options: Record<string, unknown>;
  pendingOptions?: Record<string, unknown>;
}

export interface BrandState {
  id: string;
  name: string;
  description: string;
  active: boolean;
}

export interface WebhookState {
  id: string;
  name: string;
  url: string;
  eventTypes: string[];
  filter: string;
  enabled: boolean;
  secretKeyAdded: boolean;
}

export interface TenantInfo {
  id: string;
  name: string;
  hostnames: string[];
  settings: Record<string, boolean>;
}

export interface TenantSnapshot {
  tenant: TenantInfo;
  /** The user the credentials act as: never deprovisioned. */
  me: { id: string; subject: string };
  users: UserState[];
  spaces: SpaceState[];
  oauthClients: OAuthClientState[];
  idps: IdpState[];
  brands: BrandState[];
  webhooks: WebhookState[];
}

type Json = Record<string, unknown>;

/** GETs every page of a Qlik list endpoint (`data` + `links.next.href`). */
export async function listAll(client: QlikClient, path: string, resource: string): Promise<Json[]> {
  const out: Json[] = [];
  let url: string | undefined = `${path}${path.includes("?") ? "&" : "?"}limit=100`;
  for (let page = 0; url && page < 200; page++) {
    const res = await client.fetch({ tier: "read", method: "GET", resource, url });
    const data = (res.data?.data ?? []) as Json[];
    out.push(...data);
    const next = (res.data?.links as { next?: { href?: string } } | undefined)?.next?.href;
    url = next && data.length > 0 ? next : undefined;
  }
  return out;
}

export async function getJson(client: QlikClient, url: string, resource: string): Promise<Json> {
  const res = await client.fetch({ tier: "read", method: "GET", resource, url });
  return (res.data ?? {}) as Json;
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === "string") : []);

export function toUser(u: Json): UserState {
  const roles = Array.isArray(u.assignedRoles)
    ? (u.assignedRoles as { name?: unknown }[]).map((r) => str(r?.name)).filter(Boolean)
    : [];
  return {
    id: str(u.id),
    subject: str(u.subject),
    name: str(u.name),
    email: str(u.email),
    status: str(u.status),
    roles: roles.sort(),
  };
}

export async function readAssignments(client: QlikClient, spaceId: string): Promise<AssignmentState[]> {
  const list = await listAll(
    client,
    `/api/v1/spaces/${encodeURIComponent(spaceId)}/assignments`,
    "/api/v1/spaces/{id}/assignments",
  );
  return list.map((a) => ({
    id: str(a.id),
    type: a.type === "group" ? "group" : "user",
    assigneeId: str(a.assigneeId),
    roles: strs(a.roles).sort(),
  }));
}

export async function findGroupId(client: QlikClient, name: string): Promise<string | undefined> {
  const filter = encodeURIComponent(`name eq ${JSON.stringify(name)}`);
  const list = await listAll(client, `/api/v1/groups?filter=${filter}`, "/api/v1/groups");
  const match = list.find((g) => str(g.name).toLowerCase() === name.toLowerCase());
  return match ? str(match.id) : undefined;
}

/** Reads everything a blueprint manages, in parallel (reads are cheap: tier 1). */
export async function readTenantSnapshot(client: QlikClient): Promise<TenantSnapshot> {
  const [tenant, me, users, spaces, oauthClients, idps, brands, webhooks] = await Promise.all([
    getJson(client, "/api/v1/tenants/me", "/api/v1/tenants/me"),
    getJson(client, "/api/v1/users/me", "/api/v1/users/me"),
    listAll(client, "/api/v1/users", "/api/v1/users"),
    listAll(client, "/api/v1/spaces", "/api/v1/spaces"),
    listAll(client, "/api/v1/oauth-clients", "/api/v1/oauth-clients"),
    listAll(client, "/api/v1/identity-providers", "/api/v1/identity-providers"),
    listAll(client, "/api/v1/brands", "/api/v1/brands"),
    listAll(client, "/api/v1/webhooks", "/api/v1/webhooks"),
  ]);
  const settings: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(tenant)) if (typeof v === "boolean") settings[k] = v;
  return {
    tenant: { id: str(tenant.id), name: str(tenant.name), hostnames: strs(tenant.hostnames), settings },
    me: { id: str(me.id), subject: str(me.subject) },
    users: users.map(toUser).filter((u) => u.status !== "deleted"),
    spaces: spaces.map((s) => ({
      id: str(s.id),
      name: str(s.name),
      type: str(s.type),
      description: str(s.description),
    })),
    oauthClients: oauthClients.map((c) => ({
      id: str(c.id) || str(c.clientId),
      clientId: str(c.clientId) || str(c.id),
      clientName: str(c.clientName),
      description: str(c.description),
      appType: str(c.appType),
      allowedGrantTypes: strs(c.allowedGrantTypes).sort(),
      allowedScopes: strs(c.allowedScopes).sort(),
      redirectUris: strs(c.redirectUris).sort(),
      allowedOrigins: strs(c.allowedOrigins).sort(),
    })),
    idps: idps.map((i) => ({
      id: str(i.id),
      protocol: str(i.protocol),
      provider: str(i.provider),
      description: str(i.description),
      options: (i.options as Json | undefined) ?? {},
      ...(i.pendingOptions ? { pendingOptions: i.pendingOptions as Json } : {}),
    })),
    brands: brands.map((b) => ({
      id: str(b.id),
      name: str(b.name),
      description: str(b.description),
      active: b.active === true,
    })),
    webhooks: webhooks.map((w) => ({
      id: str(w.id),
      name: str(w.name),
      url: str(w.url),
      eventTypes: strs(w.eventTypes).sort(),
      filter: str(w.filter),
      enabled: w.enabled !== false,
      secretKeyAdded: w.secretKeyAdded === true,
    })),
  };
}
