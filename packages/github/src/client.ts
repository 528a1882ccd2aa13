import type { Octokit } from "@octokit/core";
import type { PaginateInterface } from "@octokit/plugin-paginate-rest";
import type { Api } from "@octokit/plugin-rest-endpoint-methods";
import type { Logger } from "@qlik-cicd/common";

/**
 * The GitHub client every operation here takes: Octokit with the REST methods and pagination, which is
 * what `getOctokit` of @actions/github returns. Adapters build it (actions/_shared `createGitHubClient`,
 * with the retry and throttling plugins); libraries never construct one.
 */
export type GitHubClient = Octokit & Api & { paginate: PaginateInterface };

/** What Octokit's throttling plugin passes to its handlers. */
type LimitHandler = (
  retryAfterSeconds: number,
  options: { method: string; url: string },
  octokit: { request: { endpoint: { parse(o: object): { url: string } } } },
  retryCount: number,
) => boolean;

export interface RateLimitPolicy {
  onRateLimit: LimitHandler;
  onSecondaryRateLimit: LimitHandler;
}

/**
 * When to wait out a GitHub rate limit (the throttling plugin waits, then repeats the request): at most
 * `maxRetries` times per request and never longer than `maxWaitMs` at once. Otherwise the call fails
 * and `toGitHubError` names when the limit resets. A rate-limited request was not carried out, so
 * repeating it is safe for every method.
 */
export function rateLimitPolicy(
  options: { logger: Logger; maxWaitMs?: number; maxRetries?: number },
  /** Reports each wait that will happen (tests and statistics). */
  onWait?: (wait: { kind: "primary" | "secondary"; seconds: number; request: string }) => void,
): RateLimitPolicy {
  const maxWaitMs = options.maxWaitMs ?? 5 * 60_000;
  const maxRetries = options.maxRetries ?? 3;
  const handler =
    (kind: "primary" | "secondary"): LimitHandler =>
    (seconds, request, octokit, retryCount) => {
      let path = request.url;
      try {
        path = new URL(octokit.request.endpoint.parse(request).url).pathname;
      } catch {
        // Keep the route template.
      }
      const display = `${request.method} ${path}`;
      if (retryCount >= maxRetries || seconds * 1000 > maxWaitMs) return false;
      options.logger.warn(`GitHub's ${kind} rate limit reached on ${display}; waiting ${seconds}s.`);
      onWait?.({ kind, seconds, request: display });
      return true;
    };
  return { onRateLimit: handler("primary"), onSecondaryRateLimit: handler("secondary") };
}
