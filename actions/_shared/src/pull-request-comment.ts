import { secrets, silentLogger, type Logger } from "@qlik-cicd/common";
import { upsertComment } from "@qlik-cicd/github";
import { pullRequestOfRun, type PullRequestRef } from "./event.ts";
import { createGitHubClient } from "./github.ts";

/**
 * Keeps ONE comment per `marker` on the run's pull request up to date (validate-app and evaluate-app).
 * The comment is a convenience: outside a pull request nothing is written, and a failure (e.g. a fork's
 * read-only token) is a warning, never the step's outcome. Returns the comment's URL when written.
 * Used by the Actions adapter and the CLI alike (no @actions/core here).
 */
export async function upsertPullRequestComment(options: {
  token: string | undefined;
  marker: string;
  body: string;
  /** What the comment is, for the log: "validation", "performance". */
  what: string;
  pr?: PullRequestRef;
  logger?: Logger;
}): Promise<string | undefined> {
  if (!options.token) return undefined;
  const logger = options.logger ?? silentLogger;
  const pr = options.pr ?? pullRequestOfRun();
  if (!pr) {
    logger.info(
      `github-token is set, but this is not a pull_request event: no ${options.what} comment written.`,
    );
    return undefined;
  }
  try {
    const github = createGitHubClient({ token: options.token, logger });
    const comment = await upsertComment(github, {
      owner: pr.owner,
      repo: pr.repo,
      issueNumber: pr.number,
      marker: options.marker,
      body: options.body,
    });
    logger.info(
      `${comment.created ? "Wrote" : "Updated"} the ${options.what} comment on #${pr.number}: ${comment.url}`,
    );
    return comment.url;
  } catch (error) {
    logger.warn(
      `The ${options.what} comment on pull request #${pr.number} could not be written: ${secrets.redact((error as Error).message)}`,
    );
    return undefined;
  }
}
