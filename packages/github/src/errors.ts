import { CicdError } from "@qlik-cicd/common";

/** A GitHub REST call that failed; `message` is one sentence naming the resource and what to do. */
export class GitHubApiError extends CicdError {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  /** GitHub's own `message` field from the error body, when there was one. */
  readonly githubMessage: string | undefined;
  constructor(
    message: string,
    options: {
      status: number;
      method: string;
      path: string;
      githubMessage?: string;
      hint?: string;
      cause?: unknown;
    },
  ) {
    super(message, { hint: options.hint, cause: options.cause });
    this.status = options.status;
    this.method = options.method;
    this.path = options.path;
    this.githubMessage = options.githubMessage;
  }
}

/** GitHub asked us to wait longer than the client is allowed to (primary or secondary rate limit). */
export class GitHubRateLimitError extends GitHubApiError {
  /** Epoch milliseconds at which GitHub said the limit resets. */
  readonly resetAt: number;
  constructor(message: string, options: { status: number; method: string; path: string; resetAt: number }) {
    super(message, options);
    this.resetAt = options.resetAt;
  }
}
