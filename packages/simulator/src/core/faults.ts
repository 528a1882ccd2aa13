/**
 * Per-tenant fault injection, deterministic by seed. A fault is drawn per REST request and per
 * WebSocket connection (never per engine message). Tests can also queue exact faults for the next
 * matching requests.
 */
export type FaultKind =
  | "latency"
  | "429"
  | "502"
  | "503"
  /** The connection is destroyed before the server applies the request. */
  | "drop-before"
  /** The server applies the request, then destroys the connection without answering. */
  | "drop-after"
  /** A WebSocket is accepted, then dropped after a short while. */
  | "ws-drop";

const allFaultKinds: FaultKind[] = ["latency", "429", "502", "503", "drop-before", "drop-after", "ws-drop"];
const wsKinds = new Set<FaultKind>(["latency", "429", "502", "503", "ws-drop"]);

export interface FaultConfig {
  /** Probability in [0,1] that a request or connection gets a fault. */
  rate: number;
  kinds: FaultKind[];
  /** Extra delay of a "latency" fault, ms. */
  latencyMs: number;
  /** A tenant that is down: "503" answers 503 to everything, "refuse" closes its listener. */
  down: false | "503" | "refuse";
}

export interface ScheduledFault {
  kind: FaultKind;
  /** Only requests with this method (case-insensitive). */
  method?: string;
  /** Only paths containing this string; `/regex/` for a regular expression. */
  path?: string;
  /** How many matching requests get it (default 1). */
  count?: number;
}

export const defaultFaultConfig = (rate = 0): FaultConfig => ({
  rate,
  kinds: [...allFaultKinds],
  latencyMs: 1500,
  down: false,
});

export function validateFaultConfig(input: unknown): Partial<FaultConfig> {
  if (typeof input !== "object" || input === null) throw new Error("faults must be a JSON object.");
  const o = input as Record<string, unknown>;
  const out: Partial<FaultConfig> = {};
  if (o.rate !== undefined) {
    if (typeof o.rate !== "number" || !(o.rate >= 0 && o.rate <= 1))
      throw new Error("rate must be a number between 0 and 1.");
    out.rate = o.rate;
  }
  if (o.kinds !== undefined) {
    if (!Array.isArray(o.kinds) || o.kinds.some((k) => !allFaultKinds.includes(k as FaultKind)))
      throw new Error(`kinds must be a list of: ${allFaultKinds.join(", ")}.`);
    out.kinds = o.kinds as FaultKind[];
  }
  if (o.latencyMs !== undefined) {
    if (typeof o.latencyMs !== "number" || o.latencyMs < 0)
      throw new Error("latencyMs must be a number >= 0.");
    out.latencyMs = o.latencyMs;
  }
  if (o.down !== undefined) {
    if (o.down === true) out.down = "503";
    else if (o.down === false || o.down === "503" || o.down === "refuse") out.down = o.down;
    else throw new Error('down must be false, true, "503" or "refuse".');
  }
  return out;
}

export function validateScheduledFault(input: unknown): ScheduledFault {
  if (typeof input !== "object" || input === null) throw new Error("fault must be a JSON object.");
  const o = input as Record<string, unknown>;
  if (!allFaultKinds.includes(o.kind as FaultKind))
    throw new Error(`kind must be one of: ${allFaultKinds.join(", ")}.`);
  if (o.method !== undefined && typeof o.method !== "string") throw new Error("method must be a string.");
  if (o.path !== undefined && typeof o.path !== "string") throw new Error("path must be a string.");
  if (o.count !== undefined && (typeof o.count !== "number" || o.count < 1))
    throw new Error("count must be a number >= 1.");
  return {
    kind: o.kind as FaultKind,
    method: o.method as string | undefined,
    path: o.path as string | undefined,
    count: (o.count as number | undefined) ?? 1,
  };
}

function pathMatches(pattern: string | undefined, path: string): boolean {
  if (!pattern) return true;
  if (pattern.length > 2 && pattern.startsWith("/") && pattern.endsWith("/")) {
    return new RegExp(pattern.slice(1, -1)).test(path);
  }
  return path.includes(pattern);
}

export class TenantFaults {
  config: FaultConfig;
  scheduled: ScheduledFault[] = [];
  /** Counts of injected faults by kind. */
  injected: Record<string, number> = {};
  constructor(config: FaultConfig) {
    this.config = config;
  }

  /**
   * Decides the fault for one request or connection. `random` is the tenant's seeded stream;
   * `eligible` is false for requests that never get random faults (token endpoint).
   */
  decide(
    req: { method: string; path: string; ws: boolean },
    random: () => number,
    eligible: boolean,
  ): FaultKind | null {
    for (let i = 0; i < this.scheduled.length; i++) {
      const f = this.scheduled[i];
      if (f.method && f.method.toUpperCase() !== req.method.toUpperCase()) continue;
      if (!pathMatches(f.path, req.path)) continue;
      if (req.ws ? !wsKinds.has(f.kind) : f.kind === "ws-drop") continue;
      f.count = (f.count ?? 1) - 1;
      if (f.count <= 0) this.scheduled.splice(i, 1);
      return this.count(f.kind);
    }
    if (!eligible || this.config.rate <= 0) return null;
    const kinds = this.config.kinds.filter((k) => (req.ws ? wsKinds.has(k) : k !== "ws-drop"));
    // Always draw both numbers so the sequence does not depend on configuration details.
    const hit = random();
    const pick = random();
    if (kinds.length === 0 || hit >= this.config.rate) return null;
    return this.count(kinds[Math.min(kinds.length - 1, Math.floor(pick * kinds.length))]);
  }

  private count(kind: FaultKind): FaultKind {
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
    return kind;
  }
}
