/**
 * @qlik-cicd/simulator — a local Qlik Cloud that @qlik/api talks to unmodified over real HTTP and
 * WebSocket sockets: many tenants (each its own origin), regions with a registration API, REST
 * (spaces, items, apps, reloads, admin APIs), QIX sessions, rate limits, seeded faults, a control API.
 */
import type { Server } from "node:http";
import type { RouteModule, SimContext, TenantState } from "./http/types.ts";
import { Simulator } from "./core/simulator.ts";
import type { SimulatorOptions } from "./core/simulator.ts";
import { readState, restoreTenants, saveState } from "./core/persistence.ts";
import { createControl } from "./control/api.ts";
import type { SimulatorControl } from "./control/api.ts";
import { createControlServer } from "./control/server.ts";
import { loadEngineModule } from "./qix/gateway.ts";
import { adminRouteModules, findOAuthClient, registrationRouteModule } from "./rest/admin/index.ts";
import { appMediaRouteModule } from "./rest/app-media.ts";
import { appsRouteModule } from "./rest/apps.ts";
import { itemsRouteModule } from "./rest/items.ts";
import { reloadsRouteModule } from "./rest/reloads.ts";
import { spacesRouteModule } from "./rest/spaces.ts";
import { seedDemoTenant } from "./seed/demo.ts";

export type { SimulatorOptions, Timings } from "./core/simulator.ts";
export type { FaultConfig, FaultKind, ScheduledFault } from "./core/faults.ts";
export type { RateLimits, TierLimit } from "./core/rate-limit.ts";
export type { SimulatorControl, TenantSnapshot, TenantSummary, DocSummary } from "./control/api.ts";
export type { RequestLogEntry } from "./core/tenant-runtime.ts";
export type { WireEndpoint, WireExchange, WireFrame, WireTap } from "./core/wire-tap.ts";
export type * from "./http/types.ts";
export type * from "./model/app-document.ts";

export interface SimulatorDescription {
  /** The first tenant's URL. */
  url: string;
  /** Base URL of the test control API (separate listener). */
  control: string;
  regions: Record<string, { registrationUrl: string; clientId: string; clientSecret: string }>;
  tenants: {
    name: string;
    id: string;
    url: string;
    apiKey: string;
    region: string;
    clientId: string;
    clientSecret: string;
  }[];
}

export interface RunningSimulator {
  /** What the CLI prints: URLs and credentials (as of start). */
  description: SimulatorDescription;
  /** The description now (includes tenants created since start). */
  describe(): SimulatorDescription;
  /** Stops every listener and timer (and saves state when a state directory was given). */
  stop(): Promise<void>;
  /** A tenant's live state, by name, id or hostname. */
  tenant(nameOrId: string): TenantState;
  /** Test control, in-process (the same operations as the control URL). */
  control: SimulatorControl;
  /** The shared services route modules use (ids, timings, createTenant, …). */
  context: SimContext;
}

/** Core REST route modules (spaces, items, apps, reloads). */
export const coreRouteModules: RouteModule[] = [
  spacesRouteModule,
  itemsRouteModule,
  appsRouteModule,
  appMediaRouteModule,
  reloadsRouteModule,
];

function validateOptions(o: SimulatorOptions): void {
  const int = (v: number | undefined, name: string, min: number, max: number) => {
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > max))
      throw new Error(`${name} must be an integer between ${min} and ${max}.`);
  };
  int(o.tenants, "tenants", 1, 5000);
  int(o.port, "port", 0, 65535);
  if (o.latencyMs !== undefined && (!(o.latencyMs >= 0) || !Number.isFinite(o.latencyMs)))
    throw new Error("latencyMs must be a number >= 0.");
  if (o.qixLatencyMs !== undefined && (!(o.qixLatencyMs >= 0) || !Number.isFinite(o.qixLatencyMs)))
    throw new Error("qixLatencyMs must be a number >= 0.");
  if (o.faultRate !== undefined && !(o.faultRate >= 0 && o.faultRate <= 1))
    throw new Error("faultRate must be a number between 0 and 1.");
  if (o.seed !== undefined && (typeof o.seed !== "string" || o.seed === ""))
    throw new Error("seed must be a non-empty string.");
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  validateOptions(options);
  const sim = new Simulator(options);
  const ctx = sim.ctx;
  const engineModule = await loadEngineModule();

  sim.mount(coreRouteModules);
  sim.mount(adminRouteModules);
  sim.mount([registrationRouteModule], "region");
  sim.externalOAuthLookup = (t, id, secret) => findOAuthClient(t, id, secret);
  sim.engine = engineModule.createQixEngine(ctx);
  sim.seeder = (tenant, { withApp }) =>
    seedDemoTenant(ctx, tenant, { withApp, ownerId: sim.adminUserIdFor(tenant.id) });

  const regionNames = options.regions ?? ["eu", "us"];
  const saved = options.stateDir ? readState(options.stateDir) : null;
  if (saved) restoreTenants(sim, saved);
  const initialCount = sim.tenantList.filter((t) => t.origin === "initial").length;
  for (let i = initialCount; i < (options.tenants ?? 1); i++) {
    sim.newTenantRuntime({
      name: `tenant-${i + 1}`,
      region: regionNames[i % regionNames.length],
      origin: "initial",
    });
  }

  const fixedPorts = (options.port ?? 0) !== 0;
  let controlServer: Server | null = null;
  const control = createControl(sim);
  const describe = (): SimulatorDescription => {
    const tenants = sim.tenantList.map((rt) => ({
      name: rt.name,
      id: rt.id,
      url: rt.url,
      apiKey: sim.apiKeyFor(rt),
      region: rt.region,
      ...sim.oauthClientFor(rt),
    }));
    const regions: SimulatorDescription["regions"] = {};
    for (const [name, r] of sim.regions)
      regions[name] = { registrationUrl: r.url, clientId: r.clientId, clientSecret: r.clientSecret };
    const addr = controlServer?.address();
    return {
      url: tenants[0]?.url ?? "",
      control: addr && typeof addr === "object" ? `http://127.0.0.1:${addr.port}` : "",
      regions,
      tenants,
    };
  };

  try {
    // Tenants first (fixed ports: tenant i at port+i), then control, then regions.
    await sim.listenAll([]);
    controlServer = createControlServer(control, describe);
    const cs = controlServer;
    await new Promise<void>((resolve, reject) => {
      cs.once("error", reject);
      cs.listen({ port: fixedPorts ? sim.takeControlPort() : 0, host: "127.0.0.1" }, () => {
        cs.off("error", reject);
        resolve();
      });
    });
    for (const r of regionNames) await sim.listenRegion(r);
  } catch (e) {
    await sim.stop();
    controlServer?.close();
    throw e;
  }
  // The first tenant is used by nearly everyone: create its data now, the rest on first use.
  sim.tenantList[0]?.state();
  for (const rt of sim.tenantList) {
    if (rt.data) {
      rt.data.url = rt.url;
      rt.data.hostname = rt.hostname;
    }
  }

  let stopping: Promise<void> | null = null;
  return {
    description: describe(),
    describe,
    control,
    context: ctx,
    tenant(nameOrId: string) {
      const rt = sim.tenantRuntime(nameOrId);
      if (!rt) throw new Error(`No tenant named '${nameOrId}'.`);
      return rt.state();
    },
    stop() {
      stopping ??= (async () => {
        if (options.stateDir) saveState(sim, options.stateDir);
        await sim.stop();
        const cs = controlServer;
        if (cs) {
          cs.closeAllConnections();
          await new Promise<void>((r) => cs.close(() => r()));
        }
      })();
      return stopping;
    },
  };
}

export { Simulator } from "./core/simulator.ts";
