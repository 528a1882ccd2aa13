import * as core from "@actions/core";
import {
  APPROVAL_MODES,
  ApprovalError,
  renderAuditMarkdown,
  requestApproval,
  type ApprovalContext,
  type AuditRecord,
} from "@qlik-cicd/approval";
import { ConfigError } from "@qlik-cicd/common";
import {
  actionsLogger,
  readBooleanInput,
  readEnumInput,
  readInput,
  readNumberInput,
  pushRangeOfRun,
  readRunEvent,
  readSecretInput,
  runAction,
  writeOutput,
} from "../../_shared/src/index.ts";
import { createGitHubClient } from "../../_shared/src/github.ts";
import { INPUTS, OUTPUTS } from "./io.ts";

/** Repository, run, actor and commit from the runner's standard GITHUB_* variables and the event. */
export function readRunContext(env: NodeJS.ProcessEnv = process.env): ApprovalContext {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? "").split("/");
  if (!owner || !repo) {
    throw new ConfigError("GITHUB_REPOSITORY must be set to owner/name (the runner sets it).", {
      field: "GITHUB_REPOSITORY",
    });
  }
  const runId = Number(env.GITHUB_RUN_ID);
  const runAttempt = Number(env.GITHUB_RUN_ATTEMPT);
  // The commits the run deploys: a pull request's, a push's range, else found from the deployments.
  const event = readRunEvent(env);
  const prNumber = Number(event.payload.pull_request?.number);
  const pullRequestNumber = Number.isInteger(prNumber) && prNumber > 0 ? prNumber : undefined;
  const push = pushRangeOfRun(event);
  return {
    owner,
    repo,
    runId,
    runAttempt: Number.isInteger(runAttempt) && runAttempt > 1 ? runAttempt : undefined,
    actor: env.GITHUB_ACTOR || env.GITHUB_TRIGGERING_ACTOR || "",
    triggeringActor: env.GITHUB_TRIGGERING_ACTOR || undefined,
    sha: env.GITHUB_SHA ?? "",
    serverUrl: env.GITHUB_SERVER_URL || "https://github.com",
    pullRequestNumber,
    ...(push ? { push } : {}),
  };
}

const keywords = (value: string | undefined) =>
  value
    ?.split(/[,\n]/)
    .map((k) => k.trim())
    .filter(Boolean);

async function report(approved: boolean, record: AuditRecord): Promise<void> {
  writeOutput(OUTPUTS.approved, approved);
  writeOutput(OUTPUTS.approvers, record.approvers);
  writeOutput(OUTPUTS.auditRecord, record);
  await core.summary.addRaw(renderAuditMarkdown(record), true).write();
}

export async function run(): Promise<void> {
  await runAction("approve-gate", async () => {
    const token = readSecretInput(INPUTS.githubToken);
    if (!token) {
      throw new ConfigError("Input 'github-token' is required to read approvals from GitHub.", {
        field: INPUTS.githubToken,
      });
    }
    const context = readRunContext();
    const github = createGitHubClient({ token, logger: actionsLogger });
    try {
      const result = await requestApproval(github, {
        ...context,
        mode: readEnumInput(INPUTS.mode, APPROVAL_MODES, "environment"),
        approvers: readInput(INPUTS.approvers) ?? "",
        minimumApprovals: readNumberInput(INPUTS.minimumApprovals, 1, { integer: true }),
        allowSelfApproval: readBooleanInput(INPUTS.allowSelfApproval, false),
        timeoutMinutes: readNumberInput(INPUTS.timeoutMinutes, 60, { min: 0 }),
        pollSeconds: readNumberInput(INPUTS.pollSeconds, 30, { min: 1 }),
        approveKeywords: keywords(readInput(INPUTS.approveKeywords)),
        denyKeywords: keywords(readInput(INPUTS.denyKeywords)),
        denyWins: readBooleanInput(INPUTS.denyWins, true),
        evidence: readInput(INPUTS.evidence),
        workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
        subject: readInput(INPUTS.subject),
        target: readInput(INPUTS.target),
        logger: actionsLogger,
      });
      await report(true, result.record);
    } catch (error) {
      if (error instanceof ApprovalError) await report(false, error.record);
      throw error;
    }
  });
}
