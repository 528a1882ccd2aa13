import type { GitHubClient } from "./client.ts";
import { callGitHub } from "./errors.ts";
import type { RepoRef } from "./operations.ts";

const full = (r: RepoRef) => `${r.owner}/${r.repo}`;

/** GitHub logins of the commit's author and committer (null when the e-mail maps to no account). */
export async function getCommitLogins(
  gh: GitHubClient,
  p: RepoRef & { sha: string },
): Promise<{ author: string | null; committer: string | null }> {
  const res = await callGitHub(
    { resource: `Commit ${p.sha} in ${full(p)}`, permission: "contents: read" },
    () => gh.rest.repos.getCommit({ owner: p.owner, repo: p.repo, ref: p.sha }),
  );
  return { author: res.data.author?.login ?? null, committer: res.data.committer?.login ?? null };
}

/** Author logins of every commit of a pull request (deduplicated, in order of first appearance). */
export async function listPullRequestAuthors(
  gh: GitHubClient,
  p: RepoRef & { pullNumber: number },
): Promise<string[]> {
  const commits = await callGitHub(
    { resource: `Pull request #${p.pullNumber} in ${full(p)}`, permission: "pull_requests: read" },
    () =>
      gh.paginate(gh.rest.pulls.listCommits, {
        owner: p.owner,
        repo: p.repo,
        pull_number: p.pullNumber,
        per_page: 100,
      }),
  );
  return [...new Set(commits.map((c) => c.author?.login).filter((l): l is string => !!l))];
}
