import type { GitHubClient } from "./client.ts";
import { ConditionalCache, listConditionally } from "./conditional.ts";
import { callGitHub, statusOf } from "./errors.ts";

export interface GitHubUser {
  login: string;
  /** "User", "Bot" or "Organization". */
  type?: string;
  html_url?: string;
}

export interface IssueComment {
  id: number;
  body?: string;
  user: GitHubUser | null;
  created_at: string;
  updated_at: string;
  html_url: string;
}

export interface Issue {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  html_url: string;
  created_at: string;
  user: GitHubUser | null;
  pull_request?: unknown;
}

export interface EnvironmentApproval {
  state: "approved" | "rejected" | "pending";
  comment: string;
  user: GitHubUser | null;
  environments: { id?: number; name?: string; html_url?: string; url?: string }[];
}

export interface RepoRef {
  owner: string;
  repo: string;
}

const PAGE = { per_page: 100 } as const;
const full = (r: RepoRef) => `${r.owner}/${r.repo}`;

/** The hidden HTML comment that marks a comment or issue as ours, e.g. `<!-- qlik-cicd:lint -->`. */
export function markerComment(marker: string): string {
  if (!marker.trim() || marker.includes("--")) {
    throw new Error(`Marker '${marker}' must be non-empty and must not contain '--'.`);
  }
  return `<!-- ${marker.trim()} -->`;
}

/** `body` with the hidden marker appended once. */
export function withMarker(body: string, marker: string): string {
  const hidden = markerComment(marker);
  return body.includes(hidden) ? body : `${body.replace(/\s+$/, "")}\n\n${hidden}\n`;
}

export interface UpsertCommentParams extends RepoRef {
  /** The issue or pull request. */
  issueNumber: number;
  marker: string;
  body: string;
}

export interface UpsertCommentResult {
  id: number;
  url: string;
  created: boolean;
}

/** Updates the comment on an issue or pull request that carries `<!-- marker -->`, or creates it. */
export async function upsertComment(gh: GitHubClient, p: UpsertCommentParams): Promise<UpsertCommentResult> {
  const hidden = markerComment(p.marker);
  const body = withMarker(p.body, p.marker);
  const resource = `Issue or pull request #${p.issueNumber} in ${full(p)}`;
  const permission = "issues: write (or pull_requests: write)";
  const comments = await callGitHub({ resource }, () =>
    gh.paginate(gh.rest.issues.listComments, {
      owner: p.owner,
      repo: p.repo,
      issue_number: p.issueNumber,
      ...PAGE,
    }),
  );
  const existing = comments.find((c) => c.body?.includes(hidden));
  if (existing) {
    if (existing.body === body) return { id: existing.id, url: existing.html_url, created: false };
    const res = await callGitHub({ permission }, () =>
      gh.rest.issues.updateComment({ owner: p.owner, repo: p.repo, comment_id: existing.id, body }),
    );
    return { id: res.data.id, url: res.data.html_url, created: false };
  }
  const res = await callGitHub({ permission, resource }, () =>
    gh.rest.issues.createComment({ owner: p.owner, repo: p.repo, issue_number: p.issueNumber, body }),
  );
  return { id: res.data.id, url: res.data.html_url, created: true };
}

export interface UpsertPullRequestParams extends RepoRef {
  /** Branch name, or `owner:branch` for a branch in a fork. */
  head: string;
  base: string;
  title: string;
  body: string;
  draft?: boolean;
}

export interface UpsertPullRequestResult {
  number: number;
  url: string;
  created: boolean;
}

/** Reuses the open pull request for `head` (updating title, body and base), or opens one. */
export async function upsertPullRequest(
  gh: GitHubClient,
  p: UpsertPullRequestParams,
): Promise<UpsertPullRequestResult> {
  const qualifiedHead = p.head.includes(":") ? p.head : `${p.owner}:${p.head}`;
  const open = await callGitHub({ resource: `Repository ${full(p)}` }, () =>
    gh.paginate(gh.rest.pulls.list, {
      owner: p.owner,
      repo: p.repo,
      state: "open",
      head: qualifiedHead,
      ...PAGE,
    }),
  );
  const existing = open[0];
  const permission = "pull_requests: write";
  if (existing) {
    const changes: { title?: string; body?: string; base?: string } = {};
    if (existing.title !== p.title) changes.title = p.title;
    if ((existing.body ?? "") !== p.body) changes.body = p.body;
    if (existing.base?.ref !== p.base) changes.base = p.base;
    if (Object.keys(changes).length > 0) {
      await callGitHub({ permission }, () =>
        gh.rest.pulls.update({ owner: p.owner, repo: p.repo, pull_number: existing.number, ...changes }),
      );
    }
    return { number: existing.number, url: existing.html_url, created: false };
  }
  const res = await callGitHub({ permission }, () =>
    gh.rest.pulls.create({
      owner: p.owner,
      repo: p.repo,
      head: p.head,
      base: p.base,
      title: p.title,
      body: p.body,
      draft: p.draft ?? false,
    }),
  );
  return { number: res.data.number, url: res.data.html_url, created: true };
}

/** Every review of the run's deployment environments (`GET …/actions/runs/{run_id}/approvals`). */
export async function listRunApprovals(
  gh: GitHubClient,
  p: RepoRef & { runId: number },
): Promise<EnvironmentApproval[]> {
  return (await callGitHub(
    { resource: `Workflow run ${p.runId} in ${full(p)}`, permission: "actions: read" },
    () => gh.paginate(gh.rest.actions.getReviewsForRun, { owner: p.owner, repo: p.repo, run_id: p.runId }),
  )) as EnvironmentApproval[];
}

/** A team's existence as seen by the token: null when GitHub answers 404 (missing or not visible). */
export async function getTeam(
  gh: GitHubClient,
  p: { org: string; teamSlug: string },
): Promise<{ slug: string; name: string } | null> {
  try {
    const res = await callGitHub({ permission: "members: read (organization)" }, () =>
      gh.rest.teams.getByName({ org: p.org, team_slug: p.teamSlug }),
    );
    return { slug: res.data.slug, name: res.data.name };
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

/** `active`, `pending`, or `none` when GitHub answers 404 (not a member). */
export async function getTeamMembershipState(
  gh: GitHubClient,
  p: { org: string; teamSlug: string; username: string },
): Promise<"active" | "pending" | "none"> {
  try {
    const res = await callGitHub({ permission: "members: read (organization)" }, () =>
      gh.rest.teams.getMembershipForUserInOrg({ org: p.org, team_slug: p.teamSlug, username: p.username }),
    );
    return res.data.state;
  } catch (error) {
    if (statusOf(error) === 404) return "none";
    throw error;
  }
}

export async function createIssue(
  gh: GitHubClient,
  p: RepoRef & { title: string; body: string; labels?: string[] },
): Promise<Issue> {
  const res = await callGitHub({ permission: "issues: write", resource: `Repository ${full(p)}` }, () =>
    gh.rest.issues.create({ owner: p.owner, repo: p.repo, title: p.title, body: p.body, labels: p.labels }),
  );
  return res.data;
}

/** Assigns whoever GitHub allows; people who cannot be assigned are silently skipped by GitHub. */
export async function addAssignees(
  gh: GitHubClient,
  p: RepoRef & { issueNumber: number; assignees: string[] },
): Promise<void> {
  if (p.assignees.length === 0) return;
  await callGitHub({ permission: "issues: write" }, () =>
    gh.rest.issues.addAssignees({
      owner: p.owner,
      repo: p.repo,
      issue_number: p.issueNumber,
      assignees: p.assignees.slice(0, 10),
    }),
  );
}

/** Open issues (not pull requests) with `label` whose body contains `<!-- marker -->`. */
export async function findOpenIssueByMarker(
  gh: GitHubClient,
  p: RepoRef & { label: string; marker: string },
): Promise<Issue | undefined> {
  const hidden = markerComment(p.marker);
  const issues = await callGitHub({ resource: `Repository ${full(p)}`, permission: "issues: read" }, () =>
    gh.paginate(gh.rest.issues.listForRepo, {
      owner: p.owner,
      repo: p.repo,
      state: "open",
      labels: p.label,
      ...PAGE,
    }),
  );
  return issues.find((i) => !i.pull_request && (i.body ?? "").includes(hidden));
}

/**
 * Comments on an issue updated since `since` (ISO time), oldest first. With a cache, each page is a
 * conditional request, so polling an unchanged issue costs no rate limit.
 */
export function listIssueComments(
  gh: GitHubClient,
  p: RepoRef & { issueNumber: number; since?: string },
  cache: ConditionalCache = new ConditionalCache(),
): Promise<IssueComment[]> {
  return listConditionally<IssueComment>(
    gh,
    "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
    { owner: p.owner, repo: p.repo, issue_number: p.issueNumber, ...(p.since ? { since: p.since } : {}) },
    cache,
    { resource: `Issue #${p.issueNumber} in ${full(p)}`, permission: "issues: read" },
  );
}

/** What a write to one issue is about, for its error sentence. */
const issueWrite = (p: RepoRef & { issueNumber: number }) => ({
  permission: "issues: write",
  resource: `Issue #${p.issueNumber} in ${full(p)}`,
});
const issueParams = (p: RepoRef & { issueNumber: number }) => ({
  owner: p.owner,
  repo: p.repo,
  issue_number: p.issueNumber,
});

export async function createIssueComment(
  gh: GitHubClient,
  p: RepoRef & { issueNumber: number; body: string },
): Promise<IssueComment> {
  const res = await callGitHub(issueWrite(p), () =>
    gh.rest.issues.createComment({ ...issueParams(p), body: p.body }),
  );
  return res.data;
}

/** Replaces an issue's title and body. */
export async function updateIssue(
  gh: GitHubClient,
  p: RepoRef & { issueNumber: number; title: string; body: string },
): Promise<Issue> {
  const res = await callGitHub(issueWrite(p), () =>
    gh.rest.issues.update({ ...issueParams(p), title: p.title, body: p.body }),
  );
  return res.data;
}

export async function closeIssue(
  gh: GitHubClient,
  p: RepoRef & { issueNumber: number; reason: "completed" | "not_planned" },
): Promise<void> {
  await callGitHub(issueWrite(p), () =>
    gh.rest.issues.update({ ...issueParams(p), state: "closed", state_reason: p.reason }),
  );
}

/** Sends a `repository_dispatch` event; returns GitHub's status (204). */
export async function dispatchRepositoryEvent(
  gh: GitHubClient,
  p: RepoRef & { eventType: string; clientPayload: Record<string, unknown> },
): Promise<number> {
  const res = await callGitHub({ resource: `Repository ${full(p)}`, permission: "contents: write" }, () =>
    gh.rest.repos.createDispatchEvent({
      owner: p.owner,
      repo: p.repo,
      event_type: p.eventType,
      client_payload: p.clientPayload,
    }),
  );
  return res.status;
}

/** The Actions secrets public key of a repository, or of one of its environments. */
export async function getSecretsPublicKey(
  gh: GitHubClient,
  p: RepoRef & { environment?: string },
): Promise<{ key: string; keyId: string }> {
  const where = p.environment ? `environment '${p.environment}' of ${full(p)}` : full(p);
  const res = await callGitHub(
    { resource: `The Actions secrets public key of ${where}`, permission: "secrets: write" },
    () =>
      p.environment
        ? gh.rest.actions.getEnvironmentPublicKey({
            owner: p.owner,
            repo: p.repo,
            environment_name: p.environment,
          })
        : gh.rest.actions.getRepoPublicKey({ owner: p.owner, repo: p.repo }),
  );
  return { key: res.data.key, keyId: res.data.key_id };
}

/** Creates or replaces an Actions secret from its sealed value; returns GitHub's status (201 or 204). */
export async function putActionsSecret(
  gh: GitHubClient,
  p: RepoRef & { environment?: string; name: string; encryptedValue: string; keyId: string },
): Promise<number> {
  const where = p.environment ? `environment '${p.environment}' of ${full(p)}` : full(p);
  const res = await callGitHub(
    { resource: `Secret ${p.name} of ${where}`, permission: "secrets: write" },
    () =>
      p.environment
        ? gh.rest.actions.createOrUpdateEnvironmentSecret({
            owner: p.owner,
            repo: p.repo,
            environment_name: p.environment,
            secret_name: p.name,
            encrypted_value: p.encryptedValue,
            key_id: p.keyId,
          })
        : gh.rest.actions.createOrUpdateRepoSecret({
            owner: p.owner,
            repo: p.repo,
            secret_name: p.name,
            encrypted_value: p.encryptedValue,
            key_id: p.keyId,
          }),
  );
  return res.status;
}
