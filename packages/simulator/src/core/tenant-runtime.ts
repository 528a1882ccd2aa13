/**
 * The runtime side of one tenant (listener, credentials, faults, request log) and its lazily created
 * data (`TenantState`): a tenant nobody talks to costs a listener and a few fields, nothing more.
 */
import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import type {
  AppRecord,
  ItemRecord,
  SpaceAssignment,
  SpaceRecord,
  TenantState,
  UserRecord,
} from "../http/types.ts";
import type { AppDocument } from "../model/app-document.ts";
import { TenantFaults } from "./faults.ts";
import type { FaultConfig } from "./faults.ts";

export interface RequestLogEntry {
  at: string;
  method: string;
  path: string;
  status: number | "dropped";
  fault?: string;
  userId?: string;
}

export interface Endpoint {
  kind: "tenant" | "region";
  name: string;
  region: string;
  port: number;
  server: Server | null;
  url: string;
  faults: TenantFaults;
  sockets: Set<Socket>;
  wsClients: Set<WebSocket>;
  requestLog: RequestLogEntry[];
  counters: { requests: number; mutations: number; faults: number; byStatus: Record<string, number> };
  /** The tenant state requests on this endpoint see (for a region: a pseudo-tenant). */
  state(): TenantState;
}

const LOG_LIMIT = 5000;

export function logRequest(ep: Endpoint, entry: RequestLogEntry): void {
  ep.counters.requests++;
  if (entry.method !== "GET" && entry.method !== "HEAD") ep.counters.mutations++;
  const key = String(entry.status);
  ep.counters.byStatus[key] = (ep.counters.byStatus[key] ?? 0) + 1;
  if (entry.fault) ep.counters.faults++;
  ep.requestLog.push(entry);
  if (ep.requestLog.length > LOG_LIMIT) ep.requestLog.splice(0, ep.requestLog.length - LOG_LIMIT);
}

export function newTenantState(init: {
  id: string;
  name: string;
  hostname: string;
  url: string;
  region: string;
  createdAt: string;
  licenseKey?: string;
  hostnameAliases?: string[];
}): TenantState & { readonly moduleStates: Map<string, unknown> } {
  const moduleStates = new Map<string, unknown>();
  return {
    id: init.id,
    name: init.name,
    hostname: init.hostname,
    url: init.url,
    region: init.region,
    status: "active",
    hostnameAliases: init.hostnameAliases ?? [],
    createdAt: init.createdAt,
    ...(init.licenseKey ? { licenseKey: init.licenseKey } : {}),
    apps: new Map<string, AppRecord>(),
    docs: new Map<string, AppDocument>(),
    spaces: new Map<string, SpaceRecord>(),
    assignments: new Map<string, SpaceAssignment>(),
    items: new Map<string, ItemRecord>(),
    users: new Map<string, UserRecord>(),
    moduleStates,
    moduleState<T>(module: string, init: () => T): T {
      if (!moduleStates.has(module)) moduleStates.set(module, init());
      return moduleStates.get(module) as T;
    },
  };
}

export type StatefulTenant = ReturnType<typeof newTenantState>;

export class TenantRuntime implements Endpoint {
  readonly kind = "tenant" as const;
  readonly id: string;
  name: string;
  readonly region: string;
  /** "initial" tenants are seeded; "registration" tenants start empty. */
  readonly origin: "initial" | "registration";
  readonly index: number;
  readonly adminUserId: string;
  readonly createdAt: string;
  port = 0;
  server: Server | null = null;
  url = "";
  hostnameAliases: string[] = [];
  licenseKey: string | undefined;
  faults: TenantFaults;
  sockets = new Set<Socket>();
  wsClients = new Set<WebSocket>();
  requestLog: RequestLogEntry[] = [];
  counters = { requests: 0, mutations: 0, faults: 0, byStatus: {} as Record<string, number> };
  /** Extra OAuth clients registered through `ctx.registerOAuthClient`. */
  oauthClients = new Map<string, { clientSecret: string; userId: string }>();
  revokedClients = new Set<string>();
  revokedKeys = new Set<string>();
  /** Non-null once materialised. */
  data: StatefulTenant | null = null;
  private readonly materialize: (rt: TenantRuntime) => StatefulTenant;

  constructor(init: {
    id: string;
    name: string;
    region: string;
    origin: "initial" | "registration";
    index: number;
    adminUserId: string;
    createdAt: string;
    faults: FaultConfig;
    materialize: (rt: TenantRuntime) => StatefulTenant;
  }) {
    this.id = init.id;
    this.name = init.name;
    this.region = init.region;
    this.origin = init.origin;
    this.index = init.index;
    this.adminUserId = init.adminUserId;
    this.createdAt = init.createdAt;
    this.faults = new TenantFaults(init.faults);
    this.materialize = init.materialize;
  }

  get hostname(): string {
    return this.url ? new URL(this.url).host : "";
  }

  state(): StatefulTenant {
    if (!this.data) this.data = this.materialize(this);
    return this.data;
  }
}
