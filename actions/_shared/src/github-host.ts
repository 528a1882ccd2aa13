// The GitHub parts of an action's host: a client from the one factory and the pull-request comment.
// Passed by the actions that talk to GitHub only, so the others do not bundle Octokit.
import type { GitHubClient } from "@qlik-cicd/github";
import { createGitHubClient } from "./github.ts";
import type { GitHubCapabilities } from "./host.ts";
import { actionsLogger } from "./logger.ts";
import { upsertPullRequestComment } from "./pull-request-comment.ts";

export const withGitHub: GitHubCapabilities<GitHubClient> = {
  github: (token) => createGitHubClient({ token, logger: actionsLogger }),
  commentOnPullRequest: (request) => upsertPullRequestComment({ ...request, logger: actionsLogger }),
};
