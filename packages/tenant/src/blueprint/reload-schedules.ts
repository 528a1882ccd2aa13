/**
 * Reload schedules of monitoring apps: one Qlik Cloud reload task per app (`/api/v1/reload-tasks`), created
 * when the app has none, updated when it differs from the blueprint, left alone when it matches.
 */
import { createReloadTask, getReloadTasks, updateReloadTask, type Task } from "@qlik/api/reload-tasks";
import { allPages, type QlikClient } from "@qlik-cicd/qlik-client";
import type { ApplyContext, Step } from "./operations.ts";
import type { ReloadScheduleSpec } from "./types.ts";

const DEFAULT_SCHEDULE_TIME_ZONE = "UTC";

/** A reload task as configure-tenant compares it. */
export interface ReloadTaskState {
  id: string;
  appId: string;
  recurrence: string[];
  timeZone: string;
  startDateTime: string;
  endDateTime: string;
  partial: boolean;
  autoReload: boolean;
  autoReloadPartial: boolean;
  state: string;
}

/** What it takes to bring an app's reload tasks to the blueprint's schedule. */
export type ScheduleDecision =
  | { action: "none"; task: ReloadTaskState }
  | { action: "create" }
  | { action: "update"; task: ReloadTaskState; differences: string[] };

const str = (v: unknown): string => (typeof v === "string" ? v : "");

export async function readReloadTasks(client: QlikClient, appId: string): Promise<ReloadTaskState[]> {
  const list = await allPages(
    client,
    { tier: "read", method: "GET", resource: "/api/v1/reload-tasks" },
    (opts) => getReloadTasks({ appId, limit: 100 }, opts),
  );
  return list.filter((t) => str(t.appId) === appId).map(toTaskState);
}

function toTaskState(t: Task): ReloadTaskState {
  return {
    id: str(t.id),
    appId: str(t.appId),
    recurrence: Array.isArray(t.recurrence) ? t.recurrence.filter((r) => typeof r === "string") : [],
    timeZone: str(t.timeZone),
    startDateTime: str(t.startDateTime),
    endDateTime: str(t.endDateTime),
    partial: t.partial === true,
    autoReload: t.autoReload === true,
    autoReloadPartial: t.autoReloadPartial === true,
    state: str(t.state),
  };
}

const sorted = (list: string[]) => [...list].sort();
const fmt = (list: string[]) => `[${list.join(", ")}]`;

/** How `task` differs from `spec`, as short phrases (`recurrence [a] → [b]`); empty when it matches. */
function scheduleDifferences(spec: ReloadScheduleSpec, task: ReloadTaskState): string[] {
  const out: string[] = [];
  const zone = spec.timeZone ?? DEFAULT_SCHEDULE_TIME_ZONE;
  if (JSON.stringify(sorted(task.recurrence)) !== JSON.stringify(sorted(spec.recurrence)))
    out.push(`recurrence ${fmt(task.recurrence)} → ${fmt(spec.recurrence)}`);
  if (task.timeZone !== zone) out.push(`time zone '${task.timeZone}' → '${zone}'`);
  if (spec.startDateTime !== undefined && task.startDateTime !== spec.startDateTime)
    out.push(`start '${task.startDateTime}' → '${spec.startDateTime}'`);
  const partial = spec.partial ?? false;
  if (task.partial !== partial) out.push(partial ? "full → partial reload" : "partial → full reload");
  const wantState = spec.enabled === false ? "Disabled" : "Enabled";
  if (task.state !== wantState) out.push(`state ${task.state} → ${wantState}`);
  return out;
}

/**
 * A task that matches wins; otherwise the first scheduled task of the app is updated (other tasks someone
 * added are left alone); without any, one is created.
 */
export function decideSchedule(spec: ReloadScheduleSpec, tasks: ReloadTaskState[]): ScheduleDecision {
  const scheduled = tasks.filter((t) => t.recurrence.length > 0);
  const match = scheduled.find((t) => scheduleDifferences(spec, t).length === 0);
  if (match) return { action: "none", task: match };
  const first = scheduled[0];
  if (!first) return { action: "create" };
  return { action: "update", task: first, differences: scheduleDifferences(spec, first) };
}

/** Midnight of `now`'s UTC day as a local date-time (`2026-03-01T00:00:00`), the default first run. */
function defaultStart(now: Date): string {
  return `${now.toISOString().slice(0, 10)}T00:00:00`;
}

function describeSchedule(spec: ReloadScheduleSpec): string {
  const zone = spec.timeZone ?? DEFAULT_SCHEDULE_TIME_ZONE;
  const kind = spec.partial ? "partial reload" : "reload";
  const disabled = spec.enabled === false ? ", disabled" : "";
  return `${kind} ${spec.recurrence.join(" ")} (${zone}${disabled})`;
}

async function createTask(
  client: QlikClient,
  appId: string,
  spec: ReloadScheduleSpec,
  now: Date,
): Promise<string> {
  const body = {
    appId,
    recurrence: spec.recurrence,
    timeZone: spec.timeZone ?? DEFAULT_SCHEDULE_TIME_ZONE,
    startDateTime: spec.startDateTime ?? defaultStart(now),
    partial: spec.partial ?? false,
  };
  const res = await client.call(
    { tier: "write", method: "POST", resource: "/api/v1/reload-tasks", operation: "create reload task" },
    (opts) => createReloadTask(body, opts),
  );
  const task = toTaskState(res.data);
  // A new task starts enabled; a blueprint that wants it disabled says so with a second call.
  if (spec.enabled === false) await updateTask(client, task, spec);
  return task.id;
}

async function updateTask(client: QlikClient, task: ReloadTaskState, spec: ReloadScheduleSpec) {
  // PUT replaces the task: send every field, keeping what the blueprint does not manage.
  const body = {
    appId: task.appId,
    recurrence: spec.recurrence,
    timeZone: spec.timeZone ?? DEFAULT_SCHEDULE_TIME_ZONE,
    startDateTime: spec.startDateTime ?? task.startDateTime,
    ...(task.endDateTime ? { endDateTime: task.endDateTime } : {}),
    partial: spec.partial ?? false,
    autoReload: task.autoReload,
    autoReloadPartial: task.autoReloadPartial,
    state: spec.enabled === false ? ("Disabled" as const) : ("Enabled" as const),
  };
  await client.call(
    {
      tier: "write",
      method: "PUT",
      resource: "/api/v1/reload-tasks/{id}",
      operation: "update reload task",
    },
    (opts) => updateReloadTask(task.id, body, opts),
  );
}

export interface ScheduleTarget {
  /** Blueprint field of the app, e.g. `monitoring.apps[0]`. */
  field: string;
  /** People's name of the app, e.g. `monitoring app Reload Monitor`. */
  label: string;
  spec: ReloadScheduleSpec;
}

function target(t: ScheduleTarget): string {
  return `reload schedule ${t.field}`;
}

/**
 * The step that brings the app's reload task to the schedule. `decision` is what a plan found (the app
 * existed when the plan was made); without it the step reads the tasks when it runs, right after the
 * deploy step recorded the app's id, and returns false when the task already matches.
 */
export function scheduleStep(
  t: ScheduleTarget,
  options: { now: () => Date; knownAppId?: string; decision?: ScheduleDecision },
): Step | undefined {
  const { decision } = options;
  if (decision?.action === "none") return undefined;
  const what = describeSchedule(t.spec);
  const step: Step = {
    kind: decision?.action === "update" ? "update-reload-task" : "create-reload-task",
    target: target(t),
    description:
      decision?.action === "update"
        ? `Update the reload task of ${t.label}: ${decision.differences.join("; ")}`
        : decision?.action === "create"
          ? `Schedule ${t.label}: ${what}`
          : `Schedule ${t.label} (create or update its reload task): ${what}`,
    run: async (ctx: ApplyContext) => {
      const appId = ctx.deployedApps.get(t.field) ?? options.knownAppId;
      if (!appId) throw new Error(`The app of '${t.field}' was not deployed, so it cannot be scheduled.`);
      const now = decideSchedule(t.spec, await readReloadTasks(ctx.client, appId));
      if (now.action === "none") return false;
      if (now.action === "create") {
        const id = await createTask(ctx.client, appId, t.spec, options.now());
        step.kind = "create-reload-task";
        step.description = `Schedule ${t.label}: ${what}`;
        ctx.logger.info(`Created reload task ${id} for app ${appId}: ${what}.`);
        return true;
      }
      await updateTask(ctx.client, now.task, t.spec);
      step.kind = "update-reload-task";
      step.description = `Update the reload task of ${t.label}: ${now.differences.join("; ")}`;
      ctx.logger.info(`Updated reload task ${now.task.id} of app ${appId}: ${now.differences.join("; ")}.`);
      return true;
    },
  };
  return step;
}
