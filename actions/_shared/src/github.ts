// The one place a GitHub client is built: Octokit as @actions/github provides it (REST methods,
// pagination, the runner's proxy settings), with the retry and throttling plugins. Libraries take the
// client it returns; the CLI builds its client here too.
import { getOctokit } from "@actions/github";
import { retry } from "@octokit/plugin-retry";
import { throttling, type ThrottlingOptions } from "@octokit/plugin-throttling";
import { ConfigError, secrets, silentLogger, type Logger } from "@qlik-cicd/common";
import { rateLimitPolicy, type GitHubClient } from "@qlik-cicd/github";

export interface GitHubClientOptions {
  token: string | undefined;
  /** REST base URL; default GITHUB_API_URL (GitHub Enterprise Server: `https://host/api/v3`), else api.github.com. */
  apiUrl?: string;
  logger?: Logger;
  /** Longest single rate-limit wait before the call fails naming the reset time (default 5 minutes). */
  maxRateLimitWaitMs?: number;
  /** Retries of a request after a rate limit, a 5xx or a network error (default 3). */
  maxRetries?: number;
  /**
   * GitHub asks integrations to leave a second between writes (three after writes that notify people);
   * the throttling plugin does so unless this is false (tests that make many writes in one process).
   */
  spaceWrites?: boolean;
  /** Called for each rate-limit wait (tests). */
  onRateLimitWait?: (wait: { kind: "primary" | "secondary"; seconds: number; request: string }) => void;
}

/** Methods that may be sent twice without doing twice what they do; only these are retried after a failure. */
const SAFE_TO_REPEAT = new Set(["GET", "HEAD", "PUT", "DELETE"]);

/**
 * A throttling group that lets every write through at once. The plugin only calls
 * `group.key(id).schedule(options, task)` on its write groups (a test checks that writes are spaced by
 * default and not with this group).
 */
const unspaced = {
  key: () => ({ schedule: (_options: unknown, task: () => unknown) => task() }),
} as unknown as NonNullable<ThrottlingOptions["write"]>;

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const token = options.token?.trim();
  if (!token) {
    throw new ConfigError("A GitHub token is required: pass one in 'github-token'.", {
      field: "github-token",
    });
  }
  secrets.register(token);
  const apiUrl = (options.apiUrl?.trim() || process.env.GITHUB_API_URL || "https://api.github.com").replace(
    /\/+$/,
    "",
  );
  try {
    new URL(apiUrl);
  } catch {
    throw new ConfigError(`The GitHub API URL '${apiUrl}' is not a valid URL.`, { field: "GITHUB_API_URL" });
  }
  const logger = options.logger ?? silentLogger;
  const maxRetries = options.maxRetries ?? 3;
  const octokit = getOctokit(
    token,
    {
      baseUrl: apiUrl,
      userAgent: "qlik-cicd",
      log: {
        debug: (message: string) => logger.debug(message),
        info: (message: string) => logger.debug(message),
        warn: (message: string) => logger.warn(message),
        error: (message: string) => logger.error(message),
      },
      retry: { retries: maxRetries, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
      throttle: {
        ...rateLimitPolicy(
          { logger, maxWaitMs: options.maxRateLimitWaitMs, maxRetries },
          options.onRateLimitWait,
        ),
        ...(options.spaceWrites === false ? { write: unspaced, notifications: unspaced } : {}),
      },
    },
    retry,
    throttling,
  );
  octokit.hook.before("request", (request) => {
    request.headers = { ...request.headers, "x-github-api-version": "2022-11-28" };
    // A copy: `request.request` can be the client's shared defaults.
    if (!SAFE_TO_REPEAT.has(request.method)) request.request = { ...request.request, retries: 0 };
  });
  octokit.hook.after("request", (response, request) => {
    logger.debug(`${request.method} ${new URL(response.url).pathname} → ${response.status}`);
  });
  return octokit;
}
