/**
 * Contracts between the simulator's HTTP core (server, tenants, auth, faults, rate limits) and the
 * REST route modules. A route module is a function that registers routes; it keeps its own per-tenant
 * state through `tenant.moduleState()` unless the data is shared (apps, spaces, users below).
 */
import type { AppDocument, JsonObject } from "../model/app-document.ts";

/** Rate-limit tier a route counts against (Qlik: tier 1 reads 1,000/min, tier 2 writes 100/min, reloads 50/min). */
export type RateTier = "tier1" | "tier2" | "reloads" | "none";

export interface Principal {
  userId: string;
  /** "apikey" | "oauth" — how the caller authenticated. */
  via: "apikey" | "oauth";
  /** Set when a regional Platform Operations client obtained the token. */
  regionalClientId?: string;
}

export interface SpaceRecord {
  id: string;
  name: string;
  type: "shared" | "managed" | "data";
  description: string;
  ownerId: string;
  createdAt: string;
  updatedAt: string;
}

export interface SpaceAssignment {
  id: string;
  spaceId: string;
  type: "user" | "group";
  assigneeId: string;
  roles: string[];
  createdAt: string;
}

export interface AppRecord {
  id: string;
  name: string;
  description: string;
  spaceId: string | null;
  ownerId: string;
  createdDate: string;
  modifiedDate: string;
  published: boolean;
  publishTime: string | null;
  /** For a published copy: the source app it was published from. */
  originAppId: string | null;
  /** Custom attributes clients set through PUT /apps/{id} (kept as given). */
  custom: JsonObject;
}

export interface ItemRecord {
  id: string;
  name: string;
  resourceType: string;
  resourceId: string;
  spaceId: string | null;
  ownerId: string;
  createdAt: string;
  updatedAt: string;
  resourceAttributes: JsonObject;
}

export interface UserRecord {
  id: string;
  subject: string;
  name: string;
  email: string;
  status: "active" | "disabled" | "invited" | "deleted";
  assignedRoles: { id: string; name: string; type: string; level: string }[];
  assignedGroups: { id: string; name: string }[];
  createdAt: string;
  lastUpdatedAt: string;
}

/** One simulated tenant: its own origin, credentials and data. */
export interface TenantState {
  id: string;
  name: string;
  hostname: string;
  /** Base URL, e.g. http://127.0.1.7:8123 */
  url: string;
  region: string;
  status: "active" | "disabled";
  /** Other hostnames the tenant answers to (e.g. the registration alias `acme.eu.qlikcloud.com`). */
  hostnameAliases?: string[];
  createdAt?: string;
  /** Set for tenants created through a region's registration API. */
  licenseKey?: string;
  apps: Map<string, AppRecord>;
  docs: Map<string, AppDocument>;
  spaces: Map<string, SpaceRecord>;
  assignments: Map<string, SpaceAssignment>;
  items: Map<string, ItemRecord>;
  users: Map<string, UserRecord>;
  /** Per-module private state, created on first use. */
  moduleState<T>(module: string, init: () => T): T;
}

export interface SimRequest {
  method: string;
  /** Path without query string, e.g. /api/v1/spaces/abc */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined when empty / not JSON. */
  body: unknown;
  rawBody: Buffer;
  params: Record<string, string>;
  tenant: TenantState;
  /** Null only on routes registered with `auth: "none"`. */
  principal: Principal | null;
  /** Absolute base URL of the tenant the request came to. */
  baseUrl: string;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw bytes instead of JSON (exports, downloads). */
  raw?: Buffer;
}

export type Handler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

export interface RouteDef {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Express-like pattern: /api/v1/spaces/:spaceId/assignments */
  pattern: string;
  tier: RateTier;
  auth?: "required" | "none";
  handler: Handler;
}

export interface RouteRegistry {
  add(route: RouteDef): void;
}

/** Shared services route modules may use. */
export interface SimContext {
  now(): Date;
  /** Deterministic id generator (seeded): 24 hex chars like Qlik's ids, or a UUID-like form for apps. */
  newId(kind?: "hex" | "uuid"): string;
  /** Timings that are slow on Qlik Cloud, short by default (ms). */
  timings: {
    reloadMs: number;
    evaluationMs: number;
    publishAccessWindowMs: number;
    retryAfterSeconds: number;
    automationRunMs: number;
  };
  /** Deterministic random in [0,1) for a named stream (evaluation noise, faults). */
  random(stream: string): number;
  /** Delivers a webhook event of `eventType` for `tenant` to every matching registered webhook. */
  emitEvent(tenant: TenantState, eventType: string, data: JsonObject): void;
  /** Look up any tenant (Platform Operations creates tenants; regional tokens span tenants). */
  tenants(): Iterable<TenantState>;
  /**
   * Creates a tenant in `region` with its own origin (Platform Operations registration). The new tenant
   * is empty (no spaces, no apps); the region's OAuth client can obtain tokens for it.
   */
  createTenant(
    region: string,
    opts: { name?: string; hostnameAlias?: string; licenseKey?: string },
  ): Promise<TenantState>;
  /** Finds a tenant by its hostname (`127.0.0.1:PORT`), URL, alias (`acme.eu.qlikcloud.com`), name or id. */
  findTenantByHostname(hostname: string): TenantState | undefined;
  /** Runs `fn` after `ms`; every pending timer is cancelled when the simulator stops. */
  setTimer(ms: number, fn: () => void): { cancel(): void };
  /** Subscribes to every `emitEvent` (webhook delivery listens here). Returns an unsubscribe function. */
  onEvent(listener: (tenant: TenantState, eventType: string, data: JsonObject) => void): () => void;
  /** Registers an OAuth client on `tenant`: client credentials at `POST /oauth/token` then act as `userId`. */
  registerOAuthClient(
    tenant: TenantState,
    client: { clientId: string; clientSecret: string; userId: string },
  ): void;
  /** Removes an OAuth client; tokens it already issued stop working. */
  revokeOAuthClient(tenant: TenantState, clientId: string): void;
  /** Issues an API key for `userId` on `tenant` (a bearer token valid on that tenant only). */
  issueApiKey(tenant: TenantState, userId: string): { id: string; key: string };
  /** Revokes an API key by the id `issueApiKey` returned. */
  revokeApiKey(tenant: TenantState, keyId: string): void;
}

export type RouteModule = (routes: RouteRegistry, ctx: SimContext) => void;

/** Qlik's error shape: {"errors":[{"code","title","detail"}]}; the server adds a trace id header. */
export function qlikError(status: number, code: string, title: string, detail?: string): SimResponse {
  return {
    status,
    body: { errors: [{ code, title, ...(detail ? { detail } : {}), status: String(status) }] },
  };
}
