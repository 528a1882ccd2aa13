/**
 * App evaluations through `@qlik/api/analytics/apps` (`/api/analytics/apps/...`; the
 * `/api/v1/apps/.../evaluations` endpoints are deprecated). Reads are uncached (`noCache`) so polling
 * sees progress.
 */
import {
  createAppEvaluation,
  getAppEvaluation,
  getAppEvaluations,
  type Evaluation,
} from "@qlik/api/analytics/apps";
import { CicdError, poll, type Clock, type Logger } from "@qlik-cicd/common";
import type { QlikClient } from "@qlik-cicd/qlik-client";
import { evaluationState } from "./summary.ts";

/** An evaluation did not finish within the allowed time. */
export class EvaluationTimeoutError extends CicdError {
  readonly evaluationId: string;
  readonly status: string;
  constructor(message: string, evaluationId: string, status: string) {
    super(message, { hint: "Raise 'timeout-minutes', or run again when the tenant is less busy." });
    this.evaluationId = evaluationId;
    this.status = status;
  }
}

/** An evaluation ended without results (failed, canceled, ...). */
export class EvaluationFailedError extends CicdError {
  readonly evaluationId: string;
  constructor(message: string, evaluationId: string) {
    super(message, {
      hint: "Open the app once to check it loads, and look at the evaluation's events in the hub.",
    });
    this.evaluationId = evaluationId;
  }
}

export async function startEvaluation(client: QlikClient, appId: string): Promise<Evaluation> {
  const res = await client.call(
    {
      tier: "write",
      method: "POST",
      resource: `/api/analytics/apps/${appId}/evaluations`,
      operation: "evaluate app",
    },
    (opts) => createAppEvaluation(appId, opts),
  );
  return res.data;
}

export async function getEvaluation(client: QlikClient, id: string): Promise<Evaluation> {
  const res = await client.call(
    {
      tier: "read",
      method: "GET",
      resource: `/api/analytics/apps/evaluations/${id}`,
      operation: "read evaluation",
    },
    (opts) => getAppEvaluation(id, { all: true }, opts),
  );
  return res.data;
}

/** The app's evaluations, newest first (one page of up to `limit`). */
export async function listEvaluations(client: QlikClient, appId: string, limit = 20): Promise<Evaluation[]> {
  const res = await client.call(
    {
      tier: "read",
      method: "GET",
      resource: `/api/analytics/apps/${appId}/evaluations`,
      operation: "list evaluations",
    },
    (opts) => getAppEvaluations(appId, { all: true, limit, sort: "-started" }, opts),
  );
  return res.data.data ?? [];
}

export interface WaitOptions {
  timeoutMs: number;
  /** Longest pause between polls (default 5 s); polling starts at 250 ms and doubles. */
  pollIntervalMs?: number;
  logger: Logger;
  /** Names the app in messages. */
  appLabel: string;
  /** Time source for the waits (tests). */
  clock?: Clock;
}

/** Polls an evaluation until it is finished; throws EvaluationTimeoutError / EvaluationFailedError. */
export async function waitForEvaluation(
  client: QlikClient,
  evaluation: Evaluation,
  options: WaitOptions,
): Promise<Evaluation> {
  const id = evaluation.id ?? "";
  const polled = await poll(
    () => getEvaluation(client, id),
    (e) => evaluationState(e.status) !== "pending",
    {
      initial: evaluation,
      firstDelayMs: 250,
      intervalMs: options.pollIntervalMs ?? 5000,
      timeoutMs: options.timeoutMs,
      clock: options.clock,
    },
  );
  let current = polled.value;
  // Done when it started, without results: read it once for them.
  if (evaluationState(current.status) === "done" && !current.result && polled.reads === 0) {
    current = await getEvaluation(client, id);
  }
  const state = evaluationState(current.status);
  if (state === "done") return current;
  if (state === "failed") {
    const reason = [...(current.details?.errors ?? []), ...(current.events ?? []).map((e) => e.message ?? "")]
      .filter(Boolean)
      .slice(0, 3)
      .join(" | ");
    throw new EvaluationFailedError(
      `Evaluation ${id} of ${options.appLabel} ended '${current.status}'${reason ? `: ${reason}` : "."}`,
      id,
    );
  }
  const minutes = options.timeoutMs / 60000;
  const shown =
    minutes >= 1
      ? `${Math.round(minutes * 10) / 10} minutes`
      : `${Math.round(options.timeoutMs / 100) / 10} seconds`;
  throw new EvaluationTimeoutError(
    `Evaluation ${id} of ${options.appLabel} did not finish within ${shown} (status '${current.status ?? "unknown"}').`,
    id,
    current.status ?? "",
  );
}
