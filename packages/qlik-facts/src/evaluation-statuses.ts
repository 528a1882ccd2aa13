// Statuses of an app evaluation (`POST /api/analytics/apps/{appId}/evaluations`, then
// `GET /api/analytics/apps/evaluations/{id}`). Qlik types `status` as a free string (@qlik/api
// analytics/apps `Evaluation.status?: string`; the analytics-apps OpenAPI gives the example "finished"),
// so there is no union to hold the list against. Sources: the create operation "queues" an evaluation
// (its description in both), evaluations then run and end "finished" (the OpenAPI example) or "failed";
// the deprecated v1 evaluations API used the same words in capitals (RUNNING, FAILED, FINISHED).

export const EVALUATION_STATUSES = ["queued", "running", "finished", "failed"] as const;
export type EvaluationStatus = (typeof EVALUATION_STATUSES)[number];

export type EvaluationVerdict = "done" | "failed" | "pending";

/**
 * done, failed or pending. Being a free string, the status is read without regard to case, and words
 * Qlik could use for the same outcomes are understood too; anything else is still pending.
 */
export function evaluationVerdict(status: string | undefined): EvaluationVerdict {
  const s = (status ?? "").toLowerCase();
  if (s === "finished" || /^(succeeded|success|completed|complete|done)$/.test(s)) return "done";
  if (s === "failed" || /fail|error|cancel|abort|timeout|timed/.test(s)) return "failed";
  return "pending";
}
