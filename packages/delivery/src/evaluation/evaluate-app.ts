/**
 * evaluate-app: evaluate an app (or a pull request's unbuilt files, built into a temporary app) a few
 * times, find or produce the baseline's evaluations, and run the gate on the medians.
 */
import { existsSync } from "node:fs";
import { basename } from "node:path";
import type { Evaluation } from "@qlik/api/analytics/apps";
import { readAppTree, requireAppFolder, type AppTree } from "@qlik-cicd/app-files";
import { ConfigError, type Logger } from "@qlik-cicd/common";
import type { QlikClient } from "@qlik-cicd/qlik-client";
import { appNotFound, findAppsByName, getApp } from "../deploy/apps.ts";
import { findSpace, listSpaces, spaceNotFound } from "../deploy/spaces.ts";
import { getEvaluation, listEvaluations, startEvaluation, waitForEvaluation } from "./api.ts";
import { evaluateGate, formatMs } from "./gate.ts";
import { readEvaluationReport, type EvaluationReport, type BaselineKind } from "./report.ts";
import { evaluationState, hasNoPublicSheets, summarizeEvaluation } from "./summary.ts";
import {
  createTemporaryApp,
  deleteTemporaryApp,
  ensureScratchSpace,
  prepareTemporaryApp,
  temporaryAppName,
} from "./temp-app.ts";
import { DEFAULT_THRESHOLDS, type EvaluationSummary, type GateResult, type GateThresholds } from "./types.ts";

export interface EvaluateAppOptions {
  /** The app to evaluate. Exactly one of `appId`, `space` + `appName`, `source`. */
  appId?: string;
  /** Space (name or id) holding `appName`. */
  space?: string;
  /** With `space`: the app to evaluate. With `source`: the name used to find the baseline (default the files' title). */
  appName?: string;
  /** Folder of unbuilt app files: built into a temporary app that is deleted afterwards. */
  source?: string;
  /** How the report names `source` (default `source` itself), e.g. the path relative to the repository. */
  sourceLabel?: string;
  /** Shared space for the temporary app, created when missing (default `ci-scratch`). */
  scratchSpace?: string;
  /** Tag in the temporary app's name (default random), e.g. the run id. */
  temporaryAppTag?: string;
  /**
   * `auto` (default): the app of the same name in `baselineSpace`, reusing its recent evaluations;
   * one or more evaluation ids (comma separated); or the path of a report a previous run wrote.
   */
  baseline?: string;
  /** Where `auto` looks for the baseline app (default `production`). */
  baselineSpace?: string;
  /** Baseline evaluations older than this are not reused (default 24). */
  baselineMaxAgeHours?: number;
  /** How many times to evaluate (default 3); the gate compares medians. */
  passes?: number;
  /** Longest wait for each evaluation (and the temporary app's reload), minutes (default 30). */
  timeoutMinutes?: number;
  /** Longest pause between polls, ms (default 5000). */
  pollIntervalMs?: number;
  thresholds?: Partial<GateThresholds>;
}

export interface EvaluateAppDeps {
  logger: Logger;
  /** Clock for "recent" (tests). */
  now?: () => number;
}

export interface EvaluateAppResult {
  verdict: "pass" | "fail";
  gate: GateResult;
  report: EvaluationReport;
  /** The last current evaluation's id. */
  evaluationId: string;
  /** The newest baseline evaluation's id (latest to end), or "" without a baseline. */
  baselineEvaluationId: string;
  appName: string;
  warnings: string[];
}

const DEFAULTS = {
  scratchSpace: "ci-scratch",
  baseline: "auto",
  baselineSpace: "production",
  baselineMaxAgeHours: 24,
  passes: 3,
  timeoutMinutes: 30,
};

interface Target {
  kind: "app" | "source";
  appId?: string;
  name: string;
  tree?: AppTree;
}

interface BaselineOutcome {
  kind: BaselineKind;
  appId?: string;
  appName?: string;
  space?: string;
  reused: number;
  evaluations: EvaluationSummary[];
}

function checkNumber(value: number, field: string, min: number, max: number, integer = false): void {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new ConfigError(
      `'${field}' must be ${integer ? "a whole number" : "a number"} from ${min} to ${max}, got ${value}.`,
      { field },
    );
  }
}

function validate(options: EvaluateAppOptions): void {
  const modes = [options.appId ? 1 : 0, options.space ? 1 : 0, options.source ? 1 : 0].reduce(
    (a, b) => a + b,
    0,
  );
  if (modes !== 1) {
    throw new ConfigError(
      "Set exactly one of 'app-id', 'space' (with 'app-name') or 'source' to choose what to evaluate.",
      { field: "app-id" },
    );
  }
  if (options.space && !options.appName) {
    throw new ConfigError("Input 'app-name' is required with 'space'.", { field: "app-name" });
  }
  checkNumber(options.passes ?? DEFAULTS.passes, "passes", 1, 10, true);
  checkNumber(options.timeoutMinutes ?? DEFAULTS.timeoutMinutes, "timeout-minutes", 0.001, 1440);
  checkNumber(
    options.baselineMaxAgeHours ?? DEFAULTS.baselineMaxAgeHours,
    "baseline-max-age-hours",
    0,
    24 * 365,
  );
  const t = options.thresholds ?? {};
  if (t.maxRegressionPercent !== undefined)
    checkNumber(t.maxRegressionPercent, "max-regression-percent", 0, 1e6);
  if (t.minRegressionMs !== undefined) checkNumber(t.minRegressionMs, "min-regression-ms", 0, 1e9);
  if (t.maxObjectMs !== undefined) checkNumber(t.maxObjectMs, "max-object-ms", 0, 1e9);
  if (t.maxAppOpenMs !== undefined) checkNumber(t.maxAppOpenMs, "max-app-open-ms", 0, 1e9);
  if (t.maxMemoryRegressionPercent !== undefined) {
    checkNumber(t.maxMemoryRegressionPercent, "max-memory-regression-percent", 0, 1e6);
  }
}

/** `baseline` is a report file when it names an existing file or looks like a JSON path. */
function baselineIsReport(baseline: string): boolean {
  return (
    /\.json$/i.test(baseline) || baseline.includes("/") || baseline.includes("\\") || existsSync(baseline)
  );
}

/** Evaluates `appId` `passes` times, one after the other, and returns the finished summaries. */
async function runPasses(
  client: QlikClient,
  appId: string,
  label: string,
  passes: number,
  timeoutMs: number,
  pollIntervalMs: number | undefined,
  logger: Logger,
): Promise<EvaluationSummary[]> {
  const out: EvaluationSummary[] = [];
  for (let i = 1; i <= passes; i++) {
    const started = await startEvaluation(client, appId);
    logger.info(`Evaluation ${i} of ${passes} of ${label} started (${started.id}).`);
    const done = await waitForEvaluation(client, started, {
      timeoutMs,
      pollIntervalMs,
      logger,
      appLabel: label,
    });
    const summary = summarizeEvaluation(done);
    const slowest = [...summary.objects].sort((a, b) => b.responseMs - a.responseMs)[0];
    logger.info(
      `Evaluation ${i} of ${passes} of ${label} finished: ${summary.objects.length} objects${slowest ? `, slowest '${slowest.title || slowest.id}' ${formatMs(slowest.responseMs)}` : ""}${summary.appOpenMs !== undefined ? `, app open ${formatMs(summary.appOpenMs)}` : ""}.`,
    );
    out.push(summary);
  }
  return out;
}

function endedAt(e: Evaluation): number {
  const t = Date.parse(e.ended ?? e.started ?? e.timestamp ?? "");
  return Number.isFinite(t) ? t : NaN;
}

/**
 * The newest of a baseline's evaluations: the latest to end (or start). Reused evaluations come newest
 * first and fresh ones oldest first, so list order says nothing; without times, the last one wins.
 */
function newestEvaluation(evaluations: readonly EvaluationSummary[]): EvaluationSummary | undefined {
  const time = (e: EvaluationSummary) => {
    const t = Date.parse(e.ended ?? e.started ?? "");
    return Number.isFinite(t) ? t : -Infinity;
  };
  return evaluations.reduce<EvaluationSummary | undefined>(
    (newest, e) => (newest === undefined || time(e) >= time(newest) ? e : newest),
    undefined,
  );
}

export async function evaluateApp(
  client: QlikClient,
  options: EvaluateAppOptions,
  deps: EvaluateAppDeps,
): Promise<EvaluateAppResult> {
  validate(options);
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const passes = options.passes ?? DEFAULTS.passes;
  const timeoutMs = (options.timeoutMinutes ?? DEFAULTS.timeoutMinutes) * 60_000;
  const thresholds: GateThresholds = { ...DEFAULT_THRESHOLDS, ...stripUndefined(options.thresholds ?? {}) };
  const baselineSpec = (options.baseline ?? DEFAULTS.baseline).trim() || DEFAULTS.baseline;
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    logger.warn(message);
  };

  // Everything that can be checked without changing the tenant comes first.
  let savedBaseline: EvaluationReport | undefined;
  if (baselineSpec.toLowerCase() !== "auto" && baselineIsReport(baselineSpec)) {
    savedBaseline = readEvaluationReport(baselineSpec, "baseline");
  }
  const target = await resolveTarget(client, options);
  if (
    target.tree &&
    !target.tree.objects.some((o) => (o.qProperty.qInfo as { qType?: string } | undefined)?.qType === "sheet")
  ) {
    warn(
      `The files in '${options.sourceLabel ?? options.source}' have no sheets, so there is nothing to evaluate: Qlik evaluates only public sheets.`,
    );
  }

  // The baseline first, so the current run's evaluations are never mistaken for recent baseline ones.
  const baseline = await resolveBaseline(client, baselineSpec, savedBaseline, target, {
    passes,
    timeoutMs,
    pollIntervalMs: options.pollIntervalMs,
    maxAgeMs: (options.baselineMaxAgeHours ?? DEFAULTS.baselineMaxAgeHours) * 3_600_000,
    baselineSpace: options.baselineSpace ?? DEFAULTS.baselineSpace,
    now,
    logger,
    warn,
  });

  let current: EvaluationSummary[];
  let evaluatedAppId: string;
  if (target.kind === "source") {
    const space = await ensureScratchSpace(client, options.scratchSpace ?? DEFAULTS.scratchSpace, logger);
    const tempName = temporaryAppName(target.name, options.temporaryAppTag);
    evaluatedAppId = await createTemporaryApp(client, space, tempName, logger);
    try {
      await prepareTemporaryApp(client, evaluatedAppId, target.tree as AppTree, {
        reloadTimeoutMs: timeoutMs,
        logger,
      });
      current = await runPasses(
        client,
        evaluatedAppId,
        `the temporary app for '${target.name}'`,
        passes,
        timeoutMs,
        options.pollIntervalMs,
        logger,
      );
    } finally {
      await deleteTemporaryApp(client, evaluatedAppId, logger);
    }
  } else {
    evaluatedAppId = target.appId as string;
    current = await runPasses(
      client,
      evaluatedAppId,
      `app '${target.name}'`,
      passes,
      timeoutMs,
      options.pollIntervalMs,
      logger,
    );
  }

  if (current.some(hasNoPublicSheets)) {
    warn(
      `App '${target.name}' has no public sheets, so the evaluation measured no sheet objects: Qlik evaluates only public (published) sheets. Publish the sheets, or evaluate the published copy.`,
    );
  }
  if (baseline.evaluations.length && baseline.evaluations.every(hasNoPublicSheets)) {
    warn(
      `The baseline app '${baseline.appName ?? baseline.appId ?? ""}' has no public sheets; its objects were not evaluated.`,
    );
  }

  const gate = evaluateGate(current, baseline.evaluations, thresholds);
  const report: EvaluationReport = {
    version: 1,
    app: {
      id: evaluatedAppId,
      name: target.name,
      temporary: target.kind === "source",
      ...(options.source && { source: options.sourceLabel ?? options.source }),
    },
    baseline: {
      kind: baseline.kind,
      ...(baseline.appId && { appId: baseline.appId }),
      ...(baseline.appName && { appName: baseline.appName }),
      ...(baseline.space && { space: baseline.space }),
      reused: baseline.reused,
      evaluationIds: baseline.evaluations.map((e) => e.id),
      evaluations: baseline.evaluations,
    },
    current: { evaluationIds: current.map((e) => e.id), evaluations: current },
    thresholds,
    gate,
    warnings,
  };
  logger.info(
    gate.verdict === "pass"
      ? `Performance gate passed for '${target.name}' (${gate.objects.length} objects compared).`
      : `Performance gate failed for '${target.name}': ${gate.regressions.length} regression(s).`,
  );
  return {
    verdict: gate.verdict,
    gate,
    report,
    evaluationId: current.at(-1)?.id ?? "",
    baselineEvaluationId: newestEvaluation(baseline.evaluations)?.id ?? "",
    appName: target.name,
    warnings,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function resolveTarget(client: QlikClient, options: EvaluateAppOptions): Promise<Target> {
  if (options.source) {
    await requireAppFolder(options.source, "source");
    const tree = await readAppTree(options.source);
    const title = tree.appProperties?.qTitle;
    const name =
      options.appName ??
      (typeof title === "string" && title.trim() ? title.trim() : basename(options.source));
    return { kind: "source", name, tree };
  }
  if (options.appId) {
    const app = await getApp(client, options.appId);
    return { kind: "app", appId: options.appId, name: app.attributes?.name ?? options.appId };
  }
  const spaces = await listSpaces(client);
  const space = findSpace(spaces, options.space as string);
  if (!space) throw spaceNotFound(options.space as string, client.tenantName, spaces, "space");
  const apps = await findAppsByName(client, space.id, options.appName as string);
  if (!apps.length) throw await appNotFound(client, space, options.appName as string);
  if (apps.length > 1) {
    throw new ConfigError(
      `Space '${space.name}' has ${apps.length} apps named '${options.appName}'; set 'app-id' to choose one.`,
      { field: "app-name" },
    );
  }
  return { kind: "app", appId: apps[0].appId, name: apps[0].name };
}

interface BaselineContext {
  passes: number;
  timeoutMs: number;
  pollIntervalMs?: number;
  maxAgeMs: number;
  baselineSpace: string;
  now: () => number;
  logger: Logger;
  warn: (message: string) => void;
}

async function resolveBaseline(
  client: QlikClient,
  spec: string,
  saved: EvaluationReport | undefined,
  target: Target,
  ctx: BaselineContext,
): Promise<BaselineOutcome> {
  if (saved) {
    ctx.logger.info(`Baseline: ${saved.current.evaluations.length} evaluations from the report '${spec}'.`);
    return {
      kind: "report",
      appId: saved.app.id,
      appName: saved.app.name,
      reused: saved.current.evaluations.length,
      evaluations: saved.current.evaluations,
    };
  }
  if (spec.toLowerCase() !== "auto") {
    const ids = spec.split(/[\s,]+/).filter(Boolean);
    const evaluations: EvaluationSummary[] = [];
    for (const id of ids) {
      const first = await getEvaluation(client, id);
      const done = await waitForEvaluation(client, first, {
        timeoutMs: ctx.timeoutMs,
        pollIntervalMs: ctx.pollIntervalMs,
        logger: ctx.logger,
        appLabel: `the baseline app ${first.appName ? `'${first.appName}'` : (first.appId ?? "")}`,
      });
      evaluations.push(summarizeEvaluation(done));
    }
    return {
      kind: "evaluation",
      appId: evaluations[0]?.appId,
      appName: evaluations[0]?.appName,
      reused: evaluations.length,
      evaluations,
    };
  }

  const none = (message: string): BaselineOutcome => {
    ctx.warn(`${message} Only the absolute limits and evaluation errors are checked.`);
    return { kind: "none", space: ctx.baselineSpace, reused: 0, evaluations: [] };
  };
  const spaces = await listSpaces(client);
  const space = findSpace(spaces, ctx.baselineSpace);
  if (!space) return none(`Baseline space '${ctx.baselineSpace}' was not found, so there is no baseline.`);
  const apps = await findAppsByName(client, space.id, target.name);
  if (!apps.length)
    return none(`Space '${space.name}' has no app named '${target.name}' to use as the baseline.`);
  if (apps.length > 1) {
    ctx.warn(
      `Space '${space.name}' has ${apps.length} apps named '${target.name}'; using ${apps[0].appId} as the baseline.`,
    );
  }
  const app = apps[0];
  const cutoff = ctx.now() - ctx.maxAgeMs;
  const recent = (await listEvaluations(client, app.appId))
    .filter((e) => evaluationState(e.status) === "done" && e.result && endedAt(e) >= cutoff)
    .sort((a, b) => endedAt(b) - endedAt(a) || ((a.id ?? "") < (b.id ?? "") ? -1 : 1))
    .slice(0, ctx.passes)
    .map(summarizeEvaluation);
  const missing = ctx.passes - recent.length;
  if (recent.length) {
    ctx.logger.info(
      `Baseline: reusing ${recent.length} recent evaluation(s) of '${app.name}' in '${space.name}'.`,
    );
  }
  const fresh = missing
    ? await runPasses(
        client,
        app.appId,
        `the baseline app '${app.name}' in '${space.name}'`,
        missing,
        ctx.timeoutMs,
        ctx.pollIntervalMs,
        ctx.logger,
      )
    : [];
  return {
    kind: "auto",
    appId: app.appId,
    appName: app.name,
    space: space.name,
    reused: recent.length,
    evaluations: [...recent, ...fresh],
  };
}
