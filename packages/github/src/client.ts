import { ConfigError, secrets, silentLogger, sleep as realSleep } from "@qlik-cicd/common";
import type { Logger } from "@qlik-cicd/common";
import { GitHubApiError, GitHubRateLimitError } from "./errors.ts";
import { nextPageUrl } from "./link.ts";
import {
  upsertComment,
  upsertPullRequest,
  type UpsertCommentParams,
  type UpsertCommentResult,
  type UpsertPullRequestParams,
  type UpsertPullRequestResult,
} from "./operations.ts";

export interface GitHubClientOptions {
  token: string;
  /** REST base URL; `GITHUB_API_URL` on a runner (GitHub Enterprise Server: `https://host/api/v3`). */
  apiUrl?: string;
  logger?: Logger;
  /** Longest single wait for a rate limit before giving up with a GitHubRateLimitError (default 5 minutes). */
  maxRateLimitWaitMs?: number;
  /** Retries after a rate limit, or a 5xx / network error on a GET (default 3). */
  maxRetries?: number;
  /** Injectable for tests: waits and the clock used for `x-ratelimit-reset`. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Most ETag-cached GET responses kept in memory (default 500). */
  cacheSize?: number;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Names the resource in a 404 message, e.g. "Issue #12 in acme/app". */
  resource?: string;
  /** Names the permission in a 403 message, e.g. "issues: write". */
  permission?: string;
  /** Statuses returned to the caller instead of thrown (e.g. 404 for "not a member"). */
  allowStatuses?: number[];
  /** GETs use ETag conditional requests unless this is false. */
  cache?: boolean;
}

export interface GitHubResponse<T> {
  status: number;
  data: T;
  headers: Headers;
  /** True when GitHub answered 304 Not Modified and `data` is the cached body. */
  fromCache: boolean;
}

export interface RateLimitState {
  limit?: number;
  remaining?: number;
  /** Epoch seconds. */
  reset?: number;
}

export interface ClientStats {
  requests: number;
  notModified: number;
  retries: number;
  rateLimitWaits: number;
}

interface CacheEntry {
  etag: string;
  data: unknown;
  link: string | null;
}

const DEFAULT_API_URL = "https://api.github.com";

/** A small GitHub REST client on global fetch: JSON, one-sentence errors, rate limits, ETags, pagination. */
export class GitHubClient {
  readonly apiUrl: string;
  readonly logger: Logger;
  readonly stats: ClientStats = { requests: 0, notModified: 0, retries: 0, rateLimitWaits: 0 };
  rateLimit: RateLimitState = {};
  private readonly token: string;
  private readonly maxRateLimitWaitMs: number;
  private readonly maxRetries: number;
  private readonly sleepFn: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly cacheSize: number;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(options: GitHubClientOptions) {
    if (!options.token || !options.token.trim()) {
      throw new ConfigError("A GitHub token is required: pass one in 'github-token'.", {
        field: "github-token",
      });
    }
    this.token = options.token.trim();
    secrets.register(this.token);
    this.apiUrl = (options.apiUrl?.trim() || DEFAULT_API_URL).replace(/\/+$/, "");
    try {
      new URL(this.apiUrl);
    } catch {
      throw new ConfigError(`The GitHub API URL '${this.apiUrl}' is not a valid URL.`, {
        field: "GITHUB_API_URL",
      });
    }
    this.logger = options.logger ?? silentLogger;
    this.maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? 5 * 60_000;
    this.maxRetries = options.maxRetries ?? 3;
    this.sleepFn = options.sleep ?? ((ms) => realSleep(ms));
    this.now = options.now ?? (() => Date.now());
    this.cacheSize = options.cacheSize ?? 500;
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<GitHubResponse<T>> {
    return this.request<T>("GET", path, options);
  }
  post<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<GitHubResponse<T>> {
    return this.request<T>("POST", path, { ...options, body });
  }
  patch<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<GitHubResponse<T>> {
    return this.request<T>("PATCH", path, { ...options, body });
  }
  put<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<GitHubResponse<T>> {
    return this.request<T>("PUT", path, { ...options, body });
  }
  delete<T>(path: string, options: RequestOptions = {}): Promise<GitHubResponse<T>> {
    return this.request<T>("DELETE", path, options);
  }

  /** Every item of a list endpoint, following `Link: rel="next"` (at most `maxPages` pages). */
  async paginate<T>(path: string, options: RequestOptions & { maxPages?: number } = {}): Promise<T[]> {
    const { maxPages = 50, ...rest } = options;
    const items: T[] = [];
    let url: string | null = path;
    let query: RequestOptions["query"] = { per_page: 100, ...rest.query };
    for (let page = 0; url && page < maxPages; page++) {
      const res: GitHubResponse<T[] | { items?: T[] }> = await this.request<T[]>("GET", url, {
        ...rest,
        query,
      });
      const data = res.data as T[] | { items?: T[] };
      items.push(...(Array.isArray(data) ? data : (data.items ?? [])));
      url = nextPageUrl(res.headers.get("link"));
      query = {}; // the next link carries its own query string
    }
    return items;
  }

  upsertComment(params: UpsertCommentParams): Promise<UpsertCommentResult> {
    return upsertComment(this, params);
  }

  upsertPullRequest(params: UpsertPullRequestParams): Promise<UpsertPullRequestResult> {
    return upsertPullRequest(this, params);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<GitHubResponse<T>> {
    const url = this.buildUrl(path, options.query);
    const display = `${method} ${new URL(url).pathname}`;
    const useCache = method === "GET" && options.cache !== false;
    const cached = useCache ? this.cache.get(url) : undefined;
    const headers: Record<string, string> = {
      accept: "application/vnd.github+json",
      authorization: `Bearer ${this.token}`,
      "x-github-api-version": "2022-11-28",
      "user-agent": "qlik-cicd",
    };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (cached) headers["if-none-match"] = cached.etag;
    const idempotent = method === "GET" || method === "HEAD" || method === "PUT" || method === "DELETE";

    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        this.stats.requests++;
        res = await fetch(url, {
          method,
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
        });
      } catch (error) {
        if (idempotent && attempt < this.maxRetries) {
          await this.backoff(attempt, `${display} failed (${(error as Error).message})`);
          continue;
        }
        throw new GitHubApiError(
          `Could not reach GitHub at ${this.apiUrl} for ${display}: ${(error as Error).message}.`,
          {
            status: 0,
            method,
            path: display,
            cause: error,
          },
        );
      }
      this.updateRateLimit(res.headers);

      if (res.status === 304 && cached) {
        await res.body?.cancel();
        this.stats.notModified++;
        this.logger.debug(`${display} → 304 (cached)`);
        const merged = new Headers(res.headers);
        if (cached.link && !merged.has("link")) merged.set("link", cached.link);
        return { status: 200, data: structuredClone(cached.data) as T, headers: merged, fromCache: true };
      }

      const text = await res.text();
      const data = parseBody(text);
      this.logger.debug(`${display} → ${res.status}`);

      if (res.status === 403 || res.status === 429) {
        const wait = this.rateLimitWait(res, data, attempt);
        if (wait !== undefined) {
          const resetAt = this.now() + wait;
          if (wait > this.maxRateLimitWaitMs || attempt >= this.maxRetries) {
            throw new GitHubRateLimitError(
              `GitHub's rate limit stopped ${display}: it resets at ${new Date(resetAt).toISOString()}, later than this step may wait.`,
              { status: res.status, method, path: display, resetAt },
            );
          }
          this.stats.rateLimitWaits++;
          this.stats.retries++;
          this.logger.warn(`GitHub rate limit reached on ${display}; waiting ${Math.ceil(wait / 1000)}s.`);
          await this.sleepFn(wait);
          continue;
        }
      }
      if (res.status >= 500 && idempotent && attempt < this.maxRetries) {
        await this.backoff(attempt, `${display} → ${res.status}`);
        continue;
      }
      if (res.status >= 400 && !options.allowStatuses?.includes(res.status)) {
        throw this.toError(res, data, method, display, options);
      }
      if (useCache && res.status === 200) {
        const etag = res.headers.get("etag");
        if (etag) this.remember(url, { etag, data, link: res.headers.get("link") });
      }
      return { status: res.status, data: data as T, headers: res.headers, fromCache: false };
    }
  }

  private buildUrl(path: string, query: RequestOptions["query"]): string {
    const url = /^https?:\/\//.test(path)
      ? new URL(path)
      : new URL(this.apiUrl + (path.startsWith("/") ? path : `/${path}`));
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    return url.toString();
  }

  private remember(url: string, entry: CacheEntry): void {
    this.cache.delete(url);
    this.cache.set(url, entry);
    while (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }

  private async backoff(attempt: number, what: string): Promise<void> {
    const ms = Math.min(1000 * 2 ** attempt, 10_000);
    this.stats.retries++;
    this.logger.warn(`${what}; retrying in ${Math.ceil(ms / 1000)}s.`);
    await this.sleepFn(ms);
  }

  private updateRateLimit(headers: Headers): void {
    const num = (name: string) => {
      const v = headers.get(name);
      return v === null || v === "" || !Number.isFinite(Number(v)) ? undefined : Number(v);
    };
    const remaining = num("x-ratelimit-remaining");
    if (remaining === undefined) return;
    this.rateLimit = { limit: num("x-ratelimit-limit"), remaining, reset: num("x-ratelimit-reset") };
  }

  /** Milliseconds to wait when this 403/429 is a rate limit, else undefined (a real permission error). */
  private rateLimitWait(res: Response, data: unknown, attempt: number): number | undefined {
    const retryAfter = res.headers.get("retry-after");
    if (retryAfter !== null) {
      const seconds = Number(retryAfter);
      if (Number.isFinite(seconds)) return Math.max(0, seconds) * 1000;
      const date = Date.parse(retryAfter);
      if (Number.isFinite(date)) return Math.max(0, date - this.now());
    }
    if (res.headers.get("x-ratelimit-remaining") === "0") {
      const reset = Number(res.headers.get("x-ratelimit-reset"));
      if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - this.now()) + 1000;
      return 60_000;
    }
    const message = githubMessage(data) ?? "";
    if (res.status === 429 || /rate limit/i.test(message)) {
      // Secondary rate limit without headers: GitHub asks to wait at least a minute, longer each time.
      return 60_000 * 2 ** attempt;
    }
    return undefined;
  }

  private toError(
    res: Response,
    data: unknown,
    method: string,
    display: string,
    options: RequestOptions,
  ): GitHubApiError {
    const ghMessage = githubMessage(data);
    const details = { status: res.status, method, path: display, githubMessage: ghMessage };
    const resource = options.resource ?? display;
    switch (res.status) {
      case 401:
        return new GitHubApiError(
          `GitHub rejected the token (401 ${ghMessage ?? "Bad credentials"}) on ${display}.`,
          {
            ...details,
            hint: "Pass a valid, unexpired token.",
          },
        );
      case 403: {
        const needed = options.permission ?? res.headers.get("x-accepted-github-permissions") ?? undefined;
        const need = needed ? `it needs the '${needed}' permission` : "it lacks a permission this call needs";
        return new GitHubApiError(
          `The GitHub token may not ${display} (403 ${ghMessage ?? "Forbidden"}): ${need}.`,
          details,
        );
      }
      case 404:
        return new GitHubApiError(
          `${resource} was not found on GitHub (404), or the token cannot see it.`,
          details,
        );
      case 422:
        return new GitHubApiError(
          `GitHub refused ${display} (422): ${validationText(data) ?? "validation failed"}.`,
          details,
        );
      default:
        return new GitHubApiError(
          `GitHub answered ${res.status} to ${display}${ghMessage ? `: ${ghMessage}` : ""}.`,
          details,
        );
    }
  }
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
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
