import { getBrands } from "@qlik/api/brands";
import { getGroups } from "@qlik/api/groups";
import { getIdps } from "@qlik/api/identity-providers";
import {
  getOAuthClients,
  type OAuthClientAdminListItem,
  type OAuthClientReadResponse,
} from "@qlik/api/oauth-clients";
import { getSpaceAssignments, getSpaces } from "@qlik/api/spaces";
import { getMyTenant } from "@qlik/api/tenants";
import { getMyUser, getUsers, type User } from "@qlik/api/users";
import { getWebhooks } from "@qlik/api/webhooks";
import { allPages, type CallSpec, type QlikClient } from "@qlik-cicd/qlik-client";

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

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === "string") : []);

/** A list call's spec: a read, named for the audit and messages by its path. */
function listing(resource: string): CallSpec {
  return { tier: "read", method: "GET", resource };
}

function toUser(u: User): UserState {
  const roles = (u.assignedRoles ?? []).map((r) => str(r?.name)).filter(Boolean);
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
  const list = await allPages(client, listing("/api/v1/spaces/{id}/assignments"), (opts) =>
    getSpaceAssignments(spaceId, { limit: 100 }, opts),
  );
  return list.map((a) => ({
    id: str(a.id),
    type: a.type === "group" ? "group" : "user",
    assigneeId: str(a.assigneeId),
    roles: strs(a.roles).sort(),
  }));
}

export async function findGroupId(client: QlikClient, name: string): Promise<string | undefined> {
  const filter = `name eq ${JSON.stringify(name)}`;
  const list = await allPages(client, listing("/api/v1/groups"), (opts) =>
    getGroups({ filter, limit: 100 }, opts),
  );
  const match = list.find((g) => str(g.name).toLowerCase() === name.toLowerCase());
  return match ? str(match.id) : undefined;
}

/** Reads everything a blueprint manages, in parallel (reads are cheap: tier 1). */
export async function readTenantSnapshot(client: QlikClient): Promise<TenantSnapshot> {
  const [tenant, me, users, spaces, oauthClients, idps, brands, webhooks] = await Promise.all([
    client.call(listing("/api/v1/tenants/me"), (opts) => getMyTenant(opts)).then((r) => r.data),
    client.call(listing("/api/v1/users/me"), (opts) => getMyUser(opts)).then((r) => r.data),
    allPages(client, listing("/api/v1/users"), (opts) => getUsers({ limit: 100 }, opts)),
    allPages(client, listing("/api/v1/spaces"), (opts) => getSpaces({ limit: 100 }, opts)),
    // Admin items (what a tenant admin reads) or, for other users, items without the admin fields.
    allPages<OAuthClientAdminListItem | OAuthClientReadResponse>(
      client,
      listing("/api/v1/oauth-clients"),
      (opts) => getOAuthClients({ limit: 100 }, opts),
    ),
    allPages(client, listing("/api/v1/identity-providers"), (opts) => getIdps({ limit: 100 }, opts)),
    allPages(client, listing("/api/v1/brands"), (opts) => getBrands({ limit: 100 }, opts)),
    allPages(client, listing("/api/v1/webhooks"), (opts) => getWebhooks({ limit: 100 }, opts)),
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
      id: str(c.clientId),
      clientId: str(c.clientId),
      clientName: str(c.clientName),
      description: str(c.description),
      appType: str(c.appType),
      allowedGrantTypes: strs(c.allowedGrantTypes).sort(),
      allowedScopes: strs(c.allowedScopes).sort(),
      redirectUris: strs("redirectUris" in c ? c.redirectUris : undefined).sort(),
      allowedOrigins: strs("allowedOrigins" in c ? c.allowedOrigins : undefined).sort(),
    })),
    idps: idps.map((i) => ({
      id: str(i.id),
      protocol: str(i.protocol),
      provider: str(i.provider),
      description: str(i.description),
      options: (i.options as Json | undefined) ?? {},
      ...("pendingOptions" in i && i.pendingOptions ? { pendingOptions: i.pendingOptions as Json } : {}),
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
