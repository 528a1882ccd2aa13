// approve-gate: wait for people to approve (environment reviews or an issue), with a quorum and
// separation of duties, and record who approved.
import { ConfigError, defineOperation, type CiRun, type OperationHost } from "@qlik-cicd/common";
import type { GitHubClient } from "@qlik-cicd/github";
import { requestApproval } from "../gate.ts";
import { APPROVAL_MODES, type ApprovalContext, type ApprovalOptions } from "../options.ts";
import { ApprovalError, renderAuditMarkdown, type ApprovalRecord } from "../record.ts";

/** Repository, run, actor and commits from the CI run. */
export function approvalContext(run: CiRun): ApprovalContext {
  if (!run.repository) {
    throw new ConfigError("GITHUB_REPOSITORY must be set to owner/name (the runner sets it).", {
      field: "GITHUB_REPOSITORY",
    });
  }
  const runAttempt = Number(run.runAttempt);
  return {
    ...run.repository,
    runId: Number(run.runId),
    runAttempt: Number.isInteger(runAttempt) && runAttempt > 1 ? runAttempt : undefined,
    actor: run.actor || run.triggeringActor || "",
    triggeringActor: run.triggeringActor || undefined,
    sha: run.sha ?? "",
    serverUrl: run.serverUrl,
    // The commits the run deploys: a pull request's, a push's range, else found from the deployments.
    pullRequestNumber: run.eventPullRequest,
    ...(run.push ? { push: run.push } : {}),
  };
}

export interface ApproveGateOptions {
  token: string;
  approval: Omit<ApprovalOptions, "logger">;
}

export interface ApproveGateResult {
  approved: boolean;
  record: ApprovalRecord;
}

const report = (approved: boolean, record: ApprovalRecord) => ({
  outputs: { approved, approvers: record.approvers, "audit-record": record },
  summary: `${renderAuditMarkdown(record)}\n`,
});

export const approveGateOperation = defineOperation({
  name: "approve-gate",
  inputs: {
    mode: { default: "environment" },
    approvers: { required: true },
    "minimum-approvals": { default: "1" },
    "allow-self-approval": { default: "false" },
    "timeout-minutes": { default: "60" },
    "poll-seconds": { default: "30" },
    "approve-keywords": { default: "approve, approved, lgtm, yes" },
    "deny-keywords": { default: "deny, denied, no" },
    "deny-wins": { default: "true" },
    evidence: {},
    subject: {},
    target: {},
    "github-token": { default: "${{ github.token }}" },
  },
  outputNames: ["approved", "approvers", "audit-record"],

  options(inputs, host: OperationHost<GitHubClient>): ApproveGateOptions {
    const token = inputs.secret("github-token");
    if (!token) {
      throw new ConfigError("Input 'github-token' is required to read approvals from GitHub.", {
        field: "github-token",
      });
    }
    return {
      token,
      approval: {
        ...approvalContext(host.run),
        mode: inputs.choice("mode", APPROVAL_MODES) ?? "environment",
        approvers: inputs.string("approvers") ?? "",
        minimumApprovals: inputs.number("minimum-approvals", { integer: true }),
        allowSelfApproval: inputs.boolean("allow-self-approval"),
        timeoutMinutes: inputs.number("timeout-minutes", { min: 0 }),
        pollSeconds: inputs.number("poll-seconds", { min: 1 }),
        approveKeywords: inputs.list("approve-keywords"),
        denyKeywords: inputs.list("deny-keywords"),
        denyWins: inputs.boolean("deny-wins"),
        evidence: inputs.string("evidence"),
        workspace: host.workspace,
        evidencePaths: host.paths,
        subject: inputs.string("subject"),
        target: inputs.string("target"),
      },
    };
  },

  async run(options, host: OperationHost<GitHubClient>): Promise<ApproveGateResult> {
    const result = await requestApproval(host.github(options.token), {
      ...options.approval,
      logger: host.logger,
    });
    return { approved: true, record: result.record };
  },

  outputs: (result) => report(result.approved, result.record).outputs,
  summary: (result) => report(result.approved, result.record).summary,
  failed: (error) => (error instanceof ApprovalError ? report(false, error.record) : undefined),
});
