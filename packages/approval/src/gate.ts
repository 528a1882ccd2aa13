import { sha256Hex, silentLogger, sleep as realSleep } from "@qlik-cicd/common";
import type { Logger } from "@qlik-cicd/common";
import {
  ConditionalCache,
  GitHubApiError,
  addAssignees,
  closeIssue,
  createIssue,
  createIssueComment,
  findOpenIssueByMarker,
  listIssueComments,
  listRunApprovals,
  markerComment,
  withMarker,
  type GitHubClient,
  type Issue,
  type IssueComment,
} from "@qlik-cicd/github";
import { ApproverDirectory, excludedApprovers } from "./eligibility.ts";
import { evidenceMarkdown, loadEvidence, type EvidenceItem } from "./evidence.ts";
import { classifyComment, type Vote } from "./keywords.ts";
import { resolvePolicy, type ApprovalOptions, type ApprovalPolicy } from "./options.ts";
import {
  ApprovalError,
  renderAuditMarkdown,
  type ApprovalEntry,
  type ApprovalOutcome,
  type ApprovalResult,
  type AuditRecord,
  type IgnoredEntry,
} from "./record.ts";

export const APPROVAL_LABEL = "approval-gate";
const OWN_MARKER_PREFIX = "<!-- qlik-cicd-approval";

interface Runtime {
  options: ApprovalOptions;
  policy: ApprovalPolicy;
  client: GitHubClient;
  logger: Logger;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  directory: ApproverDirectory;
  excluded: Map<string, string>;
  evidence: EvidenceItem[];
  serverUrl: string;
  runUrl: string;
}

/**
 * Runs the approval gate with `client` (built by the adapter). Resolves with the approvers and the audit
 * record when approved; throws an ApprovalError (carrying the record) when denied, timed out or short of
 * the quorum, and a ConfigError for bad inputs.
 */
export async function requestApproval(
  client: GitHubClient,
  options: ApprovalOptions,
): Promise<ApprovalResult> {
  const policy = resolvePolicy(options);
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? ((ms: number) => realSleep(ms));
  const evidence = loadEvidence(options.evidence, options.workspace);
  const serverUrl = (options.serverUrl || "https://github.com").replace(/\/+$/, "");
  const rt: Runtime = {
    options,
    policy,
    client,
    logger,
    now,
    sleep,
    directory: new ApproverDirectory(client, policy, logger),
    excluded: new Map(),
    evidence,
    serverUrl,
    runUrl: `${serverUrl}/${options.owner}/${options.repo}/actions/runs/${options.runId}${options.runAttempt ? `/attempts/${options.runAttempt}` : ""}`,
  };
  await rt.directory.checkTeamsReadable();
  rt.excluded = await excludedApprovers(client, options, policy);
  return policy.mode === "environment" ? environmentGate(rt) : issueGate(rt);
}

function baseRecord(rt: Runtime, requestedAt: number): AuditRecord {
  const o = rt.options;
  return {
    version: 1,
    mode: rt.policy.mode,
    outcome: "insufficient",
    repository: `${o.owner}/${o.repo}`,
    subject: {
      sha: o.sha,
      commitUrl: `${rt.serverUrl}/${o.owner}/${o.repo}/commit/${o.sha}`,
      name: o.subject || undefined,
      target: o.target || undefined,
    },
    run: { id: o.runId, attempt: o.runAttempt, url: rt.runUrl },
    requestedBy: o.actor,
    requestedAt: new Date(requestedAt).toISOString(),
    decidedAt: new Date(requestedAt).toISOString(),
    policy: {
      approvers: rt.policy.approverList,
      minimumApprovals: rt.policy.minimumApprovals,
      allowSelfApproval: rt.policy.allowSelfApproval,
      denyWins: rt.policy.mode === "issue" ? rt.policy.denyWins : undefined,
      timeoutMinutes: rt.policy.mode === "issue" ? rt.policy.timeoutMinutes : undefined,
    },
    approvers: [],
    deniedBy: [],
    ignored: [],
    excluded: [...rt.excluded].map(([login, reason]) => ({ login, reason })),
    evidence: rt.evidence.map(({ source, sha256, bytes }) => ({ source, sha256, bytes })),
  };
}

const list = (entries: { login: string }[]) => entries.map((e) => `@${e.login}`).join(", ");

// ---------------------------------------------------------------------------------------------------
// environment mode: GitHub's deployment reviews already happened; enforce quorum and separation of duties.

async function environmentGate(rt: Runtime): Promise<ApprovalResult> {
  const o = rt.options;
  const checkedAt = rt.now();
  const record = baseRecord(rt, checkedAt);
  const reviews = await listRunApprovals(rt.client, { owner: o.owner, repo: o.repo, runId: o.runId });
  const approved = new Map<string, ApprovalEntry>();
  const notCounted = new Set<string>();
  for (const review of reviews) {
    const login = review.user?.login;
    if (!login) continue;
    const envs = (review.environments ?? []).map((e) => e.name).join(", ");
    if (review.state !== "approved") {
      record.ignored.push({
        login,
        reason: `review state '${review.state}' for ${envs || "an environment"}`,
      });
      continue;
    }
    const key = login.toLowerCase();
    const existing = approved.get(key);
    if (existing) {
      const names = new Set([
        ...(existing.environment ?? "").split(", ").filter(Boolean),
        ...envs.split(", "),
      ]);
      existing.environment = [...names].filter(Boolean).join(", ");
      continue;
    }
    if (notCounted.has(key)) continue;
    const barred = rt.excluded.get(key);
    if (barred || !(await rt.directory.qualifies(login))) notCounted.add(key);
    if (barred) {
      record.ignored.push({ login, reason: `may not approve: ${barred}`, link: rt.runUrl });
      continue;
    }
    if (notCounted.has(key)) {
      record.ignored.push({ login, reason: "not in 'approvers'", link: rt.runUrl });
      continue;
    }
    approved.set(key, {
      login,
      time: new Date(checkedAt).toISOString(),
      link: rt.runUrl,
      environment: envs || undefined,
    });
  }
  record.approvers = [...approved.values()];
  const count = record.approvers.length;
  if (count >= rt.policy.minimumApprovals) {
    record.outcome = "approved";
    rt.logger.info(
      `Approved by ${list(record.approvers)} (${count} of ${rt.policy.minimumApprovals} required).`,
    );
    return { approved: true, approvers: record.approvers, record };
  }
  const ignored = record.ignored.map((i) => `@${i.login} (${i.reason})`).join(", ");
  throw new ApprovalError(
    `Only ${count} of the required ${rt.policy.minimumApprovals} distinct approvers approved this run's deployment environments${count ? ` (${list(record.approvers)})` : ""}${ignored ? `; not counted: ${ignored}` : ""}.`,
    record,
  );
}

// ---------------------------------------------------------------------------------------------------
// issue mode: ask in an issue, poll its comments, close it with the outcome.

function requestMarker(o: ApprovalOptions): string {
  return `qlik-cicd-approval run=${o.runId} target=${sha256Hex(o.target ?? "").slice(0, 16)}`;
}

function issueBody(rt: Runtime, deadlineNote: string): string {
  const o = rt.options;
  const p = rt.policy;
  const who = [
    ...p.users.map((u) => p.approverList.find((a) => a.toLowerCase() === u) ?? u),
    ...p.teams.map((t) => `${t.org}/${t.slug}`),
  ];
  const lines = [
    `## Approval requested${o.subject ? `: ${o.subject}` : ""}${o.target ? ` → ${o.target}` : ""}`,
    "",
    "| | |",
    "| --- | --- |",
    `| Commit | [\`${o.sha.slice(0, 7)}\`](${rt.serverUrl}/${o.owner}/${o.repo}/commit/${o.sha}) |`,
  ];
  if (o.subject) lines.push(`| Subject | ${o.subject} |`);
  if (o.target) lines.push(`| Target | ${o.target} |`);
  lines.push(
    `| Requested by | @${o.actor} |`,
    `| Workflow run | [${o.runId}](${rt.runUrl}) |`,
    `| Needs | ${p.minimumApprovals} approval${p.minimumApprovals === 1 ? "" : "s"} from ${who.map((w) => `@${w}`).join(", ")} |`,
  );
  if (rt.excluded.size > 0) {
    lines.push(`| May not approve | ${[...rt.excluded].map(([l, r]) => `@${l} (${r})`).join(", ")} |`);
  }
  lines.push(`| Times out | ${deadlineNote} |`, "");
  lines.push(
    `To approve, comment a new message starting with \`${p.approveKeywords[0]}\` (or ${
      p.approveKeywords
        .slice(1)
        .map((k) => `\`${k}\``)
        .join(", ") || "nothing else"
    }). ` +
      `To deny, start with \`${p.denyKeywords[0]}\` (or ${
        p.denyKeywords
          .slice(1)
          .map((k) => `\`${k}\``)
          .join(", ") || "nothing else"
      }). ` +
      `Edited comments are not counted: post a new one.${p.denyWins ? " Any denial from an approver denies." : ""}`,
  );
  if (rt.evidence.length > 0) lines.push("", "### Evidence", "", evidenceMarkdown(rt.evidence));
  return lines.join("\n");
}

interface Tally {
  outcome?: "approved" | "denied";
  approvers: ApprovalEntry[];
  deniedBy: ApprovalEntry[];
  ignored: IgnoredEntry[];
}

async function tally(rt: Runtime, comments: IssueComment[], requestedAt: number): Promise<Tally> {
  const p = rt.policy;
  const votes = new Map<string, { vote: Vote; entry: ApprovalEntry }>();
  const ignored: IgnoredEntry[] = [];
  const sorted = [...comments].sort(
    (a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id,
  );
  const current = () => {
    const all = [...votes.values()];
    return {
      approvers: all.filter((v) => v.vote === "approve").map((v) => v.entry),
      deniedBy: all.filter((v) => v.vote === "deny").map((v) => v.entry),
    };
  };
  for (const c of sorted) {
    const body = c.body ?? "";
    if (body.includes(OWN_MARKER_PREFIX)) continue;
    const vote = classifyComment(body, p.approveKeywords, p.denyKeywords);
    if (!vote) continue;
    const login = c.user?.login ?? "ghost";
    const skip = (reason: string) => ignored.push({ login, reason, link: c.html_url });
    if (c.user?.type === "Bot" || /\[bot\]$/i.test(login)) {
      skip("comment by a bot");
      continue;
    }
    if (Date.parse(c.created_at) < requestedAt) {
      skip("comment written before the request");
      continue;
    }
    if (c.updated_at !== c.created_at) {
      skip("comment was edited");
      continue;
    }
    if (!(await rt.directory.qualifies(login))) {
      skip("not in 'approvers'");
      continue;
    }
    const barred = rt.excluded.get(login.toLowerCase());
    if (vote === "approve" && barred) {
      skip(`may not approve: ${barred}`);
      continue;
    }
    votes.set(login.toLowerCase(), { vote, entry: { login, time: c.created_at, link: c.html_url } });
    const now = current();
    if (vote === "deny" && p.denyWins)
      return { outcome: "denied", ...now, deniedBy: [votes.get(login.toLowerCase())!.entry], ignored };
    if (now.approvers.length >= p.minimumApprovals) return { outcome: "approved", ...now, ignored };
    if (!p.denyWins && now.deniedBy.length >= p.minimumApprovals)
      return { outcome: "denied", ...now, ignored };
  }
  return { ...current(), ignored };
}

function isTransient(error: unknown): boolean {
  return error instanceof GitHubApiError && (error.status === 0 || error.status >= 500);
}

async function issueGate(rt: Runtime): Promise<ApprovalResult> {
  const o = rt.options;
  const p = rt.policy;
  const repo = { owner: o.owner, repo: o.repo };
  const started = rt.now();
  const deadline = started + p.timeoutMinutes * 60_000;
  const marker = requestMarker(o);

  let issue: Issue | undefined = await findOpenIssueByMarker(rt.client, {
    ...repo,
    label: APPROVAL_LABEL,
    marker,
  });
  if (issue) {
    rt.logger.info(`Reusing approval request ${issue.html_url}.`);
  } else {
    const title = `Approval: ${o.subject || o.sha.slice(0, 7)}${o.target ? ` → ${o.target}` : ""} (run ${o.runId})`;
    const body = withMarker(
      issueBody(rt, `${new Date(deadline).toISOString()} (${p.timeoutMinutes} minutes)`),
      marker,
    );
    issue = await createIssue(rt.client, { ...repo, title, body, labels: [APPROVAL_LABEL] });
    rt.logger.info(`Approval requested in ${issue.html_url}.`);
    const assignees = p.users.filter((u) => !rt.excluded.has(u));
    try {
      await addAssignees(rt.client, { ...repo, issueNumber: issue.number, assignees });
    } catch (error) {
      rt.logger.warn(`Could not assign approvers to the request issue: ${(error as Error).message}`);
    }
  }
  const requestedAt = Date.parse(issue.created_at);
  const record = baseRecord(rt, Number.isFinite(requestedAt) ? requestedAt : started);
  record.issue = { number: issue.number, url: issue.html_url };

  let result: Tally = { approvers: [], deniedBy: [], ignored: [] };
  // Unchanged comment pages come back 304 and cost no rate limit.
  const cache = new ConditionalCache();
  for (let poll = 0; ; poll++) {
    try {
      const comments = await listIssueComments(
        rt.client,
        { ...repo, issueNumber: issue.number, since: issue.created_at },
        cache,
      );
      result = await tally(rt, comments, requestedAt);
    } catch (error) {
      if (!isTransient(error)) throw error;
      rt.logger.warn(`Polling the approval issue failed (${(error as Error).message}); trying again.`);
    }
    if (result.outcome) break;
    const remaining = deadline - rt.now();
    if (remaining <= 0) break;
    if (poll === 0) rt.logger.info(`Waiting for ${p.minimumApprovals} approval(s) in ${issue.html_url}.`);
    await rt.sleep(Math.min(p.pollSeconds * 1000, remaining));
  }

  const outcome: ApprovalOutcome = result.outcome ?? "timed-out";
  record.outcome = outcome;
  record.decidedAt = new Date(rt.now()).toISOString();
  record.approvers = result.approvers;
  record.deniedBy = result.deniedBy;
  record.ignored = result.ignored;

  const waitedMinutes = Math.round((rt.now() - started) / 60_000);
  const closing =
    outcome === "approved"
      ? `✅ Approved by ${list(result.approvers)}. The workflow run continues.`
      : outcome === "denied"
        ? `❌ Denied by ${list(result.deniedBy)}. The workflow run stops.`
        : `⏱️ No decision within ${p.timeoutMinutes} minutes (${result.approvers.length} of ${p.minimumApprovals} approvals). The gate failed closed; re-run the job to ask again.`;
  await createIssueComment(rt.client, {
    ...repo,
    issueNumber: issue.number,
    body: `${closing}\n\n${renderAuditMarkdown(record)}\n${markerComment(`${marker} outcome`)}`,
  });
  await closeIssue(rt.client, {
    ...repo,
    issueNumber: issue.number,
    reason: outcome === "approved" ? "completed" : "not_planned",
  });

  if (outcome === "approved") {
    rt.logger.info(`Approved by ${list(result.approvers)}.`);
    return { approved: true, approvers: result.approvers, record };
  }
  if (outcome === "denied") {
    throw new ApprovalError(`Denied by ${list(result.deniedBy)} in ${issue.html_url}.`, record);
  }
  throw new ApprovalError(
    `No decision after waiting ${waitedMinutes} minutes (timeout-minutes ${p.timeoutMinutes}): ${result.approvers.length} of ${p.minimumApprovals} required approvals in ${issue.html_url}; the gate fails closed.`,
    record,
  );
}
