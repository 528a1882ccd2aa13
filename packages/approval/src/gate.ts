import { poll, sha256Hex, silentLogger, systemClock } from "@qlik-cicd/common";
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
import { UnverifiedCommitsError, type CommitsCheck } from "./deployed-commits.ts";
import { ApproverDirectory, barredApprovers, isBot } from "./eligibility.ts";
import { evidenceMarkdown, loadEvidence, type EvidenceItem } from "./evidence.ts";
import { classifyComment, type Vote } from "./keywords.ts";
import { resolvePolicy, type ApprovalOptions, type ApprovalPolicy } from "./options.ts";
import {
  ApprovalError,
  renderAuditMarkdown,
  type ApprovalEntry,
  type ApprovalOutcome,
  type ApprovalResult,
  type ApprovalRecord,
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
  checks: CommitsCheck[];
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
  const sleep = options.sleep ?? ((ms: number) => systemClock.sleep(ms));
  const evidence = loadEvidence(options.evidence, options.workspace, options.evidencePaths);
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
    checks: [],
    evidence,
    serverUrl,
    runUrl: `${serverUrl}/${options.owner}/${options.repo}/actions/runs/${options.runId}${options.runAttempt ? `/attempts/${options.runAttempt}` : ""}`,
  };
  await rt.directory.checkTeamsReadable();
  return policy.mode === "environment" ? environmentGate(rt) : issueGate(rt);
}

/**
 * Who may not approve (separation of duties), before anyone's vote is counted. When the deployed commits
 * cannot be listed the gate fails closed with an `unverified` record.
 */
async function barPeople(rt: Runtime, environments: string[], at: number): Promise<void> {
  try {
    const barred = await barredApprovers(rt.client, rt.options, rt.policy, environments, rt.logger);
    rt.excluded = barred.excluded;
    rt.checks = barred.checks;
  } catch (error) {
    if (!(error instanceof UnverifiedCommitsError)) throw error;
    const record = baseRecord(rt, at);
    record.outcome = "unverified";
    throw new ApprovalError(error.message, record);
  }
}

function baseRecord(rt: Runtime, requestedAt: number): ApprovalRecord {
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
      denyWins: rt.policy.denyWins,
      timeoutMinutes: rt.policy.mode === "issue" ? rt.policy.timeoutMinutes : undefined,
    },
    approvers: [],
    deniedBy: [],
    ignored: [],
    excluded: [...rt.excluded].map(([login, reason]) => ({ login, reason })),
    commitsChecked: rt.checks,
    evidence: rt.evidence.map(({ source, sha256, bytes }) => ({ source, sha256, bytes })),
  };
}

const list = (entries: { login: string }[]) => entries.map((e) => `@${e.login}`).join(", ");

// ---------------------------------------------------------------------------------------------------
// environment mode: GitHub's deployment reviews already happened; enforce quorum and separation of duties.

async function environmentGate(rt: Runtime): Promise<ApprovalResult> {
  const o = rt.options;
  const p = rt.policy;
  const checkedAt = rt.now();
  const reviews = await listRunApprovals(rt.client, { owner: o.owner, repo: o.repo, runId: o.runId });
  const environments = [
    ...new Set(reviews.flatMap((r) => (r.environments ?? []).map((e) => e.name ?? "")).filter(Boolean)),
  ];
  await barPeople(rt, environments, checkedAt);
  const record = baseRecord(rt, checkedAt);
  const entry = (login: string, envs: string[]): ApprovalEntry => ({
    login,
    time: new Date(checkedAt).toISOString(),
    link: rt.runUrl,
    environment: envs.join(", ") || undefined,
  });
  // Per person, in the order they first reviewed: the environments they approved and rejected.
  const people = new Map<
    string,
    { login: string; bot: boolean; approved: string[]; rejected: string[]; other: string[] }
  >();
  for (const review of reviews) {
    const login = review.user?.login;
    if (!login) continue;
    const key = login.toLowerCase();
    const person = people.get(key) ?? { login, bot: false, approved: [], rejected: [], other: [] };
    people.set(key, person);
    person.bot ||= isBot(review.user);
    const envs = (review.environments ?? []).map((e) => e.name ?? "").filter(Boolean);
    const side =
      review.state === "approved"
        ? person.approved
        : review.state === "rejected"
          ? person.rejected
          : undefined;
    if (!side) {
      person.other.push(`review state '${review.state}' for ${envs.join(", ") || "an environment"}`);
      continue;
    }
    for (const env of envs) if (!side.includes(env)) side.push(env);
  }
  for (const [key, person] of people) {
    const ignore = (reason: string) => record.ignored.push({ login: person.login, reason, link: rt.runUrl });
    if (person.bot) {
      ignore("review by a bot");
      continue;
    }
    for (const reason of person.other) ignore(reason);
    if (person.rejected.length > 0) {
      // A listed approver's rejection counts even when they may not approve: denying is never self-serving.
      if (!(await rt.directory.qualifies(person.login))) {
        ignore("not in 'approvers'");
        continue;
      }
      record.deniedBy.push(entry(person.login, person.rejected));
      if (person.approved.length > 0)
        ignore(`approval not counted: also rejected ${person.rejected.join(", ")}`);
      continue;
    }
    if (person.approved.length === 0) continue;
    const barred = rt.excluded.get(key);
    if (barred) {
      ignore(`may not approve: ${barred}`);
      continue;
    }
    if (!(await rt.directory.qualifies(person.login))) {
      ignore("not in 'approvers'");
      continue;
    }
    record.approvers.push(entry(person.login, person.approved));
  }
  const denied = p.denyWins ? record.deniedBy.length > 0 : record.deniedBy.length >= p.minimumApprovals;
  if (denied) {
    record.outcome = "denied";
    const who = record.deniedBy.map((d) => `@${d.login} (rejected ${d.environment ?? "an environment"})`);
    throw new ApprovalError(`Denied by ${who.join(", ")} in ${rt.runUrl}.`, record);
  }
  const count = record.approvers.length;
  if (count >= p.minimumApprovals) {
    record.outcome = "approved";
    rt.logger.info(`Approved by ${list(record.approvers)} (${count} of ${p.minimumApprovals} required).`);
    return { approved: true, approvers: record.approvers, record };
  }
  const ignored = record.ignored.map((i) => `@${i.login} (${i.reason})`).join(", ");
  throw new ApprovalError(
    `Only ${count} of the required ${p.minimumApprovals} distinct approvers approved this run's deployment environments${count ? ` (${list(record.approvers)})` : ""}${ignored ? `; not counted: ${ignored}` : ""}.`,
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
  await barPeople(rt, [], started);

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
  const readVotes = async (): Promise<Tally> => {
    try {
      const comments = await listIssueComments(
        rt.client,
        { ...repo, issueNumber: issue.number, since: issue.created_at },
        cache,
      );
      result = await tally(rt, comments, requestedAt);
    } catch (error) {
      // Octokit has already retried the request; a failed poll is skipped, the next one reads again.
      if (!isTransient(error)) throw error;
      rt.logger.warn(`Polling the approval issue failed (${(error as Error).message}); trying again.`);
    }
    return result;
  };
  await poll(readVotes, (votes) => votes.outcome !== undefined, {
    intervalMs: p.pollSeconds * 1000,
    timeoutMs: deadline - rt.now(),
    clock: { now: rt.now, sleep: rt.sleep, random: Math.random },
    onWait: (_votes, next) => {
      if (next.reads === 1)
        rt.logger.info(`Waiting for ${p.minimumApprovals} approval(s) in ${issue.html_url}.`);
    },
  });

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
