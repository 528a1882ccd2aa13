// What an automation run's status means for whoever waits on it: still going, succeeded, or failed. One
// decision for run-automation and the rollout's health check. `must stop` means a stop was requested:
// the run will not succeed, so it counts as failed at once instead of being polled until a timeout.
import type { RunDetailRequestObject, RunDetailResponseObject } from "@qlik/api/automations";
import { AUTOMATION_RUN_STATUSES } from "./statuses.ts";
import type { AutomationRunStatus } from "./statuses.ts";
import type { SameUnion } from "./type-check.ts";
import { assertSameUnion } from "./type-check.ts";

export const AUTOMATION_RUN_SUCCEEDED = [
  "finished",
  "finished with warnings",
] as const satisfies readonly AutomationRunStatus[];

export const AUTOMATION_RUN_FAILED = [
  "failed",
  "stopped",
  "exceeded limit",
  "must stop",
] as const satisfies readonly AutomationRunStatus[];

export const AUTOMATION_RUN_PENDING = [
  "not started",
  "queued",
  "starting",
  "running",
] as const satisfies readonly AutomationRunStatus[];

// The three lists split Qlik's statuses exactly: a status added to @qlik/api fails the type check here.
assertSameUnion<
  SameUnion<
    | (typeof AUTOMATION_RUN_SUCCEEDED)[number]
    | (typeof AUTOMATION_RUN_FAILED)[number]
    | (typeof AUTOMATION_RUN_PENDING)[number],
    AutomationRunStatus
  >
>(true);

export type AutomationRunVerdict = "succeeded" | "failed" | "pending";

/** Succeeded or failed once the run is over (or cannot succeed); pending otherwise, unknown values included. */
export function automationRunVerdict(status: string | undefined): AutomationRunVerdict {
  const s = status ?? "";
  if ((AUTOMATION_RUN_SUCCEEDED as readonly string[]).includes(s)) return "succeeded";
  if ((AUTOMATION_RUN_FAILED as readonly string[]).includes(s)) return "failed";
  return "pending";
}

export function isAutomationRunStatus(status: string): status is AutomationRunStatus {
  return (AUTOMATION_RUN_STATUSES as readonly string[]).includes(status);
}

/**
 * Who started a run, as the run record says (`context`). A run requested through
 * `POST /api/v1/automations/{id}/runs` sends `{context: "api"}`; the record then carries one of these.
 */
export const AUTOMATION_RUN_CONTEXTS = [
  "test_run",
  "editor",
  "detail",
  "api_sync",
  "api_async",
  "webhook",
  "lookup",
] as const;
export type AutomationRunContext = (typeof AUTOMATION_RUN_CONTEXTS)[number];
assertSameUnion<SameUnion<AutomationRunContext, NonNullable<RunDetailResponseObject["context"]>>>(true);

/** The `context` a run request sends. */
export const AUTOMATION_RUN_REQUEST_CONTEXT = "api" satisfies RunDetailRequestObject["context"];
