/**
 * Reload tasks (scheduled reloads): `/api/v1/reload-tasks` (list by app, create, get, replace, delete), as
 * `@qlik/api/reload-tasks` types them. A task belongs to an existing app and carries RFC 5545 RRULE lines,
 * a start time and an IANA time zone; the simulator validates and stores tasks but never fires them.
 */
import { qlikError } from "../../http/types.ts";
import type { RouteModule, SimContext, SimRequest, SimResponse, TenantState } from "../../http/types.ts";
import { addDeleteById, addGetById, badRequest, listResponse, objectBody, ok } from "./util.ts";
import type { ItemRoute } from "./util.ts";

export type ReloadTaskState = "Enabled" | "Disabled" | "Completed";

export interface ReloadTaskRecord {
  id: string;
  appId: string;
  spaceId: string | null;
  userId: string;
  partial: boolean;
  autoReload: boolean;
  autoReloadPartial: boolean;
  recurrence: string[];
  startDateTime: string;
  endDateTime: string;
  timeZone: string;
  state: ReloadTaskState;
  disabledCode?: "MANUALLY";
  createdAt: string;
  updatedAt: string;
}

/** The tenant's reload tasks; tasks of deleted apps go with them (as on Qlik Cloud). */
function reloadTasksState(tenant: TenantState): { tasks: Map<string, ReloadTaskRecord> } {
  const state = tenant.moduleState("reload-tasks", () => ({ tasks: new Map<string, ReloadTaskRecord>() }));
  for (const [id, t] of state.tasks) if (!tenant.apps.has(t.appId)) state.tasks.delete(id);
  return state;
}

function taskNotFound(id: string): SimResponse {
  return qlikError(404, "TASKS-404", "Not found", `Reload task '${id}' was not found.`);
}

function invalid(detail: string): SimResponse {
  return badRequest(detail, "TASKS-400");
}

function view(req: SimRequest, t: ReloadTaskRecord) {
  return {
    id: t.id,
    appId: t.appId,
    ...(t.spaceId ? { spaceId: t.spaceId } : {}),
    tenantId: req.tenant.id,
    userId: t.userId,
    partial: t.partial,
    autoReload: t.autoReload,
    autoReloadPartial: t.autoReloadPartial,
    recurrence: [...t.recurrence],
    startDateTime: t.startDateTime,
    endDateTime: t.endDateTime,
    timeZone: t.timeZone,
    state: t.state,
    ...(t.disabledCode ? { disabledCode: t.disabledCode } : {}),
    migrated: true,
    links: { self: { href: `${req.baseUrl}/api/v1/reload-tasks/${t.id}` } },
  };
}

const FREQUENCIES = ["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"];
const RULE_PARTS = new Set([
  "FREQ",
  "UNTIL",
  "COUNT",
  "INTERVAL",
  "BYSECOND",
  "BYMINUTE",
  "BYHOUR",
  "BYDAY",
  "BYMONTHDAY",
  "BYYEARDAY",
  "BYWEEKNO",
  "BYMONTH",
  "BYSETPOS",
  "WKST",
]);

/** One RECUR line: `RRULE:` followed by `KEY=value` parts separated by `;`, with exactly one valid FREQ. */
function rruleProblem(line: unknown): string | undefined {
  if (typeof line !== "string") return `Each recurrence entry must be a string, got ${JSON.stringify(line)}.`;
  if (!line.startsWith("RRULE:"))
    return `Recurrence '${line}' is not a RECUR line: it must start with 'RRULE:' (DTSTART/DTEND are not allowed).`;
  const parts = line.slice("RRULE:".length).split(";");
  const seen = new Set<string>();
  for (const part of parts) {
    const eq = part.indexOf("=");
    const key = eq > 0 ? part.slice(0, eq).toUpperCase() : "";
    const value = eq > 0 ? part.slice(eq + 1) : "";
    if (!key || value === "") return `Recurrence '${line}' has a malformed part '${part}'.`;
    if (!RULE_PARTS.has(key)) return `Recurrence '${line}' has an unknown part '${key}'.`;
    if (seen.has(key)) return `Recurrence '${line}' repeats '${key}'.`;
    seen.add(key);
    if (key === "FREQ" && !FREQUENCIES.includes(value.toUpperCase()))
      return `Recurrence '${line}' has an unknown FREQ '${value}'.`;
    if (["COUNT", "INTERVAL"].includes(key) && !/^[1-9][0-9]*$/.test(value))
      return `Recurrence '${line}': ${key} must be a positive integer.`;
    if (key === "BYHOUR" && !value.split(",").every((h) => /^\d{1,2}$/.test(h) && Number(h) <= 23))
      return `Recurrence '${line}': BYHOUR must list hours 0-23.`;
    if (key === "BYMINUTE" && !value.split(",").every((m) => /^\d{1,2}$/.test(m) && Number(m) <= 59))
      return `Recurrence '${line}': BYMINUTE must list minutes 0-59.`;
  }
  if (!seen.has("FREQ")) return `Recurrence '${line}' has no FREQ.`;
  if (seen.has("COUNT") && seen.has("UNTIL")) return `Recurrence '${line}' has both COUNT and UNTIL.`;
  return undefined;
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/;
const OFFSET_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** RFC 3339 without an offset when a time zone is given, with one otherwise; not before 1970. */
function dateTimeProblem(field: string, value: unknown, timeZone: string): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") return `'${field}' must be a string.`;
  if (timeZone ? !LOCAL_DATE_TIME.test(value) : !OFFSET_DATE_TIME.test(value))
    return timeZone
      ? `'${field}' ${JSON.stringify(value)} must be a date-time without a zone offset (e.g. 2026-01-01T02:00:00) because 'timeZone' is set.`
      : `'${field}' ${JSON.stringify(value)} must be an RFC 3339 date-time with a zone offset, or 'timeZone' must be set.`;
  const ms = Date.parse(timeZone ? `${value}Z` : value);
  if (!Number.isFinite(ms)) return `'${field}' ${JSON.stringify(value)} is not a valid date-time.`;
  if (ms < 0) return `'${field}' must not be before 1970-01-01T00:00:00Z.`;
  return undefined;
}

interface TaskFields {
  appId?: string;
  partial: boolean;
  autoReload: boolean;
  autoReloadPartial: boolean;
  recurrence: string[];
  startDateTime: string;
  endDateTime: string;
  timeZone: string;
  state?: ReloadTaskState;
}

/** Validates a POST or PUT body; returns the fields or a 400/404 response. */
function readBody(req: SimRequest, forUpdate: boolean): TaskFields | SimResponse {
  const b = objectBody(req);
  if (!b) return invalid("The request body must be a JSON object.");
  if (b.appId !== undefined && typeof b.appId !== "string") return invalid("'appId' must be a string.");
  if (!forUpdate && (typeof b.appId !== "string" || b.appId === ""))
    return invalid("The reload task needs an 'appId'.");
  if (typeof b.appId === "string" && b.appId !== "" && !req.tenant.apps.has(b.appId))
    return qlikError(404, "TASKS-404", "Not found", `App '${b.appId}' was not found.`);
  for (const key of ["partial", "autoReload", "autoReloadPartial"] as const)
    if (b[key] !== undefined && typeof b[key] !== "boolean") return invalid(`'${key}' must be a boolean.`);
  if (b.type !== undefined && b.type !== "scheduled_reload")
    return invalid(`'type' must be "scheduled_reload", got ${JSON.stringify(b.type)}.`);
  if (b.recurrence !== undefined && !Array.isArray(b.recurrence))
    return invalid("'recurrence' must be an array of RRULE strings.");
  const recurrence = (b.recurrence as unknown[] | undefined) ?? [];
  for (const line of recurrence) {
    const problem = rruleProblem(line);
    if (problem) return invalid(problem);
  }
  if (b.timeZone !== undefined && typeof b.timeZone !== "string")
    return invalid("'timeZone' must be a string.");
  const timeZone = (b.timeZone as string | undefined) ?? "";
  if (timeZone && !validTimeZone(timeZone))
    return invalid(`'timeZone' ${JSON.stringify(timeZone)} is not an IANA time zone name.`);
  for (const field of ["startDateTime", "endDateTime"] as const) {
    const problem = dateTimeProblem(field, b[field], timeZone);
    if (problem) return invalid(problem);
  }
  const startDateTime = (b.startDateTime as string | undefined) ?? "";
  const endDateTime = (b.endDateTime as string | undefined) ?? "";
  if (recurrence.length > 0 && startDateTime === "")
    return invalid("A recurring reload task needs a 'startDateTime'.");
  if (startDateTime && endDateTime) {
    const toMs = (v: string) => Date.parse(timeZone ? `${v}Z` : v);
    if (toMs(endDateTime) <= toMs(startDateTime))
      return invalid("'endDateTime' must be after 'startDateTime'.");
  }
  let state: ReloadTaskState | undefined;
  if (b.state !== undefined) {
    if (!forUpdate) return invalid("'state' can only be set when updating a reload task.");
    if (b.state !== "Enabled" && b.state !== "Disabled" && b.state !== "Completed")
      return invalid(`'state' must be "Enabled", "Disabled" or "Completed", got ${JSON.stringify(b.state)}.`);
    state = b.state;
  }
  return {
    ...(typeof b.appId === "string" && b.appId !== "" ? { appId: b.appId } : {}),
    partial: b.partial === true,
    autoReload: b.autoReload === true,
    autoReloadPartial: b.autoReloadPartial === true,
    recurrence: recurrence as string[],
    startDateTime,
    endDateTime,
    timeZone,
    ...(state ? { state } : {}),
  };
}

const isResponse = (x: TaskFields | SimResponse): x is SimResponse => "status" in x;

const taskItem: ItemRoute<ReloadTaskRecord> = {
  pattern: "/api/v1/reload-tasks/:taskId",
  records: (req) => reloadTasksState(req.tenant).tasks,
  missing: taskNotFound,
};

export const reloadTasksModule: RouteModule = (routes, ctx: SimContext) => {
  routes.add({
    method: "GET",
    pattern: "/api/v1/reload-tasks",
    tier: "tier1",
    handler: (req) => {
      if (req.query.get("next") && req.query.get("prev"))
        return invalid("Provide either the 'next' or the 'prev' cursor, not both.");
      const rawLimit = req.query.get("limit");
      if (rawLimit !== null && !/^(100|[1-9][0-9]?)$/.test(rawLimit))
        return invalid(`'limit' must be an integer between 1 and 100, got '${rawLimit}'.`);
      const appId = req.query.get("appId");
      const partial = req.query.get("partial");
      if (partial !== null && partial !== "true" && partial !== "false")
        return invalid(`'partial' must be true or false, got '${partial}'.`);
      let tasks = [...reloadTasksState(req.tenant).tasks.values()];
      // appId is a case-sensitive exact match; an unknown app simply has no tasks.
      if (appId !== null) tasks = tasks.filter((t) => t.appId === appId);
      if (partial !== null) tasks = tasks.filter((t) => t.partial === (partial === "true"));
      return listResponse(req, tasks, { view: (t) => view(req, t), defaultLimit: 10, maxLimit: 100 });
    },
  });
  routes.add({
    method: "POST",
    pattern: "/api/v1/reload-tasks",
    tier: "tier2",
    handler: (req) => {
      const fields = readBody(req, false);
      if (isResponse(fields)) return fields;
      const app = req.tenant.apps.get(fields.appId as string);
      if (!app) return invalid("The reload task needs an 'appId'.");
      const now = ctx.now().toISOString();
      const task: ReloadTaskRecord = {
        id: ctx.newId("hex"),
        appId: app.id,
        spaceId: app.spaceId,
        userId: req.principal?.userId ?? "",
        partial: fields.partial,
        autoReload: fields.autoReload,
        autoReloadPartial: fields.autoReloadPartial,
        recurrence: fields.recurrence,
        startDateTime: fields.startDateTime,
        endDateTime: fields.endDateTime,
        timeZone: fields.timeZone,
        state: "Enabled",
        createdAt: now,
        updatedAt: now,
      };
      reloadTasksState(req.tenant).tasks.set(task.id, task);
      return ok(view(req, task), 201);
    },
  });
  addGetById(routes, taskItem, (t, req) => view(req, t));
  routes.add({
    method: "PUT",
    pattern: "/api/v1/reload-tasks/:taskId",
    tier: "tier2",
    handler: (req) => {
      const task = reloadTasksState(req.tenant).tasks.get(req.params.taskId);
      if (!task) return taskNotFound(req.params.taskId);
      const fields = readBody(req, true);
      if (isResponse(fields)) return fields;
      if (fields.appId !== undefined && fields.appId !== task.appId)
        return invalid(`A reload task cannot move to another app ('${task.appId}' → '${fields.appId}').`);
      // PUT replaces the task's schedule; the app, owner and id stay.
      task.partial = fields.partial;
      task.autoReload = fields.autoReload;
      task.autoReloadPartial = fields.autoReloadPartial;
      task.recurrence = fields.recurrence;
      task.startDateTime = fields.startDateTime;
      task.endDateTime = fields.endDateTime;
      task.timeZone = fields.timeZone;
      if (fields.state) {
        task.state = fields.state;
        if (fields.state === "Disabled") task.disabledCode = "MANUALLY";
        else delete task.disabledCode;
      }
      task.updatedAt = ctx.now().toISOString();
      return ok(view(req, task));
    },
  });
  addDeleteById(routes, taskItem);
};
