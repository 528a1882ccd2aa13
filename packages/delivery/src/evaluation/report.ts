/** The JSON report of a run: deterministic (sorted keys), and usable as a later run's baseline. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { canonicalJson, ConfigError } from "@qlik-cicd/common";
import type { EvaluationSummary, GateResult, GateThresholds } from "./types.ts";

export type BaselineKind = "auto" | "evaluation" | "report" | "none";

export interface EvaluationReport {
  version: 1;
  app: { id: string; name: string; temporary: boolean; source?: string };
  baseline: {
    kind: BaselineKind;
    appId?: string;
    appName?: string;
    space?: string;
    /** How many baseline evaluations were reused rather than run now. */
    reused: number;
    evaluationIds: string[];
    evaluations: EvaluationSummary[];
  };
  current: { evaluationIds: string[]; evaluations: EvaluationSummary[] };
  thresholds: GateThresholds;
  gate: GateResult;
  warnings: string[];
}

export function renderEvaluationReport(report: EvaluationReport): string {
  return canonicalJson(report);
}

export function writeEvaluationReport(path: string, report: EvaluationReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderEvaluationReport(report));
}

function isSummary(value: unknown): value is EvaluationSummary {
  if (!value || typeof value !== "object") return false;
  const v = value as Partial<EvaluationSummary>;
  return (
    typeof v.id === "string" &&
    Array.isArray(v.objects) &&
    v.objects.every((o) => o && typeof o.id === "string" && typeof o.responseMs === "number") &&
    (v.events === undefined || Array.isArray(v.events))
  );
}

/** Reads a report written by a previous run; `field` names the input in errors. */
export function readEvaluationReport(path: string, field = "baseline"): EvaluationReport {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new ConfigError(
      `Baseline report '${path}' could not be read; set '${field}' to 'auto', an evaluation id, or the path of a report a previous run wrote.`,
      { field },
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ConfigError(`Baseline report '${path}' is not valid JSON.`, { field });
  }
  const report = data as Partial<EvaluationReport>;
  const evaluations = report?.current?.evaluations;
  if (!Array.isArray(evaluations) || !evaluations.length || !evaluations.every(isSummary)) {
    throw new ConfigError(
      `Baseline report '${path}' has no evaluations under 'current.evaluations'; use the 'report' output of a previous evaluate-app run.`,
      { field },
    );
  }
  const normalised = evaluations.map((e) => ({
    ...e,
    appId: e.appId ?? "",
    status: e.status ?? "",
    memoryLimitObjectIds: e.memoryLimitObjectIds ?? [],
    events: e.events ?? [],
  }));
  return {
    ...(report as EvaluationReport),
    app: {
      id: report.app?.id ?? normalised[0].appId,
      name: report.app?.name ?? normalised[0].appName ?? "",
      temporary: report.app?.temporary ?? false,
    },
    current: { evaluationIds: normalised.map((e) => e.id), evaluations: normalised },
  };
}
