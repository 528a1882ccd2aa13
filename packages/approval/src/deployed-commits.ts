// The commits a run deploys, whose authors and committers may not approve it: a push's before..after, a
// pull request's commits, or — for other events — the commits since the environment's last successful
// deployment (else the head commit alone). Each way is recorded in the audit record.
import { CicdError, type Logger } from "@qlik-cicd/common";
import {
  CommitRangeError,
  GitHubApiError,
  compareCommits,
  getCommitPeople,
  getPullRequestRange,
  lastSuccessfulDeployment,
  type CommitPeople,
  type GitHubClient,
} from "@qlik-cicd/github";
import type { ApprovalContext } from "./options.ts";

/** How one range of deployed commits was found; the audit record lists one per range. */
export interface CommitsCheck {
  /**
   * `push`: the push's before..after. `pull-request`: the pull request's commits. `deployment`: the
   * commits since the environment's last successful deployment. `head`: the head commit alone.
   * `none`: not checked (allow-self-approval).
   */
  method: "push" | "pull-request" | "deployment" | "head" | "none";
  /** The commit being deployed. */
  head: string;
  /** Where the range starts (not included). */
  base?: string;
  environment?: string;
  /** How many commits' authors and committers were barred. */
  count: number;
  /** What was checked and how, in one sentence. */
  description: string;
}

/** The gate could not list what the run deploys, so it cannot tell who may approve: it fails closed. */
export class UnverifiedCommitsError extends CicdError {}

const short = (sha: string) => sha.slice(0, 7);

function unverified(error: CommitRangeError): UnverifiedCommitsError {
  return new UnverifiedCommitsError(
    `Could not list the commits this run deploys (${error.message}), so their authors cannot be barred from approving; the gate fails closed.`,
    { cause: error },
  );
}

async function compare(
  gh: GitHubClient,
  context: ApprovalContext,
  base: string,
  head: string,
): Promise<CommitPeople[]> {
  try {
    return (await compareCommits(gh, { owner: context.owner, repo: context.repo, base, head })).commits;
  } catch (error) {
    if (error instanceof CommitRangeError) throw unverified(error);
    throw error;
  }
}

/**
 * The commits the run deploys and how they were found. `environments` are the run's deployment
 * environments (environment mode), used for events that are neither a push nor a pull request.
 * Throws UnverifiedCommitsError when a range cannot be listed completely.
 */
export async function deployedCommits(
  gh: GitHubClient,
  context: ApprovalContext,
  environments: string[],
  logger: Logger,
): Promise<{ commits: CommitPeople[]; checks: CommitsCheck[] }> {
  const head = context.sha;
  const repo = { owner: context.owner, repo: context.repo };
  const headCommit = await getCommitPeople(gh, { ...repo, sha: head });
  const withHead = (commits: CommitPeople[]) =>
    commits.some((c) => c.sha === head) ? commits : [headCommit, ...commits];

  if (context.pullRequestNumber) {
    const pr = await getPullRequestRange(gh, { ...repo, pullNumber: context.pullRequestNumber });
    const commits = withHead(await compare(gh, context, pr.base, pr.head));
    return {
      commits,
      checks: [
        {
          method: "pull-request",
          head,
          base: pr.base,
          count: commits.length,
          description: `Pull request #${context.pullRequestNumber}'s commits (${short(pr.base)}...${short(pr.head)}) through the compare API, and the head commit ${short(head)}: ${commits.length} commits.`,
        },
      ],
    };
  }

  if (context.push?.before) {
    const commits = withHead(await compare(gh, context, context.push.before, context.push.after));
    return {
      commits,
      checks: [
        {
          method: "push",
          head,
          base: context.push.before,
          count: commits.length,
          description: `The push ${short(context.push.before)}..${short(context.push.after)} through the compare API: ${commits.length} commits.`,
        },
      ],
    };
  }

  const headOnly = (description: string, environment?: string): CommitsCheck => ({
    method: "head",
    head,
    ...(environment ? { environment } : {}),
    count: 1,
    description,
  });
  if (environments.length === 0) {
    const why = context.push ? "the push created its branch" : "the run names no deployment environment";
    return {
      commits: [headCommit],
      checks: [
        headOnly(`Only the head commit ${short(head)}: ${why}, so there is no earlier commit to start from.`),
      ],
    };
  }
  const commits = new Map<string, CommitPeople>([[head, headCommit]]);
  const checks: CommitsCheck[] = [];
  for (const environment of environments) {
    let last;
    try {
      last = await lastSuccessfulDeployment(gh, { ...repo, environment });
    } catch (error) {
      if (!(error instanceof GitHubApiError)) throw error;
      const answer = error.status === 0 ? "GitHub could not be reached" : `GitHub answered ${error.status}`;
      logger.warn(
        `Could not read the deployments of '${environment}' (${answer}); only the head commit's people are barred. Give the token 'deployments: read'.`,
      );
      checks.push(
        headOnly(
          `Only the head commit ${short(head)}: the deployments of '${environment}' could not be read (${answer}).`,
          environment,
        ),
      );
      continue;
    }
    if (!last) {
      checks.push(
        headOnly(
          `Only the head commit ${short(head)}: no successful deployment of '${environment}' was found.`,
          environment,
        ),
      );
      continue;
    }
    const range = withHead(await compare(gh, context, last.sha, head));
    for (const c of range) commits.set(c.sha, c);
    checks.push({
      method: "deployment",
      head,
      base: last.sha,
      environment,
      count: range.length,
      description: `The commits since the last successful deployment of '${environment}' (deployment ${last.id} of ${short(last.sha)}), ${short(last.sha)}...${short(head)} through the compare API: ${range.length} commits.`,
    });
  }
  return { commits: [...commits.values()], checks };
}
