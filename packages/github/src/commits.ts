import type { GitHubClient } from "./client.ts";
import { callGitHub, GitHubApiError, toGitHubError } from "./errors.ts";
import type { RepoRef } from "./operations.ts";

const full = (r: RepoRef) => `${r.owner}/${r.repo}`;

export interface CommitAccount {
  login: string;
  /** "User", "Bot" or "Organization". */
  type?: string;
}

/** A commit and the GitHub accounts of its author and committer (null when the e-mail maps to none). */
export interface CommitPeople {
  sha: string;
  author: CommitAccount | null;
  committer: CommitAccount | null;
}

interface CommitJson {
  sha: string;
  author?: { login: string; type?: string } | Record<string, never> | null;
  committer?: { login: string; type?: string } | Record<string, never> | null;
}

function account(a: CommitJson["author"]): CommitAccount | null {
  return a && "login" in a && a.login ? { login: a.login, ...(a.type ? { type: a.type } : {}) } : null;
}

const people = (c: CommitJson): CommitPeople => ({
  sha: c.sha,
  author: account(c.author),
  committer: account(c.committer),
});

/** The commit's author and committer accounts. */
export async function getCommitPeople(gh: GitHubClient, p: RepoRef & { sha: string }): Promise<CommitPeople> {
  const res = await callGitHub(
    { resource: `Commit ${p.sha} in ${full(p)}`, permission: "contents: read" },
    () => gh.rest.repos.getCommit({ owner: p.owner, repo: p.repo, ref: p.sha }),
  );
  return people(res.data as CommitJson);
}

/** The base and head commits of a pull request. */
export async function getPullRequestRange(
  gh: GitHubClient,
  p: RepoRef & { pullNumber: number },
): Promise<{ base: string; head: string }> {
  const res = await callGitHub(
    { resource: `Pull request #${p.pullNumber} in ${full(p)}`, permission: "pull_requests: read" },
    () => gh.rest.pulls.get({ owner: p.owner, repo: p.repo, pull_number: p.pullNumber }),
  );
  return { base: res.data.base.sha, head: res.data.head.sha };
}

/** A compare that could not list every commit of its range; `message` is one sentence. */
export class CommitRangeError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "CommitRangeError";
    this.status = status;
  }
}

export interface CommitRange {
  /** `ahead`, `behind`, `identical` or `diverged`, as GitHub says. */
  status: string;
  /** Every commit reachable from `head` and not from `base`, oldest first. */
  commits: CommitPeople[];
}

/**
 * Every commit in `base...head` through the compare API, page by page (GitHub returns at most 250
 * commits without paging). Throws a CommitRangeError when GitHub answers with an error, lists fewer
 * commits than it counts, or the range holds more than `maxCommits`.
 */
export async function compareCommits(
  gh: GitHubClient,
  p: RepoRef & { base: string; head: string; maxCommits?: number },
): Promise<CommitRange> {
  const maxCommits = p.maxCommits ?? 10_000;
  const range = `${p.base.slice(0, 7)}...${p.head.slice(0, 7)} in ${full(p)}`;
  const commits: CommitPeople[] = [];
  let status = "";
  let total: number | undefined;
  try {
    const pages = gh.paginate.iterator(gh.rest.repos.compareCommitsWithBasehead, {
      owner: p.owner,
      repo: p.repo,
      basehead: `${p.base}...${p.head}`,
      per_page: 100,
    });
    for await (const page of pages) {
      const data = page.data as unknown as { status: string; total_commits: number; commits: CommitJson[] };
      if (total === undefined) {
        status = data.status;
        total = data.total_commits;
        if (total > maxCommits) {
          throw new CommitRangeError(
            `${range} holds ${total} commits, more than the ${maxCommits} this checks`,
          );
        }
      }
      commits.push(...data.commits.map(people));
    }
  } catch (error) {
    if (error instanceof CommitRangeError) throw error;
    const failure = toGitHubError(error);
    if (!(failure instanceof GitHubApiError)) throw error;
    const answer = failure.status === 0 ? "GitHub could not be reached" : `GitHub answered ${failure.status}`;
    throw new CommitRangeError(`${range}: ${answer}`, failure.status, failure);
  }
  if (total !== undefined && commits.length < total) {
    throw new CommitRangeError(`${range}: GitHub listed ${commits.length} of its ${total} commits`);
  }
  return { status, commits };
}

export interface Deployment {
  id: number;
  sha: string;
  environment: string;
}

/**
 * The newest deployment to `environment` that ever reached `success` (later ones that failed or are
 * still running are passed over), looking at the `maxDeployments` newest; undefined when there is none.
 */
export async function lastSuccessfulDeployment(
  gh: GitHubClient,
  p: RepoRef & { environment: string; maxDeployments?: number },
): Promise<Deployment | undefined> {
  const context = {
    resource: `Deployments of '${p.environment}' in ${full(p)}`,
    permission: "deployments: read",
  };
  const res = await callGitHub(context, () =>
    gh.rest.repos.listDeployments({
      owner: p.owner,
      repo: p.repo,
      environment: p.environment,
      per_page: Math.min(p.maxDeployments ?? 30, 100),
    }),
  );
  for (const d of res.data) {
    const statuses = await callGitHub(context, () =>
      gh.rest.repos.listDeploymentStatuses({
        owner: p.owner,
        repo: p.repo,
        deployment_id: d.id,
        per_page: 100,
      }),
    );
    if (statuses.data.some((s) => s.state === "success")) {
      return { id: d.id, sha: d.sha, environment: d.environment ?? p.environment };
    }
  }
  return undefined;
}
