/**
 * Test control: faults, timings, rate limits, injected reload failures, state inspection and reset.
 * The same operations are served over HTTP on the separate control listener (never on a tenant's
 * Qlik API origin) and offered in-process on `RunningSimulator.control`.
 */
import { serializeAppDocument } from "../model/app-document.ts";
import type { SerializedAppDocument } from "../model/app-document.ts";
import type { AppRecord, ItemRecord, SpaceAssignment, SpaceRecord, TenantState } from "../http/types.ts";
import { defaultFaultConfig } from "../core/faults.ts";
import type { FaultConfig, ScheduledFault } from "../core/faults.ts";
import type { RateLimits } from "../core/rate-limit.ts";
import type { SimEvent, Simulator, Timings } from "../core/simulator.ts";
import type { RequestLogEntry, TenantRuntime } from "../core/tenant-runtime.ts";
import { failNextReload, reloadState } from "../rest/reloads.ts";
import type { ReloadRecord } from "../rest/reloads.ts";

export interface DocSummary {
  id: string;
  revision: number;
  savedRevision: number;
  lastReloadTime: string | null;
  scriptLength: number;
  sheets: number;
  objects: number;
  dimensions: number;
  measures: number;
  variables: number;
  bookmarks: number;
  connections: number;
  tables: { name: string; rows: number; fields: string[] }[];
}

export interface TenantSnapshot {
  name: string;
  id: string;
  url: string;
  region: string;
  status: string;
  apps: AppRecord[];
  spaces: SpaceRecord[];
  assignments: SpaceAssignment[];
  items: ItemRecord[];
  users: number;
  reloads: Omit<ReloadRecord, "log">[];
  /** Reloads queued per app id. */
  reloadCounts: Record<string, number>;
  docs: DocSummary[];
  faults: FaultConfig & { scheduled: ScheduledFault[]; injected: Record<string, number> };
  counters: TenantRuntime["counters"];
}

export interface TenantSummary {
  name: string;
  id: string;
  url: string;
  region: string;
  /** False for a tenant nobody has used yet (its data is created on first use). */
  materialized: boolean;
  apps: number;
  spaces: number;
  items: number;
  reloads: number;
  requests: number;
  mutations: number;
}

export interface SimulatorControl {
  /** Sets fault configuration for one tenant (name, id or hostname) or "*" for all. */
  setFaults(tenant: string, faults: Partial<FaultConfig>): Promise<void>;
  /** Queues exact faults for the next matching requests of a tenant. */
  scheduleFault(tenant: string, fault: ScheduledFault): void;
  setTimings(timings: Partial<Timings>): Timings;
  setRateLimits(limits: Partial<RateLimits>): RateLimits;
  failNextReload(tenant: string, appId: string, opts?: { errorCode?: string; message?: string }): void;
  state(tenant: string): TenantSnapshot;
  summary(): TenantSummary[];
  document(tenant: string, appId: string): SerializedAppDocument;
  requestLog(tenant: string): RequestLogEntry[];
  clearRequestLog(tenant: string): void;
  /** Back to the start: seeded data, default faults, empty logs; without a tenant, all tenants (and removes registered ones). */
  reset(tenant?: string): Promise<void>;
  events(): SimEvent[];
  createTenant(
    region: string,
    opts?: { name?: string; hostnameAlias?: string; licenseKey?: string },
  ): Promise<TenantState>;
}

export class ControlError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export function createControl(sim: Simulator): SimulatorControl {
  const rt = (name: string): TenantRuntime => {
    const r = sim.tenantRuntime(name);
    if (!r) throw new ControlError(404, `No tenant named '${name}'.`);
    return r;
  };
  const docSummary = (t: TenantState, id: string): DocSummary => {
    const d = t.docs.get(id)!;
    const objects = [...d.objects.values()];
    return {
      id,
      revision: d.revision,
      savedRevision: d.savedRevision,
      lastReloadTime: d.lastReloadTime,
      scriptLength: d.script.length,
      sheets: objects.filter((o) => o.type === "sheet").length,
      objects: objects.length,
      dimensions: d.dimensions.size,
      measures: d.measures.size,
      variables: d.variables.size,
      bookmarks: d.bookmarks.size,
      connections: d.connections.size,
      tables: d.tables.map((x) => ({ name: x.name, rows: x.rows, fields: x.fields })),
    };
  };
  const control: SimulatorControl = {
    async setFaults(tenant, faults) {
      const targets = tenant === "*" ? sim.tenantList : [rt(tenant)];
      if (tenant === "*") Object.assign(sim.defaultFaults, faults);
      for (const r of targets) await sim.setFaults(r, faults);
    },
    scheduleFault(tenant, fault) {
      sim.scheduleFault(rt(tenant), fault);
    },
    setTimings(timings) {
      sim.timings = { ...sim.timings, ...timings };
      return sim.timings;
    },
    setRateLimits(limits) {
      sim.limiter.setLimits(limits);
      return sim.limiter.limits;
    },
    failNextReload(tenant, appId, opts) {
      const t = rt(tenant).state();
      if (!t.apps.has(appId)) throw new ControlError(404, `No app '${appId}' on tenant '${tenant}'.`);
      failNextReload(t, appId, opts);
    },
    state(tenant) {
      const r = rt(tenant);
      const t = r.state();
      const rs = reloadState(t);
      return {
        name: r.name,
        id: r.id,
        url: r.url,
        region: r.region,
        status: t.status,
        apps: [...t.apps.values()],
        spaces: [...t.spaces.values()],
        assignments: [...t.assignments.values()],
        items: [...t.items.values()],
        users: t.users.size,
        reloads: [...rs.reloads.values()].map(({ log: _log, ...rest }) => rest),
        reloadCounts: Object.fromEntries(rs.counts),
        docs: [...t.docs.keys()].map((id) => docSummary(t, id)),
        faults: { ...r.faults.config, scheduled: r.faults.scheduled, injected: r.faults.injected },
        counters: r.counters,
      };
    },
    summary() {
      return sim.tenantList.map((r) => {
        const t = r.data;
        return {
          name: r.name,
          id: r.id,
          url: r.url,
          region: r.region,
          materialized: !!t,
          apps: t?.apps.size ?? 0,
          spaces: t?.spaces.size ?? 0,
          items: t?.items.size ?? 0,
          reloads: t ? reloadState(t).reloads.size : 0,
          requests: r.counters.requests,
          mutations: r.counters.mutations,
        };
      });
    },
    document(tenant, appId) {
      const d = rt(tenant).state().docs.get(appId);
      if (!d) throw new ControlError(404, `No app '${appId}' on tenant '${tenant}'.`);
      const s = serializeAppDocument(d);
      for (const c of s.connections) delete c.credentials;
      return s;
    },
    requestLog(tenant) {
      return [...rt(tenant).requestLog];
    },
    clearRequestLog(tenant) {
      const r = rt(tenant);
      r.requestLog.length = 0;
      r.counters.requests = 0;
      r.counters.mutations = 0;
      r.counters.faults = 0;
      r.counters.byStatus = {};
    },
    async reset(tenant) {
      const targets = tenant ? [rt(tenant)] : [...sim.tenantList];
      if (!tenant) {
        await sim.removeRegisteredTenants();
        Object.assign(sim.defaultFaults, defaultFaultConfig(sim.options.faultRate ?? 0));
        sim.limiter.reset();
        sim.events.length = 0;
      }
      for (const r of tenant ? targets : sim.tenantList) {
        r.data = null;
        r.faults.config = { ...sim.defaultFaults, kinds: [...sim.defaultFaults.kinds] };
        r.faults.scheduled = [];
        r.faults.injected = {};
        r.oauthClients.clear();
        r.revokedClients.clear();
        r.revokedKeys.clear();
        control.clearRequestLog(r.name);
        await sim.applyDownState(r);
      }
    },
    events() {
      return [...sim.events];
    },
    createTenant(region, opts = {}) {
      if (!sim.regions.has(region)) throw new ControlError(400, `Unknown region '${region}'.`);
      return sim.createTenant(region, opts, "registration");
    },
  };
  return control;
}
