import * as core from "@actions/core";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { CicdError, secrets } from "@qlik-cicd/common";
import { QlikClient } from "@qlik-cicd/qlik-client";
import {
  evaluateApp,
  evaluationComment,
  failureSentence,
  renderEvaluationMarkdown,
  writeEvaluationReport,
  type EvaluateAppOptions,
  type EvaluateAppResult,
} from "@qlik-cicd/delivery";
import {
  currentRunUrl,
  actionsLogger,
  uploadArtifact,
  readBooleanInput,
  readConnectionInputs,
  readInput,
  readNumberInput,
  readSecretInput,
  runAction,
  writeOutput,
} from "../../_shared/src/index.ts";
import { upsertPullRequestComment } from "../../_shared/src/pull-request-comment.ts";
import { INPUTS, OUTPUTS } from "./io.ts";

function workspace(): string {
  return process.env.GITHUB_WORKSPACE || process.cwd();
}

function workspacePath(path: string | undefined): string | undefined {
  if (!path) return undefined;
  return isAbsolute(path) ? path : resolve(workspace(), path);
}

/** `baseline` is a path when it looks like one or names a file in the workspace; ids and `auto` pass through. */
function baselineInput(): string | undefined {
  const value = readInput(INPUTS.baseline);
  if (!value || value.toLowerCase() === "auto") return value;
  const looksLikePath = /\.json$/i.test(value) || value.includes("/") || value.includes("\\");
  const inWorkspace = workspacePath(value) as string;
  return looksLikePath || existsSync(inWorkspace) ? inWorkspace : value;
}

function optionalNumber(name: string, bounds: { min?: number; max?: number }): number | undefined {
  return readInput(name) === undefined ? undefined : readNumberInput(name, 0, bounds);
}

function readOptions(): EvaluateAppOptions {
  const runId = process.env.GITHUB_RUN_ID;
  const tag = `${runId ? `run ${runId} ` : ""}${randomBytes(3).toString("hex")}`;
  return {
    appId: readInput(INPUTS.appId),
    space: readInput(INPUTS.space),
    appName: readInput(INPUTS.appName),
    source: workspacePath(readInput(INPUTS.source)),
    sourceLabel: readInput(INPUTS.source),
    scratchSpace: readInput(INPUTS.scratchSpace),
    temporaryAppTag: tag,
    baseline: baselineInput(),
    baselineSpace: readInput(INPUTS.baselineSpace),
    baselineMaxAgeHours: readNumberInput(INPUTS.baselineMaxAgeHours, 24, { min: 0, max: 24 * 365 }),
    passes: readNumberInput(INPUTS.passes, 3, { min: 1, max: 10, integer: true }),
    timeoutMinutes: readNumberInput(INPUTS.timeoutMinutes, 30, { min: 0.001, max: 1440 }),
    thresholds: {
      maxRegressionPercent: readNumberInput(INPUTS.maxRegressionPercent, 20, { min: 0 }),
      minRegressionMs: readNumberInput(INPUTS.minRegressionMs, 50, { min: 0 }),
      maxObjectMs: optionalNumber(INPUTS.maxObjectMs, { min: 0 }),
      maxAppOpenMs: optionalNumber(INPUTS.maxAppOpenMs, { min: 0 }),
      maxMemoryRegressionPercent: readNumberInput(INPUTS.maxMemoryRegressionPercent, 25, { min: 0 }),
      failOnErrors: readBooleanInput(INPUTS.failOnErrors, true),
    },
  };
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

async function upload(reportPath: string, appName: string): Promise<void> {
  try {
    const name = `qlik-evaluation-${slug(appName)}`;
    if (await uploadArtifact(name, [reportPath], dirname(reportPath))) {
      core.info(`Uploaded the report as artifact '${name}'.`);
    }
  } catch (error) {
    core.warning(`Could not upload the report as an artifact: ${(error as Error).message}`);
  }
}

export async function run(): Promise<void> {
  await runAction("evaluate-app", async () => {
    const connection = readConnectionInputs();
    const token = readSecretInput(INPUTS.githubToken);
    const options = readOptions();
    const reportInput = workspacePath(readInput(INPUTS.reportPath));
    const uploadArtifact = readBooleanInput(INPUTS.uploadArtifact, false);
    const client = new QlikClient(connection, { logger: actionsLogger });
    let result: EvaluateAppResult;
    try {
      result = await evaluateApp(client, options, { logger: actionsLogger });
    } finally {
      await client.close();
    }
    const reportPath =
      reportInput ??
      join(process.env.RUNNER_TEMP || tmpdir(), "qlik-evaluation", `${slug(result.appName)}.json`);
    writeEvaluationReport(reportPath, result.report);
    core.info(`Wrote the evaluation report to ${reportPath}.`);
    writeOutput(OUTPUTS.evaluationId, result.evaluationId);
    writeOutput(OUTPUTS.baselineEvaluationId, result.baselineEvaluationId);
    writeOutput(OUTPUTS.verdict, result.verdict);
    writeOutput(OUTPUTS.report, reportPath);
    await core.summary
      .addRaw(secrets.redact(renderEvaluationMarkdown(result.report, { runUrl: currentRunUrl() })))
      .write();
    await upsertPullRequestComment({
      token,
      ...evaluationComment(result.report, { runUrl: currentRunUrl() }),
      what: "performance",
    });
    if (uploadArtifact) await upload(reportPath, result.appName);
    if (result.verdict === "fail") throw new CicdError(failureSentence(result.gate, result.appName));
  });
}
