import { CicdError } from "@qlik-cicd/common";

/** A GitHub REST call that failed; `message` is one sentence naming the resource and what to do. */
export class GitHubApiError extends CicdError {
  /** HTTP status, or 0 when GitHub could not be reached. */
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
  constructor(
    message: string,
    options: { status: number; method: string; path: string; resetAt: number; cause?: unknown },
  ) {
    super(message, options);
    this.resetAt = options.resetAt;
  }
}

/** What a failed call was about, for the sentence: the resource (404) and the permission it needs (403). */
export interface CallContext {
  /** Names the resource in a 404 message, e.g. "Issue #12 in acme/app". */
  resource?: string;
  /** Names the permission in a 403 message, e.g. "issues: write". */
  permission?: string;
}

/** The shape of Octokit's RequestError (checked by shape, so the library needs no Octokit at run time). */
interface RequestErrorLike {
  status: number;
  message: string;
  request?: { method?: string; url?: string };
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function isRequestError(error: unknown): error is RequestErrorLike {
  return (
    error instanceof Error &&
    typeof (error as { status?: unknown }).status === "number" &&
    typeof (error as { request?: unknown }).request === "object"
  );
}

function githubMessage(data: unknown): string | undefined {
  if (data && typeof data === "object" && typeof (data as { message?: unknown }).message === "string") {
    return (data as { message: string }).message.replace(/[.\s]+$/, "");
  }
  return undefined;
}

function validationText(data: unknown): string | undefined {
  const base = githubMessage(data);
  const errors = (data as { errors?: unknown[] } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return base;
  const parts = errors.map((e) =>
    typeof e === "string"
      ? e
      : ((e as { message?: string }).message ??
        `${(e as { field?: string }).field ?? "?"} ${(e as { code?: string }).code ?? ""}`.trim()),
  );
  return `${base ?? "validation failed"} (${parts.join("; ")})`;
}

/** When GitHub's 403/429 is a rate limit, the epoch milliseconds it resets at; else undefined. */
function rateLimitReset(status: number, headers: Record<string, string>, data: unknown, now: number) {
  if (status !== 403 && status !== 429) return undefined;
  const retryAfter = headers["retry-after"];
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return now + Math.max(0, seconds) * 1000;
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return date;
  }
  if (headers["x-ratelimit-remaining"] === "0") {
    const reset = Number(headers["x-ratelimit-reset"]);
    return Number.isFinite(reset) && reset > 0 ? reset * 1000 : now + 60_000;
  }
  // A secondary rate limit without headers: GitHub asks to wait at least a minute.
  if (status === 429 || /rate limit/i.test(githubMessage(data) ?? "")) return now + 60_000;
  return undefined;
}

/**
 * Turns a failed Octokit call into a GitHubApiError whose message is one sentence: the token (401), the
 * permission (403), the resource (404), GitHub's validation errors (422), a rate limit that outlasted
 * the retries, or GitHub being unreachable. Anything that is not a request error is returned as is.
 */
export function toGitHubError(error: unknown, context: CallContext = {}, now = Date.now()): unknown {
  if (error instanceof GitHubApiError || !isRequestError(error)) return error;
  const method = (error.request?.method ?? "GET").toUpperCase();
  const url = error.request?.url ?? "";
  let pathname = url;
  let origin = url;
  try {
    ({ pathname, origin } = new URL(url));
  } catch {
    // A relative URL: show it as it is.
  }
  const display = `${method} ${pathname}`;
  if (!error.response) {
    // No answer at all: Octokit reports a failed fetch as a 500 without a response.
    return new GitHubApiError(`Could not reach GitHub at ${origin} for ${display}: ${error.message}.`, {
      status: 0,
      method,
      path: display,
      cause: error,
    });
  }
  const status = error.status;
  const headers = Object.fromEntries(
    Object.entries(error.response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  const data = error.response.data;
  const ghMessage = githubMessage(data);
  const details = { status, method, path: display, githubMessage: ghMessage, cause: error };
  const resetAt = rateLimitReset(status, headers, data, now);
  if (resetAt !== undefined) {
    return new GitHubRateLimitError(
      `GitHub's rate limit stopped ${display}: it resets at ${new Date(resetAt).toISOString()}, later than this step may wait.`,
      { status, method, path: display, resetAt, cause: error },
    );
  }
  switch (status) {
    case 401:
      return new GitHubApiError(
        `GitHub rejected the token (401 ${ghMessage ?? "Bad credentials"}) on ${display}.`,
        { ...details, hint: "Pass a valid, unexpired token." },
      );
    case 403: {
      const needed = context.permission ?? headers["x-accepted-github-permissions"];
      const need = needed ? `it needs the '${needed}' permission` : "it lacks a permission this call needs";
      return new GitHubApiError(
        `The GitHub token may not ${display} (403 ${ghMessage ?? "Forbidden"}): ${need}.`,
        details,
      );
    }
    case 404:
      return new GitHubApiError(
        `${context.resource ?? display} was not found on GitHub (404), or the token cannot see it.`,
        details,
      );
    case 422:
      return new GitHubApiError(
        `GitHub refused ${display} (422): ${validationText(data) ?? "validation failed"}.`,
        details,
      );
    default:
      return new GitHubApiError(
        `GitHub answered ${status} to ${display}${ghMessage ? `: ${ghMessage}` : ""}.`,
        details,
      );
  }
}

/** Runs one GitHub call and rethrows its failure as a GitHubApiError naming `context`. */
export async function callGitHub<T>(context: CallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toGitHubError(error, context);
  }
}

/** The HTTP status of a failed call (GitHubApiError or Octokit's RequestError), else undefined. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === "number" ? status : undefined;
}
