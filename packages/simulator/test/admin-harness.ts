/**
 * A minimal in-process driver for the admin route modules: a fake SimContext (seeded ids and random
 * streams, a clock that tests can move forward), fake tenants, and a router that calls RouteDefs the way the
 * HTTP core does (JSON bodies round-tripped through text so responses must be serialisable).
 */
import { createHash } from "node:crypto";
import type {
  Principal,
  RouteDef,
  RouteModule,
  SimContext,
  SimRequest,
  SimResponse,
  TenantState,
  UserRecord,
} from "../src/http/types.ts";
import type { AppDocument, JsonObject, ObjectRecord } from "../src/model/app-document.ts";
import { emptyAppDocument } from "../src/model/app-document.ts";

export interface HarnessOptions {
  seed?: string;
  timings?: Partial<SimContext["timings"]>;
}

export interface TestResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  raw?: Buffer;
}

function seededUnit(seed: string, stream: string, n: number): number {
  const h = createHash("sha256").update(`${seed}|${stream}|${n}`).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}

export class AdminHarness {
  readonly routes: { def: RouteDef; segments: (string | null)[]; names: (string | null)[] }[] = [];
  readonly tenantList: TenantState[] = [];
  readonly events: { tenant: string; eventType: string; data: JsonObject }[] = [];
  readonly registeredClients = new Map<string, { clientId: string; clientSecret: string; userId: string }>();
  readonly revokedClients = new Set<string>();
  readonly ctx: SimContext;
  /** Added to the clock: tests move time forward without waiting. */
  offsetMs = 0;
  /** When set, the clock stands still at this epoch ms (plus offsetMs): state changes happen only on advance(). */
  frozenAt: number | null = null;
  private idCounter = 0;
  private readonly streams = new Map<string, number>();
  private readonly listeners = new Set<(t: TenantState, e: string, d: JsonObject) => void>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  readonly seed: string;

  constructor(modules: RouteModule[], opts: HarnessOptions = {}) {
    this.seed = opts.seed ?? "test-seed";
    const timings = {
      reloadMs: 50,
      evaluationMs: 100,
      publishAccessWindowMs: 0,
      retryAfterSeconds: 1,
      automationRunMs: 100,
      ...opts.timings,
    };
    this.ctx = {
      now: () => new Date((this.frozenAt ?? Date.now()) + this.offsetMs),
      newId: (kind) => {
        const n = ++this.idCounter;
        const hex = createHash("sha256").update(`${this.seed}:id:${n}`).digest("hex");
        return kind === "uuid"
          ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
          : hex.slice(0, 24);
      },
      timings,
      random: (stream) => {
        const n = (this.streams.get(stream) ?? 0) + 1;
        this.streams.set(stream, n);
        return seededUnit(this.seed, stream, n);
      },
      emitEvent: (tenant, eventType, data) => {
        this.events.push({ tenant: tenant.id, eventType, data });
        for (const l of this.listeners) l(tenant, eventType, data);
      },
      tenants: () => this.tenantList,
      createTenant: async (region, o) => {
        const t = this.addTenant(o.name ?? `tenant-${this.tenantList.length + 1}`, region);
        if (o.hostnameAlias) t.hostnameAliases!.push(o.hostnameAlias);
        t.licenseKey = o.licenseKey;
        return t;
      },
      findTenantByHostname: (h) =>
        this.tenantList.find((t) => t.hostname === h || (t.hostnameAliases ?? []).includes(h)),
      setTimer: (ms, fn) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          fn();
        }, ms);
        this.timers.add(t);
        return { cancel: () => clearTimeout(t) };
      },
      onEvent: (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
      registerOAuthClient: (tenant, client) => {
        this.registeredClients.set(`${tenant.id}/${client.clientId}`, client);
        this.revokedClients.delete(`${tenant.id}/${client.clientId}`);
      },
      revokeOAuthClient: (tenant, clientId) => {
        this.registeredClients.delete(`${tenant.id}/${clientId}`);
        this.revokedClients.add(`${tenant.id}/${clientId}`);
      },
      issueApiKey: (_tenant, userId) => ({ id: `key-${userId}`, key: `apikey-${userId}` }),
      revokeApiKey: () => {},
    };
    const registry = {
      add: (def: RouteDef) => {
        const parts = def.pattern.split("/").filter(Boolean);
        this.routes.push({
          def,
          segments: parts.map((p) => (p.startsWith(":") ? null : p)),
          names: parts.map((p) => (p.startsWith(":") ? p.slice(1) : null)),
        });
      },
    };
    for (const m of modules) m(registry, this.ctx);
  }

  /** Cancels timers the harness context created. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Stops the clock (use for tests that assert intermediate states); advance() still moves it. */
  freeze(): void {
    this.frozenAt = Date.now();
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  addTenant(name: string, region = "eu"): TenantState {
    const moduleStates = new Map<string, unknown>();
    const index = this.tenantList.length + 1;
    const t: TenantState = {
      id: `tenant-${createHash("sha256").update(`${this.seed}:${name}`).digest("hex").slice(0, 16)}`,
      name,
      hostname: `127.0.0.1:${40000 + index}`,
      url: `http://127.0.0.1:${40000 + index}`,
      region,
      status: "active",
      hostnameAliases: [],
      createdAt: new Date().toISOString(),
      apps: new Map(),
      docs: new Map(),
      spaces: new Map(),
      assignments: new Map(),
      items: new Map(),
      users: new Map(),
      moduleState<T>(module: string, init: () => T): T {
        if (!moduleStates.has(module)) moduleStates.set(module, init());
        return moduleStates.get(module) as T;
      },
    };
    const admin: UserRecord = {
      id: `admin-${index}`,
      subject: `qlik-sim|${name}-admin`,
      name: `${name} admin`,
      email: `admin@${name}.example.com`,
      status: "active",
      assignedRoles: [{ id: "r-tenantadmin", name: "TenantAdmin", type: "default", level: "admin" }],
      assignedGroups: [],
      createdAt: t.createdAt!,
      lastUpdatedAt: t.createdAt!,
    };
    t.users.set(admin.id, admin);
    this.tenantList.push(t);
    return t;
  }

  adminOf(tenant: TenantState): Principal {
    const admin = [...tenant.users.values()].find((u) => u.subject.endsWith("-admin"))!;
    return { userId: admin.id, via: "apikey" };
  }

  /** Calls the matching route like the HTTP core (404/405 when nothing matches). */
  async request(
    tenant: TenantState,
    method: string,
    pathWithQuery: string,
    opts: {
      body?: unknown;
      rawBody?: Buffer;
      headers?: Record<string, string>;
      principal?: Principal | null;
    } = {},
  ): Promise<TestResponse> {
    const url = new URL(pathWithQuery, "http://sim.invalid");
    const parts = url.pathname.split("/").filter(Boolean);
    let best: { def: RouteDef; params: Record<string, string>; score: string } | null = null;
    let otherMethod = false;
    for (const r of this.routes) {
      if (r.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let score = "";
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = r.segments[i];
        if (seg !== null) {
          if (seg !== parts[i]) {
            ok = false;
            break;
          }
          score += "1";
        } else {
          params[r.names[i]!] = decodeURIComponent(parts[i]);
          score += "0";
        }
      }
      if (!ok) continue;
      if (r.def.method !== method) {
        otherMethod = true;
        continue;
      }
      if (!best || score > best.score) best = { def: r.def, params, score };
    }
    if (!best) return { status: otherMethod ? 405 : 404, body: undefined, headers: {} };
    const principal =
      opts.principal === undefined
        ? best.def.auth === "none"
          ? null
          : this.adminOf(tenant)
        : opts.principal;
    if (best.def.auth !== "none" && !principal) return { status: 401, body: undefined, headers: {} };
    const text = opts.body === undefined ? "" : JSON.stringify(opts.body);
    const rawBody = opts.rawBody ?? Buffer.from(text);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
    if (opts.body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
    const req: SimRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers,
      body: opts.body === undefined ? undefined : (JSON.parse(text) as unknown),
      rawBody,
      params: best.params,
      tenant,
      principal,
      baseUrl: tenant.url,
    };
    const res: SimResponse = await best.def.handler(req);
    return {
      status: res.status,
      body: res.body === undefined ? undefined : (JSON.parse(JSON.stringify(res.body)) as unknown),
      headers: res.headers ?? {},
      raw: res.raw,
    };
  }
}

// ------------------------------------------------------------------ app document fixtures

function objectRecord(
  id: string,
  type: string,
  properties: JsonObject,
  opts: { published?: boolean; parentId?: string | null; childIds?: string[] } = {},
): ObjectRecord {
  return {
    id,
    type,
    properties: { qInfo: { qId: id, qType: type }, ...properties },
    createdDate: "2026-01-01T00:00:00.000Z",
    modifiedDate: "2026-01-01T00:00:00.000Z",
    ownerId: "owner",
    published: opts.published ?? false,
    approved: opts.published ?? false,
    parentId: opts.parentId ?? null,
    childIds: opts.childIds ?? [],
  };
}

export interface ChartSpec {
  id: string;
  title?: string;
  visualization?: string;
  dims: string[];
  measures: string[];
}

function chart(spec: ChartSpec, parentId: string): ObjectRecord {
  return objectRecord(
    spec.id,
    spec.visualization ?? "barchart",
    {
      visualization: spec.visualization ?? "barchart",
      title: spec.title ?? spec.id,
      qHyperCubeDef: {
        qDimensions: spec.dims.map((d) => ({ qDef: { qFieldDefs: [d] } })),
        qMeasures: spec.measures.map((m) => ({ qDef: { qDef: m } })),
      },
    },
    { parentId },
  );
}

/** Adds a sheet with charts to a document. */
export function addSheet(
  doc: AppDocument,
  sheetId: string,
  title: string,
  published: boolean,
  charts: ChartSpec[],
): void {
  const children = charts.map((c) => chart(c, sheetId));
  doc.objects.set(
    sheetId,
    objectRecord(
      sheetId,
      "sheet",
      { qMetaDef: { title }, cells: children.map((c) => ({ name: c.id, type: c.type })) },
      { published, childIds: children.map((c) => c.id) },
    ),
  );
  for (const c of children) doc.objects.set(c.id, c);
}

/** A document with a Sales fact table and a Customers dimension table. */
export function salesDoc(id: string, rows = 20000): AppDocument {
  const doc = emptyAppDocument(id, "Sales");
  doc.tables = [
    { name: "Sales", fields: ["OrderID", "CustomerID", "Date", "Year", "Sales", "Quantity"], rows },
    {
      name: "Customers",
      fields: ["CustomerID", "Customer", "Region", "Country"],
      rows: Math.max(10, Math.floor(rows / 20)),
    },
  ];
  doc.lastReloadTime = "2026-01-01T00:00:00.000Z";
  return doc;
}

/** Registers an app (record + document) on a tenant. */
export function addApp(tenant: TenantState, doc: AppDocument, name = "Sales"): void {
  tenant.apps.set(doc.id, {
    id: doc.id,
    name,
    description: "",
    spaceId: null,
    ownerId: "owner",
    createdDate: "2026-01-01T00:00:00.000Z",
    modifiedDate: "2026-01-01T00:00:00.000Z",
    published: false,
    publishTime: null,
    originAppId: null,
    custom: {},
  });
  tenant.docs.set(doc.id, doc);
}
