/** Types of the performance regression gate (app evaluations). */

/** One evaluated object: its uncached response time, the slowest case people meet. */
export interface ObjectTiming {
  id: string;
  title: string;
  /** Object type, e.g. `barchart`, `table`, `sheet`. */
  type: string;
  sheetId?: string;
  sheetTitle?: string;
  /** Uncached response time in milliseconds. */
  responseMs: number;
}

/** An evaluation event (errors fail the gate when `failOnErrors`). */
export interface EvaluationEvent {
  severity: string;
  errorCode?: string;
  message: string;
  objectId?: string;
  objectTitle?: string;
  sheetTitle?: string;
}

/**
 * What the gate needs from one finished evaluation, flattened from Qlik's result. Also the form stored
 * in a report, so a saved report can serve as the next run's baseline.
 */
export interface EvaluationSummary {
  id: string;
  appId: string;
  appName?: string;
  status: string;
  /** When the evaluation started/ended (ISO), as the tenant reported it. */
  started?: string;
  ended?: string;
  objects: ObjectTiming[];
  /** Time to open the app, ms. */
  appOpenMs?: number;
  /** Peak memory of the app's last reload, bytes. */
  peakMemoryBytes?: number;
  documentSizeMiB?: number;
  sheetCount?: number;
  objectCount?: number;
  /** Objects that hit the engine's memory limit. */
  memoryLimitObjectIds: string[];
  events: EvaluationEvent[];
}

export interface GateThresholds {
  /** An object regresses when it got slower by more than this percentage (and by `minRegressionMs`). */
  maxRegressionPercent: number;
  /** Absolute changes smaller than this never count as regressions: evaluations are noisy. */
  minRegressionMs: number;
  /** Fail when any object's median response time exceeds this, whatever the baseline. */
  maxObjectMs?: number;
  /** Fail when the median time to open the app exceeds this. */
  maxAppOpenMs?: number;
  /** Fail when reload peak memory grew by more than this percentage; undefined: not checked. */
  maxMemoryRegressionPercent?: number;
  /** Memory changes smaller than this never count (default 16 MiB). */
  minMemoryRegressionBytes?: number;
  /** Fail when an evaluation reports events of severity error. */
  failOnErrors: boolean;
}

export const DEFAULT_THRESHOLDS: GateThresholds = {
  maxRegressionPercent: 20,
  minRegressionMs: 50,
  maxMemoryRegressionPercent: 25,
  minMemoryRegressionBytes: 16 * 1024 * 1024,
  failOnErrors: true,
};

export type RegressionKind =
  /** An object got slower than the percent threshold allows (beyond the ms floor). */
  | "object"
  /** An object is slower than `maxObjectMs`. */
  | "objectLimit"
  /** Opening the app got slower than the percent threshold allows. */
  | "appOpen"
  /** Opening the app takes longer than `maxAppOpenMs`. */
  | "appOpenLimit"
  /** Reload peak memory grew beyond `maxMemoryRegressionPercent`. */
  | "memory"
  /** An object now hits the engine's memory limit. */
  | "memoryLimit"
  /** The evaluation reported an error event. */
  | "error";

export interface Regression {
  kind: RegressionKind;
  /** One sentence for people, e.g. `Object 'Sales by region' (barchart) went from 120 ms to 410 ms (+242 %).` */
  message: string;
  objectId?: string;
  title?: string;
  baseline?: number;
  current?: number;
  delta?: number;
  deltaPercent?: number;
  /** Orders regressions, worst first: errors, then by how far the limit was exceeded. */
  score: number;
}

export interface ObjectComparison {
  id: string;
  title: string;
  type: string;
  sheetTitle?: string;
  /** Median over the baseline passes; null when the baseline did not have the object (new object). */
  baselineMs: number | null;
  /** Median over the current passes; null when the object was removed. */
  currentMs: number | null;
  deltaMs: number | null;
  deltaPercent: number | null;
  regressed: boolean;
  status: "changed" | "new" | "removed";
}

export interface MetricComparison {
  baseline: number | null;
  current: number | null;
  delta: number | null;
  deltaPercent: number | null;
  regressed: boolean;
}

export interface GateError {
  errorCode?: string;
  message: string;
  objectId?: string;
  objectTitle?: string;
  /** Also reported by the baseline (already there before this change). */
  inBaseline: boolean;
}

export interface GateResult {
  verdict: "pass" | "fail";
  /** Worst first. */
  regressions: Regression[];
  /** Slowest first (by current, then baseline time). */
  objects: ObjectComparison[];
  appOpen: MetricComparison;
  memory: MetricComparison;
  errors: GateError[];
  /** How many passes each side had. */
  passes: { current: number; baseline: number };
  /** True when there was no baseline: only absolute limits and errors were checked. */
  baselineMissing: boolean;
}
