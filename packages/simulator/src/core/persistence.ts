/**
 * `--state-dir`: tenants' state is written as JSON on stop and read on start. Maps, Sets and Buffers in
 * module state are encoded with tags so admin modules' state survives too.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { deserializeAppDocument, serializeAppDocument } from "../model/app-document.ts";
import type { SerializedAppDocument } from "../model/app-document.ts";
import type { AppRecord, ItemRecord, SpaceAssignment, SpaceRecord, UserRecord } from "../http/types.ts";
import type { Simulator } from "./simulator.ts";
import { newTenantState } from "./tenant-runtime.ts";
import type { StatefulTenant, TenantRuntime } from "./tenant-runtime.ts";

const FILE = "qlik-sim-state.json";

interface SavedTenant {
  id: string;
  name: string;
  region: string;
  origin: "initial" | "registration";
  createdAt: string;
  port: number;
  hostnameAliases: string[];
  licenseKey?: string;
  data: null | {
    status: "active" | "disabled";
    apps: AppRecord[];
    docs: SerializedAppDocument[];
    spaces: SpaceRecord[];
    assignments: SpaceAssignment[];
    items: ItemRecord[];
    users: UserRecord[];
    moduleStates: [string, unknown][];
  };
}

interface SavedState {
  version: 1;
  seed: string;
  idCounter: number;
  tenants: SavedTenant[];
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Map) return { __qsim: "map", entries: [...value.entries()] };
  if (value instanceof Set) return { __qsim: "set", values: [...value.values()] };
  if (
    value &&
    typeof value === "object" &&
    (value as { type?: string }).type === "Buffer" &&
    Array.isArray((value as { data?: unknown }).data)
  ) {
    return { __qsim: "buffer", base64: Buffer.from((value as { data: number[] }).data).toString("base64") };
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === "object" && "__qsim" in value) {
    const v = value as {
      __qsim: string;
      entries?: [unknown, unknown][];
      values?: unknown[];
      base64?: string;
    };
    if (v.__qsim === "map") return new Map(v.entries);
    if (v.__qsim === "set") return new Set(v.values);
    if (v.__qsim === "buffer") return Buffer.from(v.base64 ?? "", "base64");
  }
  return value;
}

export function saveState(sim: Simulator, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const tenants: SavedTenant[] = sim.tenantList.map((rt) => {
    const t = rt.data;
    return {
      id: rt.id,
      name: rt.name,
      region: rt.region,
      origin: rt.origin,
      createdAt: rt.createdAt,
      port: rt.port,
      hostnameAliases: rt.hostnameAliases,
      ...(rt.licenseKey ? { licenseKey: rt.licenseKey } : {}),
      data: t
        ? {
            status: t.status,
            apps: [...t.apps.values()],
            docs: [...t.docs.values()].map(serializeAppDocument),
            spaces: [...t.spaces.values()],
            assignments: [...t.assignments.values()],
            items: [...t.items.values()],
            users: [...t.users.values()],
            moduleStates: [...t.moduleStates.entries()],
          }
        : null,
    };
  });
  const state: SavedState = { version: 1, seed: sim.seed, idCounter: sim.ids.counter, tenants };
  const tmp = join(dir, `${FILE}.tmp`);
  writeFileSync(tmp, JSON.stringify(state, replacer));
  renameSync(tmp, join(dir, FILE));
}

/** Reads saved state, or null when there is none. Throws with one sentence when the file is unusable. */
export function readState(dir: string): SavedState | null {
  const path = join(dir, FILE);
  if (!existsSync(path)) return null;
  let state: SavedState;
  try {
    state = JSON.parse(readFileSync(path, "utf8"), reviver) as SavedState;
  } catch {
    throw new Error(`The state file ${path} is not valid JSON; delete it to start fresh.`);
  }
  if (state.version !== 1 || !Array.isArray(state.tenants))
    throw new Error(`The state file ${path} has an unknown format; delete it to start fresh.`);
  return state;
}

/** Recreates the saved tenants' runtimes (not yet listening) and their data. */
export function restoreTenants(sim: Simulator, state: SavedState): TenantRuntime[] {
  sim.ids.counter = Math.max(sim.ids.counter, state.idCounter);
  return state.tenants.map((s) => {
    const rt = sim.newTenantRuntime({
      id: s.id,
      name: s.name,
      region: s.region,
      origin: s.origin,
      createdAt: s.createdAt,
    });
    rt.hostnameAliases = s.hostnameAliases ?? [];
    rt.licenseKey = s.licenseKey;
    rt.port = s.port;
    if (s.data) {
      const t: StatefulTenant = newTenantState({
        id: s.id,
        name: s.name,
        hostname: "",
        url: "",
        region: s.region,
        createdAt: s.createdAt,
        licenseKey: s.licenseKey,
        hostnameAliases: rt.hostnameAliases,
      });
      t.status = s.data.status;
      for (const a of s.data.apps) t.apps.set(a.id, a);
      for (const d of s.data.docs) t.docs.set(d.id, deserializeAppDocument(d));
      for (const x of s.data.spaces) t.spaces.set(x.id, x);
      for (const x of s.data.assignments) t.assignments.set(x.id, x);
      for (const x of s.data.items) t.items.set(x.id, x);
      for (const x of s.data.users) t.users.set(x.id, x);
      for (const [k, v] of s.data.moduleStates) t.moduleStates.set(k, v);
      rt.data = t;
    }
    return rt;
  });
}
