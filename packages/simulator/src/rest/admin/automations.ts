/**
 * Qlik Automate: `/api/v1/automations` (list, create, get, update, delete, enable/disable), runs
 * (`POST .../runs {context:"api"}` by the owner only, get, list, stop) and the trigger URL
 * `POST .../actions/execute` with header `X-Execution-Token` (automation in triggered run mode; synchronous
 * by default, `?async=true` or header `X-Execution-Async: true` answers at once with the run id).
 *
 * A run is queued, then running, then ends after `ctx.timings.automationRunMs` with the automation's
 * configured outcome. Outcomes come from `setAutomationOutcome` (control hook) or from the definition:
 * `workspace.simulation = { outcome: "finished" | "failed" | …, output?, error?, durationMs? }`.
 * Run state is derived from the clock on every read, so no timers are left behind.
 */
import { randomBytes } from "node:crypto";
import {
  AUTOMATION_RUN_FAILED,
  AUTOMATION_RUN_REQUEST_CONTEXT,
  AUTOMATION_RUN_SUCCEEDED,
} from "@qlik-cicd/qlik-facts";
import type { AutomationRunContext, AutomationRunStatus } from "@qlik-cicd/qlik-facts";
import type { JsonValue } from "../../model/app-document.ts";
import type { RouteModule, SimContext, SimRequest, SimResponse, TenantState } from "../../http/types.ts";
import { qlikError } from "../../http/types.ts";
import {
  addDeleteById,
  addGetById,
  badRequest,
  filterBy,
  forbidden,
  header,
  isResponse,
  isTrue,
  listResponse,
  noContent,
  notFound,
  objectBody,
  ok,
  safeEqual,
} from "./util.ts";
import type { ItemRoute } from "./util.ts";

/** How a simulated run ends: a final status, or `must stop` (a stop was requested and never completes). */
export type AutomationFinalStatus =
  (typeof AUTOMATION_RUN_SUCCEEDED)[number] | (typeof AUTOMATION_RUN_FAILED)[number];

export interface AutomationOutcome {
  status: AutomationFinalStatus;
  /** What a synchronous execution returns (the automation's output block). */
  output?: JsonValue;
  /** Error message of a failed run. */
  error?: string;
  /** Run length in ms (default ctx.timings.automationRunMs). */
  durationMs?: number;
}

export interface AutomationRecord {
  id: string;
  name: string;
  description: string;
  state: "available" | "unavailable" | "disabled";
  runMode: "manual" | "scheduled" | "triggered" | "webhook";
  ownerId: string;
  spaceId: string;
  workspace: JsonValue;
  schedules: JsonValue[];
  maxConcurrentRuns: number;
  executionToken: string;
  createdAt: string;
  updatedAt: string;
  /** Set by the control hook; wins over the definition. */
  outcomeOverride?: AutomationOutcome;
}

export interface RunRecord {
  id: string;
  automationId: string;
  context: AutomationRunContext;
  title: string;
  executedById: string;
  inputs: JsonValue;
  createdMs: number;
  startMs: number;
  endMs: number;
  stoppedMs?: number;
  outcome: AutomationOutcome;
}

interface AutomationsState {
  automations: Map<string, AutomationRecord>;
  runs: Map<string, RunRecord>;
}

const OUTCOMES: readonly string[] = [...AUTOMATION_RUN_SUCCEEDED, ...AUTOMATION_RUN_FAILED];
/** Statuses after which a run changes no more (`must stop` is still stopping). */
const FINAL: readonly string[] = OUTCOMES.filter((s) => s !== "must stop");

function state(tenant: TenantState): AutomationsState {
  return tenant.moduleState("automations", () => ({
    automations: new Map<string, AutomationRecord>(),
    runs: new Map<string, RunRecord>(),
  }));
}

function isObj(v: unknown): v is Record<string, JsonValue> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Reads the run mode from a workspace: `workspace.runMode`, or the start block's `run_mode` input. */
function runModeOf(workspace: unknown, fallback: AutomationRecord["runMode"]): AutomationRecord["runMode"] {
  const modes = ["manual", "scheduled", "triggered", "webhook"];
  if (!isObj(workspace)) return fallback;
  if (typeof workspace.runMode === "string" && modes.includes(workspace.runMode))
    return workspace.runMode as AutomationRecord["runMode"];
  const blocks = Array.isArray(workspace.blocks) ? workspace.blocks : [];
  for (const b of blocks) {
    if (!isObj(b) || b.type !== "StartBlock" || !Array.isArray(b.inputs)) continue;
    for (const i of b.inputs)
      if (
        isObj(i) &&
        (i.id === "run_mode" || i.name === "run_mode") &&
        typeof i.value === "string" &&
        modes.includes(i.value)
      )
        return i.value as AutomationRecord["runMode"];
  }
  return fallback;
}

function parseOutcome(v: unknown): AutomationOutcome | string | undefined {
  if (v === undefined) return undefined;
  const o = typeof v === "string" ? { status: v } : v;
  if (!isObj(o) || typeof o.status !== "string" || !OUTCOMES.includes(o.status))
    return `outcome status must be one of ${OUTCOMES.join(", ")}.`;
  if (o.durationMs !== undefined && (typeof o.durationMs !== "number" || o.durationMs < 0))
    return "outcome durationMs must be a non-negative number.";
  return {
    status: o.status as AutomationFinalStatus,
    ...(o.output !== undefined ? { output: o.output } : {}),
    ...(typeof o.error === "string" ? { error: o.error } : {}),
    ...(typeof o.durationMs === "number" ? { durationMs: o.durationMs } : {}),
  };
}

function definitionOutcome(a: AutomationRecord): AutomationOutcome | undefined {
  if (!isObj(a.workspace) || !isObj(a.workspace.simulation)) return undefined;
  const sim = a.workspace.simulation;
  const parsed = parseOutcome(
    isObj(sim) && sim.outcome !== undefined && typeof sim.outcome === "string"
      ? { ...sim, status: sim.outcome }
      : sim,
  );
  return typeof parsed === "object" ? parsed : undefined;
}

function outcomeFor(a: AutomationRecord): AutomationOutcome {
  return a.outcomeOverride ?? definitionOutcome(a) ?? { status: "finished" };
}

/**
 * Control hook: the outcome every later run of an automation ends with (`null` restores the definition's
 * outcome / the default "finished"). Returns false when the automation does not exist.
 */
export function setAutomationOutcome(
  tenant: TenantState,
  automationId: string,
  outcome: AutomationOutcome | null,
): boolean {
  const a = state(tenant).automations.get(automationId);
  if (!a) return false;
  if (outcome === null) delete a.outcomeOverride;
  else {
    const parsed = parseOutcome(outcome);
    if (typeof parsed !== "object") throw new Error(parsed ?? "outcome is required");
    a.outcomeOverride = parsed;
  }
  return true;
}

function runStatus(r: RunRecord, nowMs: number): AutomationRunStatus {
  if (r.stoppedMs !== undefined && r.stoppedMs < r.endMs) return "stopped";
  if (nowMs < r.startMs) return "queued";
  if (nowMs < r.endMs) return "running";
  return r.outcome.status;
}

function runView(r: RunRecord, a: AutomationRecord, nowMs: number) {
  const status = runStatus(r, nowMs);
  const final = FINAL.includes(status);
  const stopMs = status === "stopped" ? (r.stoppedMs ?? r.endMs) : r.endMs;
  return {
    id: r.id,
    title: r.title,
    context: r.context,
    status,
    createdAt: new Date(r.createdMs).toISOString(),
    updatedAt: new Date(final ? stopMs : Math.min(nowMs, r.endMs)).toISOString(),
    scheduledStartTime: null,
    startTime: status === "queued" ? null : new Date(r.startMs).toISOString(),
    stopTime: final ? new Date(stopMs).toISOString() : null,
    error:
      status === "failed" || status === "exceeded limit"
        ? [{ message: r.outcome.error ?? "The automation run failed." }]
        : null,
    executedById: r.executedById,
    ownerId: a.ownerId,
    spaceId: a.spaceId,
    isTestRun: false,
    testRun: false,
    isArchived: false,
    archived: false,
    metrics: final ? { totalApiCalls: 3, network: { rxBytes: 2048, txBytes: 1024 }, blocks: [] } : null,
  };
}

/** A run as `GET …/runs` lists it: the detail without metrics, with its duration in seconds. */
function runListView(r: RunRecord, a: AutomationRecord, nowMs: number) {
  const { metrics: _, ...view } = runView(r, a, nowMs);
  const status = view.status;
  const stopMs = status === "stopped" ? (r.stoppedMs ?? r.endMs) : r.endMs;
  return {
    ...view,
    ...(FINAL.includes(status) ? { duration: Math.max(0, Math.round((stopMs - r.startMs) / 1000)) } : {}),
  };
}

function automationView(a: AutomationRecord, st: AutomationsState, nowMs: number, full: boolean) {
  const runs = [...st.runs.values()]
    .filter((r) => r.automationId === a.id)
    .sort((x, y) => x.createdMs - y.createdMs);
  const last = runs[runs.length - 1];
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    state: a.state,
    runMode: a.runMode,
    ownerId: a.ownerId,
    spaceId: a.spaceId,
    maxConcurrentRuns: a.maxConcurrentRuns,
    executionToken: a.executionToken,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    connectorIds: [] as string[],
    endpointIds: [] as string[],
    snippetIds: [] as string[],
    ...(last
      ? {
          lastRun: runView(last, a, nowMs),
          lastRunAt: new Date(last.createdMs).toISOString(),
          lastRunStatus: runStatus(last, nowMs),
        }
      : { lastRunStatus: "not started" }),
    ...(full ? { workspace: a.workspace, schedules: a.schedules } : {}),
  };
}

function newRun(
  ctx: SimContext,
  a: AutomationRecord,
  context: RunRecord["context"],
  executedById: string,
  inputs: JsonValue,
): RunRecord {
  const outcome = outcomeFor(a);
  const duration = outcome.durationMs ?? ctx.timings.automationRunMs;
  const created = ctx.now().getTime();
  return {
    id: ctx.newId("uuid"),
    automationId: a.id,
    context,
    title: a.name,
    executedById,
    inputs,
    createdMs: created,
    startMs: created + Math.min(50, Math.floor(duration / 4)),
    endMs: created + duration,
    outcome,
  };
}

function validateBody(b: Record<string, unknown>, creating: boolean): string | undefined {
  if (creating || b.name !== undefined)
    if (typeof b.name !== "string" || b.name.trim() === "") return "The automation needs a non-empty 'name'.";
  if (b.description !== undefined && typeof b.description !== "string")
    return "'description' must be a string.";
  if (
    b.maxConcurrentRuns !== undefined &&
    (!Number.isInteger(b.maxConcurrentRuns) || (b.maxConcurrentRuns as number) < 1)
  )
    return "'maxConcurrentRuns' must be a positive integer.";
  if (b.schedules !== undefined && !Array.isArray(b.schedules)) return "'schedules' must be an array.";
  if (isObj(b.workspace) && b.workspace.simulation !== undefined) {
    const sim = b.workspace.simulation;
    const p = parseOutcome(
      isObj(sim) && typeof sim.outcome === "string" ? { ...sim, status: sim.outcome } : sim,
    );
    if (typeof p === "string") return `workspace.simulation: ${p}`;
  }
  return undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const automationItem: ItemRoute<AutomationRecord> = {
  pattern: "/api/v1/automations/:id",
  records: (req) => state(req.tenant).automations,
  missing: (id) => notFound("Automation", id),
};

export const automationsModule: RouteModule = (routes, ctx: SimContext) => {
  const find = (req: SimRequest) => state(req.tenant).automations.get(req.params.id);
  const owned = (req: SimRequest, a: AutomationRecord): SimResponse | undefined =>
    req.principal?.userId === a.ownerId
      ? undefined
      : forbidden(`Only the owner of automation '${a.id}' may do this.`, "AUTOMATIONS-403");
  /** The automation in the path when the caller owns it and sent a JSON object, else the response why not. */
  const ownedWithBody = (
    req: SimRequest,
  ): { a: AutomationRecord; b: Record<string, unknown> | undefined } | SimResponse => {
    const a = find(req);
    if (!a) return notFound("Automation", req.params.id);
    return owned(req, a) ?? { a, b: objectBody(req) };
  };
  /** The run in the path, when it belongs to the automation in the path. */
  const findRun = (req: SimRequest): { a: AutomationRecord; r: RunRecord } | SimResponse => {
    const a = find(req);
    const r = state(req.tenant).runs.get(req.params.runId);
    if (!a || !r || r.automationId !== a.id) return notFound("Automation run", req.params.runId);
    return { a, r };
  };

  routes.add({
    method: "GET",
    pattern: "/api/v1/automations",
    tier: "tier1",
    handler: (req) => {
      const st = state(req.tenant);
      const nowMs = ctx.now().getTime();
      let list = [...st.automations.values()];
      if (!isTrue(req.query.get("listAll"))) list = list.filter((a) => a.ownerId === req.principal?.userId);
      // Filters and sorting apply to what the list shows (lastRunStatus and lastRunAt are derived).
      const views = filterBy(
        list.map((a) => automationView(a, st, nowMs, false)),
        req.query.get("filter"),
      );
      if (isResponse(views)) return views;
      return listResponse(req, views, {
        sort: {
          fields: ["id", "name", "runMode", "state", "createdAt", "updatedAt", "lastRunAt", "lastRunStatus"],
          default: "id",
        },
        defaultLimit: 100,
        maxLimit: 200,
        cursorParam: "cursor",
      });
    },
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/automations",
    tier: "tier2",
    handler: (req) => {
      const b = objectBody(req);
      if (!b) return badRequest("The request body must be a JSON object.");
      const problem = validateBody(b, true);
      if (problem) return badRequest(problem);
      const now = ctx.now().toISOString();
      const fallbackMode =
        typeof b.runMode === "string" ? (b.runMode as AutomationRecord["runMode"]) : "manual";
      const a: AutomationRecord = {
        id: ctx.newId("uuid"),
        name: b.name as string,
        description: typeof b.description === "string" ? b.description : "",
        state: "available",
        runMode: runModeOf(
          b.workspace,
          ["manual", "scheduled", "triggered", "webhook"].includes(fallbackMode) ? fallbackMode : "manual",
        ),
        ownerId: req.principal?.userId ?? "",
        spaceId: typeof b.spaceId === "string" ? b.spaceId : "",
        workspace: (b.workspace as JsonValue | undefined) ?? {},
        schedules: (b.schedules as JsonValue[] | undefined) ?? [],
        maxConcurrentRuns: typeof b.maxConcurrentRuns === "number" ? b.maxConcurrentRuns : 10,
        executionToken: randomBytes(32).toString("hex"),
        createdAt: now,
        updatedAt: now,
      };
      state(req.tenant).automations.set(a.id, a);
      return ok(automationView(a, state(req.tenant), ctx.now().getTime(), true), 201);
    },
  });
  addGetById(routes, automationItem, (a, req) =>
    automationView(a, state(req.tenant), ctx.now().getTime(), true),
  );
  routes.add({
    method: "PUT",
    pattern: "/api/v1/automations/:id",
    tier: "tier2",
    handler: (req) => {
      const found = ownedWithBody(req);
      if (isResponse(found)) return found;
      const { a, b } = found;
      if (!b) return badRequest("The request body must be a JSON object.");
      const problem = validateBody(b, false);
      if (problem) return badRequest(problem);
      if (typeof b.name === "string") a.name = b.name;
      if (typeof b.description === "string") a.description = b.description;
      if (typeof b.maxConcurrentRuns === "number") a.maxConcurrentRuns = b.maxConcurrentRuns;
      if (Array.isArray(b.schedules)) a.schedules = b.schedules as JsonValue[];
      if (b.workspace !== undefined) {
        a.workspace = b.workspace as JsonValue;
        a.runMode = runModeOf(b.workspace, a.runMode);
      }
      a.updatedAt = ctx.now().toISOString();
      return ok(automationView(a, state(req.tenant), ctx.now().getTime(), true));
    },
  });
  // A deleted automation takes its runs with it.
  addDeleteById(routes, automationItem, (req, automationId) => {
    const runs = state(req.tenant).runs;
    for (const [id, r] of runs) if (r.automationId === automationId) runs.delete(id);
  });
  for (const action of ["enable", "disable"] as const) {
    routes.add({
      method: "POST",
      pattern: `/api/v1/automations/:id/actions/${action}`,
      tier: "tier2",
      handler: (req) => {
        const a = find(req);
        if (!a) return notFound("Automation", req.params.id);
        a.state = action === "enable" ? "available" : "disabled";
        a.updatedAt = ctx.now().toISOString();
        return noContent();
      },
    });
  }
  routes.add({
    method: "GET",
    pattern: "/api/v1/automations/:id/runs",
    tier: "tier1",
    handler: (req) => {
      const a = find(req);
      if (!a) return notFound("Automation", req.params.id);
      const nowMs = ctx.now().getTime();
      const runs = filterBy(
        [...state(req.tenant).runs.values()]
          .filter((r) => r.automationId === a.id)
          .sort((x, y) => y.createdMs - x.createdMs)
          .map((r) => runListView(r, a, nowMs)),
        req.query.get("filter"),
      );
      if (isResponse(runs)) return runs;
      // Newest first, as created; runs have no `sort` parameter.
      return listResponse(req, runs, { defaultLimit: 100, cursorParam: "cursor" });
    },
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/automations/:id/runs",
    tier: "tier2",
    handler: (req) => {
      const found = ownedWithBody(req);
      if (isResponse(found)) return found;
      const { a, b } = found;
      if (!b || b.context !== AUTOMATION_RUN_REQUEST_CONTEXT)
        return badRequest('The run request needs {"context": "api"}.');
      if (a.state !== "available")
        return badRequest(`Automation '${a.id}' is ${a.state}; enable it before running.`);
      const st = state(req.tenant);
      const nowMs = ctx.now().getTime();
      const active = [...st.runs.values()].filter(
        (r) => r.automationId === a.id && !FINAL.includes(runStatus(r, nowMs)),
      );
      if (active.length >= a.maxConcurrentRuns)
        return qlikError(
          429,
          "AUTOMATIONS-429",
          "Too many runs",
          `Automation '${a.id}' already has ${active.length} runs in progress.`,
        );
      // The request says "api"; the run record says how it runs: queued and polled, so api_async.
      const run = newRun(
        ctx,
        a,
        "api_async",
        req.principal?.userId ?? "",
        (b.inputs as JsonValue | undefined) ?? {},
      );
      st.runs.set(run.id, run);
      return ok(runView(run, a, nowMs), 201);
    },
  });
  routes.add({
    method: "GET",
    pattern: "/api/v1/automations/:id/runs/:runId",
    tier: "tier1",
    handler: (req) => {
      const found = findRun(req);
      if (isResponse(found)) return found;
      const { a, r } = found;
      return ok(runView(r, a, ctx.now().getTime()));
    },
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/automations/:id/runs/:runId/actions/stop",
    tier: "tier2",
    handler: (req) => {
      const found = findRun(req);
      if (isResponse(found)) return found;
      const { r } = found;
      const nowMs = ctx.now().getTime();
      if (!FINAL.includes(runStatus(r, nowMs))) r.stoppedMs = nowMs;
      return noContent();
    },
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/automations/:id/actions/stop",
    tier: "tier2",
    handler: (req) => {
      const a = find(req);
      if (!a) return notFound("Automation", req.params.id);
      const nowMs = ctx.now().getTime();
      for (const r of state(req.tenant).runs.values())
        if (r.automationId === a.id && !FINAL.includes(runStatus(r, nowMs))) r.stoppedMs = nowMs;
      return noContent();
    },
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/automations/:id/actions/execute",
    tier: "tier2",
    auth: "none",
    handler: async (req) => {
      const a = find(req);
      if (!a) return notFound("Automation", req.params.id);
      const token = header(req, "x-execution-token");
      if (!token) {
        if (req.query.get("X-Execution-Token"))
          return qlikError(
            401,
            "AUTOMATIONS-401",
            "Unauthorized",
            "The execution token must be sent in header 'X-Execution-Token', not in the query string.",
          );
        return qlikError(401, "AUTOMATIONS-401", "Unauthorized", "Header 'X-Execution-Token' is required.");
      }
      if (!safeEqual(token, a.executionToken))
        return qlikError(
          401,
          "AUTOMATIONS-401",
          "Unauthorized",
          "The execution token is not valid for this automation.",
        );
      if (a.runMode !== "triggered")
        return badRequest(
          `Automation '${a.id}' is in ${a.runMode} run mode; only triggered automations can be executed through this endpoint.`,
        );
      if (a.state !== "available") return badRequest(`Automation '${a.id}' is ${a.state}.`);
      const asyncMode = isTrue(req.query.get("async")) || isTrue(header(req, "x-execution-async"));
      const b = objectBody(req);
      const st = state(req.tenant);
      const run = newRun(
        ctx,
        a,
        asyncMode ? "api_async" : "api_sync",
        a.ownerId,
        (b as JsonValue | undefined) ?? {},
      );
      st.runs.set(run.id, run);
      if (asyncMode)
        return ok({ id: run.id, status: runStatus(run, ctx.now().getTime()) }, 200, {
          "x-automation-run-id": run.id,
        });
      // Synchronous: wait until the run ends (or is stopped), then answer with its output.
      const deadline = Math.min(run.endMs - run.createdMs, 120_000);
      const started = Date.now();
      while (Date.now() - started < deadline + 5) {
        if (run.stoppedMs !== undefined) break;
        const nowMs = ctx.now().getTime();
        if (nowMs >= run.endMs) break;
        await sleep(Math.max(1, Math.min(run.endMs - nowMs, 50)));
      }
      // Whatever the clock says, a synchronous caller has waited the run's length: settle it.
      if (ctx.now().getTime() < run.endMs && run.stoppedMs === undefined) run.endMs = ctx.now().getTime();
      const status = runStatus(run, Math.max(ctx.now().getTime(), run.endMs));
      const headers = { "x-automation-run-id": run.id };
      if ((AUTOMATION_RUN_SUCCEEDED as readonly string[]).includes(status))
        return ok(run.outcome.output ?? {}, 200, headers);
      const err = qlikError(
        500,
        "AUTOMATIONS-RUN-" + status.toUpperCase().replace(/\s+/g, "-"),
        `Automation run ${status}`,
        run.outcome.error ?? `Run '${run.id}' of automation '${a.id}' ended with status '${status}'.`,
      );
      return { ...err, headers };
    },
  });
};
