// evaluate-app: evaluate an app (or files built into a temporary app) against a baseline and gate on
// performance regressions; writes a report file and keeps one comment on the pull request.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  CicdError,
  defineOperation,
  resolvePathInput,
  type InputReader,
  type OperationHost,
} from "@qlik-cicd/common";
import {
  CONNECTION_INPUTS,
  readConnection,
  withQlikClient,
  type ConnectionInput,
} from "@qlik-cicd/qlik-client";
import { evaluateApp, type EvaluateAppOptions, type EvaluateAppResult } from "../evaluation/evaluate-app.ts";
import { failureSentence } from "../evaluation/gate.ts";
import { evaluationComment } from "../evaluation/pull-request.ts";
import { renderEvaluationMarkdown } from "../evaluation/render.ts";
import { writeEvaluationReport } from "../evaluation/report.ts";

export interface EvaluateAppOperationOptions {
  connection: ConnectionInput;
  evaluation: EvaluateAppOptions;
  /** Where the report goes (default `<temp>/qlik-evaluation/<app>.json`). */
  reportPath?: string;
  upload: boolean;
  token?: string;
  runUrl?: string;
  tempDir: string;
}

export interface EvaluateAppOperationResult extends EvaluateAppResult {
  reportPath: string;
}

/** `baseline` is a path when it looks like one or names a file in the workspace; ids and `auto` pass through. */
function baselineOf(inputs: InputReader, host: OperationHost): string | undefined {
  const value = inputs.string("baseline");
  if (!value || value.toLowerCase() === "auto") return value;
  const looksLikePath = /\.json$/i.test(value) || value.includes("/") || value.includes("\\");
  if (!looksLikePath && !existsSync(resolve(host.workspace, value))) return value;
  return resolvePathInput(host.paths, value, { field: "baseline" });
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "app"
  );
}

export const evaluateAppOperation = defineOperation({
  name: "evaluate-app",
  inputs: {
    ...CONNECTION_INPUTS,
    "app-id": {},
    space: {},
    "app-name": {},
    source: {},
    "scratch-space": { default: "ci-scratch" },
    baseline: { default: "auto" },
    "baseline-space": { default: "production" },
    "baseline-max-age-hours": { default: "24" },
    passes: { default: "3" },
    "timeout-minutes": { default: "30" },
    "max-regression-percent": { default: "20" },
    "min-regression-ms": { default: "50" },
    "max-object-ms": {},
    "max-app-open-ms": {},
    "max-memory-regression-percent": { default: "25" },
    "fail-on-errors": { default: "true" },
    "report-path": {},
    "upload-artifact": { default: "false" },
    "github-token": {},
  },
  outputNames: ["evaluation-id", "baseline-evaluation-id", "verdict", "report"],

  options(inputs, host): EvaluateAppOperationOptions {
    const connection = readConnection(inputs, host.env);
    const token = inputs.secret("github-token");
    const runId = host.run.runId;
    const reportPath = inputs.path("report-path");
    return {
      connection,
      evaluation: {
        appId: inputs.string("app-id"),
        space: inputs.string("space"),
        appName: inputs.string("app-name"),
        source: inputs.path("source"),
        sourceLabel: inputs.string("source"),
        scratchSpace: inputs.string("scratch-space"),
        temporaryAppTag: `${runId ? `run ${runId} ` : ""}${randomBytes(3).toString("hex")}`,
        baseline: baselineOf(inputs, host),
        baselineSpace: inputs.string("baseline-space"),
        baselineMaxAgeHours: inputs.number("baseline-max-age-hours", { min: 0, max: 24 * 365 }),
        passes: inputs.number("passes", { min: 1, max: 10, integer: true }),
        timeoutMinutes: inputs.number("timeout-minutes", { min: 0.001, max: 1440 }),
        thresholds: {
          maxRegressionPercent: inputs.number("max-regression-percent", { min: 0 }),
          minRegressionMs: inputs.number("min-regression-ms", { min: 0 }),
          maxObjectMs: inputs.number("max-object-ms", { min: 0 }),
          maxAppOpenMs: inputs.number("max-app-open-ms", { min: 0 }),
          maxMemoryRegressionPercent: inputs.number("max-memory-regression-percent", { min: 0 }),
          failOnErrors: inputs.boolean("fail-on-errors"),
        },
      },
      ...(reportPath ? { reportPath } : {}),
      upload: inputs.boolean("upload-artifact") ?? false,
      ...(token ? { token } : {}),
      ...(host.run.runUrl ? { runUrl: host.run.runUrl } : {}),
      tempDir: host.tempDir,
    };
  },

  async run(options, host): Promise<EvaluateAppOperationResult> {
    const result = await withQlikClient(options.connection, { logger: host.logger }, (client) =>
      evaluateApp(client, options.evaluation, { logger: host.logger }),
    );
    const reportPath =
      options.reportPath ?? join(options.tempDir, "qlik-evaluation", `${slug(result.appName)}.json`);
    writeEvaluationReport(reportPath, result.report);
    host.logger.info(`Wrote the evaluation report to ${reportPath}.`);
    await host.commentOnPullRequest({
      token: options.token,
      ...evaluationComment(result.report, { runUrl: options.runUrl }),
      what: "performance",
    });
    if (options.upload) {
      const name = `qlik-evaluation-${slug(result.appName)}`;
      try {
        if (await host.uploadArtifact(name, [reportPath], dirname(reportPath))) {
          host.logger.info(`Uploaded the report as artifact '${name}'.`);
        }
      } catch (error) {
        host.logger.warn(`Could not upload the report as an artifact: ${(error as Error).message}`);
      }
    }
    return { ...result, reportPath };
  },

  outputs: (result) => ({
    "evaluation-id": result.evaluationId,
    "baseline-evaluation-id": result.baselineEvaluationId,
    verdict: result.verdict,
    report: result.reportPath,
  }),
  summary: (result, options) => renderEvaluationMarkdown(result.report, { runUrl: options.runUrl }),
  failure: (result) =>
    result.verdict === "fail" ? new CicdError(failureSentence(result.gate, result.appName)) : undefined,
});
