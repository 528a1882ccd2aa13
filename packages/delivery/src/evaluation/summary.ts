/** Flattens a finished evaluation (as `GET /api/analytics/apps/evaluations/{id}?all=true` returns it). */
import type { Evaluation, Resultobjresponsetime } from "@qlik/api/analytics/apps";
import type { EvaluationEvent, EvaluationSummary, ObjectTiming } from "./types.ts";
import { evaluationVerdict, type EvaluationVerdict } from "@qlik-cicd/qlik-facts";

const ms = (seconds: number) => Math.round(seconds * 1000 * 100) / 100;

function timing(o: Resultobjresponsetime): ObjectTiming | undefined {
  if (!o.id || typeof o.responseTimeSeconds !== "number" || !Number.isFinite(o.responseTimeSeconds))
    return undefined;
  return {
    id: o.id,
    title: o.title ?? "",
    type: o.objectType ?? "object",
    ...(o.sheetId && { sheetId: o.sheetId }),
    ...(o.sheetTitle !== undefined && { sheetTitle: o.sheetTitle }),
    responseMs: ms(o.responseTimeSeconds),
  };
}

/**
 * Every evaluated object with its uncached response time. Sources, first wins per object id:
 * `result.objNoCache`, the per-sheet object lists (`sheetsUncached`), then the first pass in
 * `details.objectMetrics` (the uncached pass). Sheets themselves are not objects here.
 */
export function objectTimings(evaluation: Evaluation): ObjectTiming[] {
  const out = new Map<string, ObjectTiming>();
  const add = (o: Resultobjresponsetime) => {
    const t = timing(o);
    if (t && t.type !== "sheet" && !out.has(t.id)) out.set(t.id, t);
  };
  for (const o of evaluation.result?.objNoCache ?? []) add(o);
  for (const s of evaluation.result?.sheetsUncached ?? []) for (const o of s.sheetObjects ?? []) add(o);
  for (const [id, entry] of Object.entries(evaluation.details?.objectMetrics ?? {})) {
    const first = entry.passes?.[0];
    if (first && typeof first.responseTimeSeconds === "number") {
      add({ ...entry, id: entry.id ?? id, responseTimeSeconds: first.responseTimeSeconds });
    }
  }
  return [...out.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function events(evaluation: Evaluation): EvaluationEvent[] {
  const list: EvaluationEvent[] = (evaluation.events ?? []).map((e) => ({
    severity: (e.severity ?? "info").toLowerCase(),
    message: e.message ?? e.errorCode ?? "",
    ...(e.errorCode && { errorCode: e.errorCode }),
    ...(e.objectId && { objectId: e.objectId }),
    ...(e.objectTitle && { objectTitle: e.objectTitle }),
    ...(e.sheetTitle && { sheetTitle: e.sheetTitle }),
  }));
  // Errors only in details (no matching event) still count.
  const messages = new Set(list.map((e) => e.message));
  for (const message of evaluation.details?.errors ?? []) {
    if (!messages.has(message)) list.push({ severity: "error", message });
  }
  return list;
}

export function summarizeEvaluation(evaluation: Evaluation): EvaluationSummary {
  const r = evaluation.result;
  const open = r?.openApp?.totalDurationMilliseconds;
  const peak = evaluation.reloadInformation?.reloadmeta?.peakmemorybytes;
  return {
    id: evaluation.id ?? "",
    appId: evaluation.appId ?? "",
    ...(evaluation.appName !== undefined && { appName: evaluation.appName }),
    status: evaluation.status ?? "",
    ...(evaluation.started && { started: evaluation.started }),
    ...(evaluation.ended && { ended: evaluation.ended }),
    objects: objectTimings(evaluation),
    ...(typeof open === "number" && { appOpenMs: open }),
    ...(typeof peak === "number" && { peakMemoryBytes: peak }),
    ...(typeof r?.documentSizeMiB === "number" && { documentSizeMiB: r.documentSizeMiB }),
    ...(typeof r?.sheetCount === "number" && { sheetCount: r.sheetCount }),
    ...(typeof r?.objectCount === "number" && { objectCount: r.objectCount }),
    memoryLimitObjectIds: [
      ...new Set((r?.objMemoryLimit ?? []).map((o) => o.id).filter((id): id is string => !!id)),
    ].sort(),
    events: events(evaluation),
  };
}

/** Whether the evaluation measured nothing because the app has no public sheets. */
export function hasNoPublicSheets(summary: EvaluationSummary): boolean {
  if (summary.events.some((e) => /no[_ -]?public[_ -]?sheets/i.test(`${e.errorCode ?? ""} ${e.message}`)))
    return true;
  return summary.sheetCount === 0 || (summary.sheetCount === undefined && summary.objects.length === 0);
}

/** Whether an evaluation is done, failed or still pending (Qlik documents `status` as a free string). */
export function evaluationState(status: string | undefined): EvaluationVerdict {
  return evaluationVerdict(status);
}
