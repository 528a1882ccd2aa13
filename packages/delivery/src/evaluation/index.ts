export {
  evaluateApp,
  type EvaluateAppDeps,
  type EvaluateAppOptions,
  type EvaluateAppResult,
} from "./evaluate-app.ts";
export { evaluateGate, failureSentence, formatMs, formatPercent, median } from "./gate.ts";
export {
  EvaluationFailedError,
  EvaluationTimeoutError,
  getEvaluation,
  listEvaluations,
  startEvaluation,
  waitForEvaluation,
  type WaitOptions,
} from "./api.ts";
export { evaluationState, hasNoPublicSheets, objectTimings, summarizeEvaluation } from "./summary.ts";
export {
  readEvaluationReport,
  renderEvaluationReport,
  writeEvaluationReport,
  type BaselineKind,
  type EvaluationReport,
} from "./report.ts";
export { renderEvaluationMarkdown, type RenderOptions } from "./render.ts";
export { commentMarker, evaluationComment } from "./pull-request.ts";
export {
  createTemporaryApp,
  deleteTemporaryApp,
  ensureScratchSpace,
  prepareTemporaryApp,
  publishSheets,
  temporaryAppName,
} from "./temp-app.ts";
export {
  DEFAULT_THRESHOLDS,
  type EvaluationEvent,
  type EvaluationSummary,
  type GateError,
  type GateResult,
  type GateThresholds,
  type MetricComparison,
  type ObjectComparison,
  type ObjectTiming,
  type Regression,
  type RegressionKind,
} from "./types.ts";
