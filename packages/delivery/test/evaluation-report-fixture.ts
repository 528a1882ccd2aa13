// A small evaluation report (one chart, a production baseline at 100 ms) for the comment tests here and
// the pull-request comment test in actions/_shared.
import {
  DEFAULT_THRESHOLDS,
  evaluateGate,
  type EvaluationReport,
  type EvaluationSummary,
} from "../src/evaluation/index.ts";

function summary(id: string, ms: number): EvaluationSummary {
  return {
    id,
    appId: "a1",
    status: "finished",
    objects: [
      { id: "c1", title: "Revenue by region", type: "barchart", sheetTitle: "Overview", responseMs: ms },
    ],
    memoryLimitObjectIds: [],
    events: [],
  };
}

export function evaluationReport(currentMs: number): EvaluationReport {
  const current = [summary("cur", currentMs)];
  const baseline = [summary("base", 100)];
  return {
    version: 1,
    app: { id: "tmp1", name: "Sales Analytics", temporary: true, source: "apps/sales" },
    baseline: {
      kind: "auto",
      appId: "p1",
      appName: "Sales Analytics",
      space: "production",
      reused: 0,
      evaluationIds: ["base"],
      evaluations: baseline,
    },
    current: { evaluationIds: ["cur"], evaluations: current },
    thresholds: DEFAULT_THRESHOLDS,
    gate: evaluateGate(current, baseline, DEFAULT_THRESHOLDS),
    warnings: [],
  };
}
