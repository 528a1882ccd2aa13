import { CicdError } from "@qlik-cicd/common";
import type { CommitsCheck } from "./deployed-commits.ts";
import type { ApprovalMode } from "./options.ts";

export interface ApprovalEntry {
  login: string;
  /** ISO time of the approving comment; in environment mode, when the gate read the review. */
  time: string;
  link: string;
  /** Environment mode: the environment(s) this person approved, comma-separated. */
  environment?: string;
}

export interface IgnoredEntry {
  login: string;
  reason: string;
  link?: string;
}

/** `unverified`: the deployed commits could not be listed, so the gate failed closed before counting. */
export type ApprovalOutcome = "approved" | "denied" | "timed-out" | "insufficient" | "unverified";

/**
 * What the gate decided and why, for the job summary and the run's record (common's `AuditRecord` is
 * different: one mutation of a Qlik resource).
 */
export interface ApprovalRecord {
  version: 1;
  mode: ApprovalMode;
  outcome: ApprovalOutcome;
  repository: string;
  /** What was approved. */
  subject: { sha: string; commitUrl: string; name?: string; target?: string };
  run: { id: number; attempt?: number; url: string };
  requestedBy: string;
  requestedAt: string;
  decidedAt: string;
  policy: {
    approvers: string[];
    minimumApprovals: number;
    allowSelfApproval: boolean;
    /** A listed approver's denial (comment or rejected review) denies; else denials need the quorum. */
    denyWins: boolean;
    timeoutMinutes?: number;
  };
  approvers: ApprovalEntry[];
  deniedBy: ApprovalEntry[];
  /** Votes that did not count, and why. */
  ignored: IgnoredEntry[];
  /** People barred from approving (separation of duties). */
  excluded: { login: string; reason: string }[];
  /** Whose commits were barred: which range of the deployed commits was checked, and how. */
  commitsChecked: CommitsCheck[];
  issue?: { number: number; url: string };
  evidence: { source: string; sha256: string; bytes: number }[];
}

export interface ApprovalResult {
  approved: boolean;
  approvers: ApprovalEntry[];
  record: ApprovalRecord;
}

/** Denied, timed out or short of the quorum: the gate fails closed and still carries the record. */
export class ApprovalError extends CicdError {
  readonly record: ApprovalRecord;
  constructor(message: string, record: ApprovalRecord, hint?: string) {
    super(message, { hint });
    this.record = record;
  }
}

const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** The audit record as markdown for a job summary or an issue comment. */
export function renderAuditMarkdown(record: ApprovalRecord): string {
  const title = {
    approved: "✅ Approved",
    denied: "❌ Denied",
    "timed-out": "⏱️ Timed out (failed closed)",
    insufficient: "❌ Not enough approvals",
    unverified: "❌ Deployed commits could not be checked (failed closed)",
  }[record.outcome];
  const what = [record.subject.name, record.subject.target && `→ ${record.subject.target}`]
    .filter(Boolean)
    .join(" ");
  const lines: string[] = [`### Approval gate: ${title}${what ? ` — ${esc(what)}` : ""}`, ""];
  lines.push("| | |", "| --- | --- |");
  lines.push(`| Commit | [\`${record.subject.sha.slice(0, 7)}\`](${record.subject.commitUrl}) |`);
  if (record.subject.name) lines.push(`| Subject | ${esc(record.subject.name)} |`);
  if (record.subject.target) lines.push(`| Target | ${esc(record.subject.target)} |`);
  lines.push(`| Mode | ${record.mode} |`);
  lines.push(`| Requested by | @${record.requestedBy} at ${record.requestedAt} |`);
  lines.push(`| Decided at | ${record.decidedAt} |`);
  lines.push(`| Workflow run | [${record.run.id}](${record.run.url}) |`);
  if (record.issue) lines.push(`| Request issue | [#${record.issue.number}](${record.issue.url}) |`);
  lines.push(
    `| Policy | ${record.policy.minimumApprovals} of ${esc(record.policy.approvers.join(", "))}${record.policy.allowSelfApproval ? " (self-approval allowed)" : ""}; ${record.policy.denyWins ? "any denial denies" : `denials need ${record.policy.minimumApprovals}`} |`,
  );
  for (const check of record.commitsChecked) lines.push(`| Commits checked | ${esc(check.description)} |`);
  lines.push("");
  const decisions = [
    ...record.approvers.map((a) => ({ ...a, decision: "approved" })),
    ...record.deniedBy.map((a) => ({ ...a, decision: "denied" })),
  ];
  if (decisions.length > 0) {
    lines.push("| Who | Decision | When | Environment | Link |", "| --- | --- | --- | --- | --- |");
    for (const d of decisions) {
      lines.push(
        `| @${d.login} | ${d.decision} | ${d.time} | ${esc(d.environment ?? "")} | [link](${d.link}) |`,
      );
    }
    lines.push("");
  } else {
    lines.push("Nobody approved.", "");
  }
  if (record.ignored.length > 0) {
    lines.push("Not counted:", "");
    for (const i of record.ignored)
      lines.push(`- @${i.login}: ${esc(i.reason)}${i.link ? ` ([link](${i.link}))` : ""}`);
    lines.push("");
  }
  if (record.excluded.length > 0) {
    lines.push(
      `Not allowed to approve: ${record.excluded.map((e) => `@${e.login} (${esc(e.reason)})`).join(", ")}`,
      "",
    );
  }
  if (record.evidence.length > 0) {
    lines.push(
      `Evidence: ${record.evidence.map((e) => `\`${esc(e.source)}\` (sha256 ${e.sha256.slice(0, 12)})`).join(", ")}`,
      "",
    );
  }
  return lines.join("\n");
}
