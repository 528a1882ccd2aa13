// Status values Qlik Cloud reports, as lists the product and the simulator share. Each list is held
// against the union in @qlik/api's types (Qlik's newest description), so a change there fails the
// type check instead of drifting silently.
import type { RunDetailResponseObject } from "@qlik/api/automations";
import type { Status as QlikReloadStatus } from "@qlik/api/reloads";
import type { SameUnion } from "./type-check.ts";
import { assertSameUnion } from "./type-check.ts";

/** `GET /api/v1/reloads/{id}` → `status`. */
export const RELOAD_STATUSES = [
  "QUEUED",
  "RELOADING",
  "CANCELING",
  "SUCCEEDED",
  "FAILED",
  "CANCELED",
  "EXCEEDED_LIMIT",
] as const;
export type ReloadStatus = (typeof RELOAD_STATUSES)[number];
assertSameUnion<SameUnion<ReloadStatus, QlikReloadStatus>>(true);

export const RELOAD_FINAL_STATUSES = [
  "SUCCEEDED",
  "FAILED",
  "CANCELED",
  "EXCEEDED_LIMIT",
] as const satisfies readonly ReloadStatus[];

export function isFinalReloadStatus(status: string | undefined): boolean {
  return (RELOAD_FINAL_STATUSES as readonly string[]).includes(status ?? "");
}

/** `GET /api/v1/automations/{id}/runs/{runId}` → `status`. */
export const AUTOMATION_RUN_STATUSES = [
  "failed",
  "finished",
  "finished with warnings",
  "must stop",
  "not started",
  "running",
  "starting",
  "stopped",
  "exceeded limit",
  "queued",
] as const;
export type AutomationRunStatus = (typeof AUTOMATION_RUN_STATUSES)[number];
assertSameUnion<SameUnion<AutomationRunStatus, NonNullable<RunDetailResponseObject["status"]>>>(true);
