import type { GitHubClient } from "./client.ts";

export interface GitHubUser {
  login: string;
  /** "User", "Bot" or "Organization". */
  type?: string;
  html_url?: string;
}

export interface IssueComment {
  id: number;
  body: string;
  user: GitHubUser | null;
  created_at: string;
  updated_at: string;
  html_url: string;
}

export interface Issue {
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  html_url: string;
  created_at: string;
  user: GitHubUser | null;
  pull_request?: unknown;
}

export interface EnvironmentApproval {
  state: "approved" | "rejected" | "pending";
  comment: string;
  user: GitHubUser;
  environments: { id: number; name: string; html_url?: string; url?: string }[];
}

export interface RepoRef {
  owner: string;
  repo: string;
}

const repoPath = (r: RepoRef) => `/repos/${encodeURIComponent(r.owner)}/${encodeURIComponent(r.repo)}`;

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
  issueNumber: number;
  marker: string;
  body: string;
}

export interface UpsertCommentResult {
  id: number;
  url: string;
  created: boolean;
}

/** Updates the comment on an issue/PR that carries `<!-- marker -->`, or creates it. */
export async function upsertComment(
  client: GitHubClient,
  p: UpsertCommentParams,
): Promise<UpsertCommentResult> {
  const hidden = markerComment(p.marker);
  const body = withMarker(p.body, p.marker);
  const comments = await client.paginate<IssueComment>(`${repoPath(p)}/issues/${p.issueNumber}/comments`, {
    resource: `Issue or pull request #${p.issueNumber} in ${p.owner}/${p.repo}`,
  });
  const existing = comments.find((c) => c.body?.includes(hidden));
  if (existing) {
    if (existing.body === body) return { id: existing.id, url: existing.html_url, created: false };
    const res = await client.patch<IssueComment>(
      `${repoPath(p)}/issues/comments/${existing.id}`,
      { body },
      { permission: "issues: write (or pull_requests: write)" },
    );
    return { id: res.data.id, url: res.data.html_url, created: false };
  }
  const res = await client.post<IssueComment>(
    `${repoPath(p)}/issues/${p.issueNumber}/comments`,
    { body },
    {
      permission: "issues: write (or pull_requests: write)",
      resource: `Issue or pull request #${p.issueNumber} in ${p.owner}/${p.repo}`,
    },
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

interface PullRequest {
  number: number;
  html_url: string;
  title: string;
  body: string | null;
  base: { ref: string };
}

/** Reuses the open pull request for `head` (updating title, body and base), or opens one. */
export async function upsertPullRequest(
  client: GitHubClient,
  p: UpsertPullRequestParams,
): Promise<UpsertPullRequestResult> {
  const qualifiedHead = p.head.includes(":") ? p.head : `${p.owner}:${p.head}`;
  const open = await client.paginate<PullRequest>(`${repoPath(p)}/pulls`, {
    query: { state: "open", head: qualifiedHead },
    resource: `Repository ${p.owner}/${p.repo}`,
    cache: false,
  });
  const existing = open[0];
  if (existing) {
    const changes: Record<string, string> = {};
    if (existing.title !== p.title) changes.title = p.title;
    if ((existing.body ?? "") !== p.body) changes.body = p.body;
    if (existing.base?.ref !== p.base) changes.base = p.base;
    if (Object.keys(changes).length > 0) {
      await client.patch(`${repoPath(p)}/pulls/${existing.number}`, changes, {
        permission: "pull_requests: write",
      });
    }
    return { number: existing.number, url: existing.html_url, created: false };
  }
  const res = await client.post<PullRequest>(
    `${repoPath(p)}/pulls`,
    { head: p.head, base: p.base, title: p.title, body: p.body, draft: p.draft ?? false },
    { permission: "pull_requests: write" },
  );
  return { number: res.data.number, url: res.data.html_url, created: true };
}

/** Every review of the run's deployment environments (`GET …/actions/runs/{run_id}/approvals`). */
export function listRunApprovals(
  client: GitHubClient,
  p: RepoRef & { runId: number },
): Promise<EnvironmentApproval[]> {
  return client.paginate<EnvironmentApproval>(`${repoPath(p)}/actions/runs/${p.runId}/approvals`, {
    resource: `Workflow run ${p.runId} in ${p.owner}/${p.repo}`,
    permission: "actions: read",
  });
}

/** GitHub logins of the commit's author and committer (null when the e-mail maps to no account). */
export async function getCommitLogins(
  client: GitHubClient,
  p: RepoRef & { sha: string },
): Promise<{ author: string | null; committer: string | null }> {
  const res = await client.get<{ author: GitHubUser | null; committer: GitHubUser | null }>(
    `${repoPath(p)}/commits/${encodeURIComponent(p.sha)}`,
    { resource: `Commit ${p.sha} in ${p.owner}/${p.repo}`, permission: "contents: read" },
  );
  return { author: res.data.author?.login ?? null, committer: res.data.committer?.login ?? null };
}

/** Author logins of every commit of a pull request (deduplicated, in order of first appearance). */
export async function listPullRequestAuthors(
  client: GitHubClient,
  p: RepoRef & { pullNumber: number },
): Promise<string[]> {
  const commits = await client.paginate<{ author: GitHubUser | null }>(
    `${repoPath(p)}/pulls/${p.pullNumber}/commits`,
    { resource: `Pull request #${p.pullNumber} in ${p.owner}/${p.repo}`, permission: "pull_requests: read" },
  );
  return [...new Set(commits.map((c) => c.author?.login).filter((l): l is string => !!l))];
}

/** A team's existence as seen by the token: null when GitHub answers 404 (missing or not visible). */
export async function getTeam(
  client: GitHubClient,
  p: { org: string; teamSlug: string },
): Promise<{ slug: string; name: string } | null> {
  const res = await client.get<{ slug: string; name: string }>(
    `/orgs/${encodeURIComponent(p.org)}/teams/${encodeURIComponent(p.teamSlug)}`,
    { allowStatuses: [404], permission: "members: read (organization)" },
  );
  return res.status === 404 ? null : res.data;
}

/** `active`, `pending`, or `none` when GitHub answers 404 (not a member). */
export async function getTeamMembershipState(
  client: GitHubClient,
  p: { org: string; teamSlug: string; username: string },
): Promise<"active" | "pending" | "none"> {
  const res = await client.get<{ state: "active" | "pending" }>(
    `/orgs/${encodeURIComponent(p.org)}/teams/${encodeURIComponent(p.teamSlug)}/memberships/${encodeURIComponent(p.username)}`,
    { allowStatuses: [404], permission: "members: read (organization)" },
  );
  return res.status === 404 ? "none" : res.data.state;
}

export function createIssue(
  client: GitHubClient,
  p: RepoRef & { title: string; body: string; labels?: string[] },
): Promise<Issue> {
  return client
    .post<Issue>(
      `${repoPath(p)}/issues`,
      { title: p.title, body: p.body, labels: p.labels },
      { permission: "issues: write", resource: `Repository ${p.owner}/${p.repo}` },
    )
    .then((r) => r.data);
}

/** Assigns whoever GitHub allows; people who cannot be assigned are silently skipped by GitHub. */
export async function addAssignees(
  client: GitHubClient,
  p: RepoRef & { issueNumber: number; assignees: string[] },
) {
  if (p.assignees.length === 0) return;
  await client.post(
    `${repoPath(p)}/issues/${p.issueNumber}/assignees`,
    { assignees: p.assignees.slice(0, 10) },
    { permission: "issues: write" },
  );
}

/** Open issues (not pull requests) with `label` whose body contains `<!-- marker -->`. */
export async function findOpenIssueByMarker(
  client: GitHubClient,
  p: RepoRef & { label: string; marker: string },
): Promise<Issue | undefined> {
  const hidden = markerComment(p.marker);
  const issues = await client.paginate<Issue>(`${repoPath(p)}/issues`, {
    query: { state: "open", labels: p.label },
    resource: `Repository ${p.owner}/${p.repo}`,
    permission: "issues: read",
    cache: false,
  });
  return issues.find((i) => !i.pull_request && (i.body ?? "").includes(hidden));
}

/** Comments on an issue updated since `since` (ISO time), oldest first; uses ETags so unchanged polls are free. */
export function listIssueComments(
  client: GitHubClient,
  p: RepoRef & { issueNumber: number; since?: string },
): Promise<IssueComment[]> {
  return client.paginate<IssueComment>(`${repoPath(p)}/issues/${p.issueNumber}/comments`, {
    query: { since: p.since },
    resource: `Issue #${p.issueNumber} in ${p.owner}/${p.repo}`,
    permission: "issues: read",
  });
}

export function createIssueComment(
  client: GitHubClient,
  p: RepoRef & { issueNumber: number; body: string },
): Promise<IssueComment> {
  return client
    .post<IssueComment>(
      `${repoPath(p)}/issues/${p.issueNumber}/comments`,
      { body: p.body },
      { permission: "issues: write", resource: `Issue #${p.issueNumber} in ${p.owner}/${p.repo}` },
    )
    .then((r) => r.data);
}

export async function closeIssue(
  client: GitHubClient,
  p: RepoRef & { issueNumber: number; reason: "completed" | "not_planned" },
): Promise<void> {
  await client.patch(
    `${repoPath(p)}/issues/${p.issueNumber}`,
    { state: "closed", state_reason: p.reason },
    { permission: "issues: write", resource: `Issue #${p.issueNumber} in ${p.owner}/${p.repo}` },
  );
}
