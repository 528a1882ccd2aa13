import type { Clock, Logger, MutationEvent, RetryPolicy, RetryVerdict } from "@qlik-cicd/common";
import {
  defaultRetryPolicy,
  mutationEvents,
  parseRetryAfter,
  secrets,
  sha256Hex,
  silentLogger,
  systemClock,
  withRetries,
} from "@qlik-cicd/common";
import type { HostConfig } from "@qlik/api/auth";
import type { Doc } from "@qlik/api/qix";
import type { QlikConnectionOptions } from "./connection.ts";
import { validateConnection } from "./connection.ts";
import type { ErrorContext, HttpFailure, Principal } from "./errors.ts";
import { errorForNetwork, errorForStatus, QlikApiError, QlikUnauthorizedError } from "./errors.ts";
import { withAppSession } from "./qix-session.ts";
import type { CallTier, TierRates } from "./rate-limiter.ts";
import { defaultTierRates, rateLimiters } from "./rate-limiter.ts";
import { clientCredentialsTokenRequest, type OAuthTokenAnswer } from "./raw-endpoints.ts";
import { releaseResponseCache } from "./response-cache.ts";
import { classifyNetworkError, isRetryableStatus } from "./retry.ts";
import type { TokenKey } from "./token-cache.ts";
import { tokenCache } from "./token-cache.ts";
import type { AttemptRecord, TransportLease, TransportOptions } from "./transport.ts";
import { acquireTransport, defaultTransportOptions } from "./transport.ts";

export type { CallTier } from "./rate-limiter.ts";

export interface QlikClientOptions {
  logger?: Logger;
  /** Requests per minute per tier, shared by every client of the same tenant + principal in the process. */
  rateLimits?: Partial<TierRates>;
  /** The request layer's retries (see @qlik-cicd/common retry.ts for the policy). */
  retry?: Partial<RetryPolicy>;
  timeouts?: Partial<{ connectMs: number; headersMs: number; bodyMs: number }>;
  maxConnectionsPerOrigin?: number;
  /** Time source for waits and jitter (tests). */
  clock?: Clock;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface CallSpec {
  tier: CallTier;
  method: HttpMethod;
  /** Path for messages and audit, e.g. `/api/v1/spaces` or `/api/v1/apps/{id}`. */
  resource: string;
  /** Safe to send twice. Default: GET/PUT/DELETE true, POST/PATCH false. */
  idempotent?: boolean;
  /** Short verb for the audit trail, e.g. `publish app`. */
  operation?: string;
}

/** The options `call` hands to an @qlik/api function: this client's host config, never a cached answer. */
export interface CallOptions {
  hostConfig: HostConfig;
  noCache: true;
}

/** A raw request (raw-endpoints.ts; tests may use it for setup). */
export interface FetchSpec extends CallSpec {
  /** Absolute, or relative to the tenant (`/api/v1/...`). */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  responseType?: "json" | "bytes" | "text";
  /** Send the client's bearer token (default: to the tenant's own origin); false for an endpoint authorised otherwise. */
  credentials?: boolean;
  /** Statuses ≥ 400 the caller reads itself: returned instead of thrown, never retried. */
  answers?: (status: number) => boolean;
  /**
   * How long the whole call may take (a synchronous automation run). The transport's header and body
   * timeouts are raised to it; when it passes, the request is aborted and the call fails with a
   * QlikTimeoutError (code `CALL_TIMEOUT`), not retried.
   */
  timeoutMs?: number;
}

export interface FetchResult {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
}

/** An HTTP answer ≥ 400 from the client's own requests (shaped like @qlik/api's InvokeFetchError). */
class HttpStatusError extends Error {
  readonly status: number;
  readonly headers: Headers;
  readonly data: unknown;
  constructor(status: number, headers: Headers, data: unknown) {
    super(`HTTP ${status}`);
    this.status = status;
    this.headers = headers;
    this.data = data;
  }
}

/** The call's own deadline (`FetchSpec.timeoutMs`) passed: known from its signal, not from timings. */
class CallDeadlineError extends Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number, cause: unknown) {
    super(`no answer within ${timeoutMs} ms`, { cause });
    this.timeoutMs = timeoutMs;
  }
}

interface ExecuteOptions {
  limit: boolean;
  audit: boolean;
  /** Map 400/401/403 to "credentials rejected" (token endpoint). */
  authEndpoint?: boolean;
}

/** One failed attempt, classified: the error to throw and whether the request layer tries again. */
interface Failure {
  error: unknown;
  verdict: RetryVerdict;
  /** For the retry log line: a status or a few words. */
  reason?: string;
}

function statusOf(error: unknown): { status: number; headers?: Headers; data?: unknown } | undefined {
  if (!error || typeof error !== "object") return undefined;
  const status = (error as { status?: unknown }).status;
  // < 300: a body that failed to arrive after a good status line is a network failure, not an answer.
  if (typeof status !== "number" || status < 300) return undefined;
  const headers = (error as { headers?: unknown }).headers;
  return {
    status,
    headers: headers instanceof Headers ? headers : undefined,
    data: (error as { data?: unknown }).data,
  };
}

function qlikErrorDetail(data: unknown): { qlikCode?: string; qlikTitle?: string } {
  const first = (data as { errors?: { code?: unknown; title?: unknown }[] } | undefined)?.errors?.[0];
  return {
    qlikCode: typeof first?.code === "string" ? first.code : undefined,
    qlikTitle: typeof first?.title === "string" ? first.title.slice(0, 200) : undefined,
  };
}

function defaultIdempotent(method: HttpMethod): boolean {
  return method === "GET" || method === "PUT" || method === "DELETE";
}

function requestBody(value: unknown, headers: Record<string, string>): RequestInit["body"] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" || value instanceof Uint8Array || value instanceof ArrayBuffer) {
    return value as RequestInit["body"];
  }
  if (value instanceof Blob || value instanceof FormData || value instanceof URLSearchParams) return value;
  if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
    headers["Content-Type"] = "application/json";
  return JSON.stringify(value);
}

/** A response body as the spec asks: bytes, text, or JSON (text when it is not JSON). */
async function responseData(response: Response, type: FetchSpec["responseType"]): Promise<unknown> {
  if (type === "bytes") return new Uint8Array(await response.arrayBuffer());
  const text = await response.text();
  if (type === "text" && response.status < 400) return text;
  // Error bodies are parsed as JSON for Qlik's error code whatever the requested type.
  if (!text) return type === "text" ? text : undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The one way this project talks to Qlik Cloud. One instance per tenant + credentials; many may run
 * side by side (hundreds of tenants from one process): nothing global is configured in @qlik/api,
 * every call gets its own host config.
 *
 * It is the request layer of the project's retry policy (@qlik-cicd/common retry.ts): it repeats a call
 * after transport errors, 429 (after Retry-After, holding the tenant's whole tier) and 502/503 when
 * sending it again is harmless, and marks its errors `retries: "exhausted"` or `"unsafe"` so operations
 * know whether to re-read the tenant (re-convergence) or stop.
 */
export class QlikClient {
  readonly tenantUrl: string;
  readonly tenantName: string;
  private readonly connection: QlikConnectionOptions;
  private readonly principal: Principal;
  private readonly limiterKey: string;
  private readonly logger: Logger;
  private readonly rates: TierRates;
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly lease: TransportLease;
  private closed = false;

  constructor(connection: QlikConnectionOptions, options: QlikClientOptions = {}) {
    const tenant = validateConnection(connection);
    this.connection = { ...connection };
    this.tenantUrl = tenant.origin;
    this.tenantName = tenant.name;
    this.logger = options.logger ?? silentLogger;
    this.rates = { ...defaultTierRates, ...options.rateLimits };
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.clock = options.clock ?? systemClock;
    if (connection.apiKey) {
      this.principal = { kind: "apiKey" };
      this.limiterKey = `${tenant.origin}|key:${sha256Hex(connection.apiKey).slice(0, 16)}`;
    } else {
      this.principal = { kind: "oauth", clientId: connection.clientId! };
      this.limiterKey = `${tenant.origin}|client:${connection.clientId}`;
    }
    const transport: TransportOptions = {
      ...defaultTransportOptions,
      ...(options.timeouts?.connectMs !== undefined && { connectMs: options.timeouts.connectMs }),
      ...(options.timeouts?.headersMs !== undefined && { headersMs: options.timeouts.headersMs }),
      ...(options.timeouts?.bodyMs !== undefined && { bodyMs: options.timeouts.bodyMs }),
      ...(options.maxConnectionsPerOrigin !== undefined && {
        maxConnectionsPerOrigin: options.maxConnectionsPerOrigin,
      }),
    };
    this.lease = acquireTransport(tenant.origin, transport);
  }

  /**
   * A host config for @qlik/api carrying this client's credentials. For OAuth clients the bearer token
   * from the client's own token cache is passed as an `apikey` host config (see token-cache.ts for why).
   */
  async hostConfig(): Promise<HostConfig> {
    return {
      authType: "apikey",
      host: this.tenantUrl,
      apiKey: await this.bearer(),
      // Without a listener @qlik/api prints the tenant's auth error body with console.error, bypassing
      // the injected logger (and the body may echo what was sent). The client maps the error itself.
      onAuthFailed: () => undefined,
    };
  }

  /** Runs one @qlik/api call with rate limiting, retries, error mapping and audit events. */
  call<T>(spec: CallSpec, fn: (opts: CallOptions) => Promise<T>): Promise<T> {
    return this.execute(
      spec,
      async (record) => {
        const hostConfig = await this.hostConfig();
        try {
          return await this.lease.run(record, () => fn({ hostConfig, noCache: true }));
        } finally {
          releaseResponseCache(spec.resource);
        }
      },
      { limit: true, audit: true },
    );
  }

  /**
   * A raw HTTP request, with the same limiter, retries, errors and audit as `call`. Product code sends
   * raw requests only through raw-endpoints.ts, for endpoints @qlik/api lacks.
   */
  fetch(spec: FetchSpec): Promise<FetchResult> {
    const url = new URL(spec.url, `${this.tenantUrl}/`);
    const own = url.origin === this.tenantUrl;
    const deadline = spec.timeoutMs ? AbortSignal.timeout(spec.timeoutMs) : undefined;
    return this.execute(
      spec,
      async (record) => {
        const bearer = own && spec.credentials !== false ? await this.bearer() : undefined;
        return this.send(spec, url, { bearer, record: own ? record : undefined, deadline });
      },
      { limit: true, audit: true },
    );
  }

  /** Opens a QIX session on the app, passes the Doc to `fn`, and always closes the session. */
  async withApp<T>(
    appId: string,
    fn: (doc: Doc) => Promise<T>,
    options: { withoutData?: boolean; identity?: string } = {},
  ): Promise<T> {
    const resource = `/app/${appId}`;
    // Opening a session changes nothing, so an upgrade answered 429/5xx (or a connection that failed
    // before the socket opened) is tried again like a REST read; failures inside `fn` are not: a session
    // that drops mid-way is the operation's to re-converge.
    let opening: { thrown: unknown; text: string; transient: boolean } | undefined;
    return withRetries(
      async (attempt) => {
        opening = undefined;
        const hostConfig = await this.hostConfig();
        return withAppSession(hostConfig, appId, fn, options, (error) => {
          const text = error instanceof Error ? error.message : String(error);
          const transient =
            /Unexpected server response: (429|5\d\d)\b/.test(text) ||
            classifyNetworkError(error) !== undefined;
          opening = { thrown: this.qixOpenError(error, resource, attempt), text, transient };
          return opening.thrown;
        });
      },
      {
        policy: this.retry,
        clock: this.clock,
        retryable: (error) => opening !== undefined && error === opening.thrown && opening.transient,
        onRetry: (_error, next) =>
          this.log(
            "warn",
            `OPEN ${resource} on ${this.tenantName} failed (${opening?.text}), retrying in ${next.delayMs} ms.`,
          ),
        onExhausted: exhausted,
      },
    );
  }

  /**
   * Wraps a QIX call that changes the app (SetScript, DoSave, ...) so it is audited like REST mutations.
   * `qixMethod` is the engine method name, e.g. `SetScript`.
   */
  async qixMutation<T>(
    appId: string,
    qixMethod: string,
    fn: () => Promise<T>,
    operation?: string,
  ): Promise<T> {
    const resource = `qix:${qixMethod} /app/${appId}`;
    try {
      const result = await fn();
      this.emit({ method: "QIX", resource, operation, result: "ok" });
      return result;
    } catch (error) {
      this.emit({ method: "QIX", resource, operation, result: "error" });
      throw error;
    }
  }

  /** Releases this client's share of the connection pool. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lease.release();
  }

  // ---------------------------------------------------------------------------------------------

  private tokenKey(): TokenKey {
    return {
      origin: this.tenantUrl,
      clientId: this.connection.clientId!,
      clientSecret: this.connection.clientSecret!,
      scope: this.connection.scope,
    };
  }

  private async bearer(): Promise<string> {
    if (this.connection.apiKey) return this.connection.apiKey;
    return tokenCache.get(this.tokenKey(), () => this.issueToken(), this.clock);
  }

  private async issueToken(): Promise<{ accessToken: string; expiresInSeconds?: number }> {
    const spec = clientCredentialsTokenRequest(this.tenantUrl, {
      clientId: this.connection.clientId!,
      clientSecret: this.connection.clientSecret!,
      scope: this.connection.scope,
    });
    const url = new URL(spec.url);
    const result = await this.execute(
      spec,
      (record) => this.send(spec, url, { bearer: undefined, record, deadline: undefined }),
      { limit: false, audit: false, authEndpoint: true },
    );
    const answer = (result.data ?? {}) as OAuthTokenAnswer;
    const token = answer.access_token;
    if (typeof token !== "string" || !token) {
      throw new QlikUnauthorizedError(
        `Tenant ${this.tenantName} issued no access token to the OAuth client '${this.connection.clientId}' (POST /oauth/token).`,
        {
          kind: "unauthorized",
          tenant: this.tenantName,
          method: "POST",
          resource: "/oauth/token",
          status: result.status,
          hint: "Check that the OAuth client is a machine-to-machine client allowed the client-credentials grant.",
        },
      );
    }
    const expires = Number(answer.expires_in);
    return {
      accessToken: token,
      expiresInSeconds: Number.isFinite(expires) && expires > 0 ? expires : undefined,
    };
  }

  /**
   * One HTTP exchange through fetch, with this tenant's pool passed per request (when `record` is given)
   * so what undici raises lands in the attempt's record. Throws HttpStatusError ≥ 400 unless the spec
   * `answers` that status, and CallDeadlineError when the call's own deadline aborted it.
   */
  private async send(
    spec: FetchSpec,
    url: URL,
    how: { bearer: string | undefined; record: AttemptRecord | undefined; deadline: AbortSignal | undefined },
  ): Promise<FetchResult> {
    const headers: Record<string, string> = { ...spec.headers };
    if (how.bearer) headers.Authorization = `Bearer ${how.bearer}`;
    const body = requestBody(spec.body, headers);
    const init: RequestInit = {
      method: spec.method,
      headers,
      body,
      ...(how.deadline && { signal: how.deadline }),
    };
    const exchange = async () => {
      // Requests to the tenant go through its pool (and record what undici raised); others are plain fetch.
      const response = how.record
        ? await this.lease.fetch(how.record, url, init, { timeoutMs: spec.timeoutMs })
        : await globalThis.fetch(url, init);
      return { response, data: await responseData(response, spec.responseType) };
    };
    let answer: { response: Response; data: unknown };
    try {
      answer = await exchange();
    } catch (error) {
      if (how.deadline?.aborted) throw new CallDeadlineError(spec.timeoutMs ?? 0, error);
      throw error;
    }
    const { response, data } = answer;
    if (response.status >= 400 && !spec.answers?.(response.status)) {
      throw new HttpStatusError(response.status, response.headers, data);
    }
    return { status: response.status, headers: response.headers, data };
  }

  private emit(event: Omit<MutationEvent, "time" | "tenant">): void {
    mutationEvents.emit({ time: new Date().toISOString(), tenant: this.tenantName, ...event });
  }

  private log(level: keyof Logger, message: string): void {
    // Every call logs a line; redacting it for a logger that writes nothing would cost each call a
    // match against every registered secret (a thousand, reading an estate).
    if (this.logger === silentLogger) return;
    this.logger[level](secrets.redact(message));
  }

  /**
   * Runs `attempt` under the rate limiter, with the request layer's retries (`withRetries`), error
   * mapping and one audit event for a change. A 401 to an OAuth token is answered by fetching a new
   * token, once, without counting as an attempt.
   */
  private async execute<T>(
    spec: CallSpec,
    attempt: (record: AttemptRecord) => Promise<T>,
    how: ExecuteOptions,
  ): Promise<T> {
    const { method, resource } = spec;
    const idempotent = spec.idempotent ?? defaultIdempotent(method);
    const audited = how.audit && method !== "GET";
    const bucket = how.limit
      ? rateLimiters.bucket(this.limiterKey, spec.tier, this.rates[spec.tier], this.clock)
      : undefined;
    const failures = new WeakMap<object, Failure>();
    const failureOf = (error: unknown) =>
      error !== null && typeof error === "object" ? failures.get(error) : undefined;
    let reauthenticated = false;
    const once = async (attempts: number): Promise<T> => {
      for (;;) {
        if (this.closed) throw new Error(`The client for tenant ${this.tenantName} is closed.`);
        if (bucket) await bucket.acquire();
        const sentAt = this.clock.now();
        const record: AttemptRecord = { errors: [] };
        try {
          const result = await attempt(record);
          const status = (result as { status?: unknown } | undefined)?.status;
          this.log(
            "debug",
            `${method} ${resource} on ${this.tenantName}: ${typeof status === "number" ? status : "ok"} (${this.clock.now() - sentAt} ms, attempt ${attempts})`,
          );
          return result;
        } catch (error) {
          // (A QlikApiError here is already final, e.g. the token request under this call was refused.)
          const status = error instanceof QlikApiError ? undefined : statusOf(error)?.status;
          if (status === 401 && this.principal.kind === "oauth" && !how.authEndpoint && !reauthenticated) {
            // The token may have been revoked or expired early: get a fresh one, once.
            reauthenticated = true;
            tokenCache.invalidate(this.tokenKey());
            this.log(
              "info",
              `${method} ${resource} on ${this.tenantName}: 401, fetching a new access token.`,
            );
            continue;
          }
          const failure = this.classify(error, record, { spec, idempotent, attempts, how });
          if (failure.error && typeof failure.error === "object") failures.set(failure.error, failure);
          throw failure.error;
        }
      }
    };
    try {
      const result = await withRetries(once, {
        policy: this.retry,
        clock: this.clock,
        retryable: (error) => failureOf(error)?.verdict ?? false,
        onRetry: (error, next) =>
          this.log(
            "warn",
            `${method} ${resource} on ${this.tenantName}: ${failureOf(error)?.reason}, retrying in ${next.delayMs} ms (attempt ${next.attempt} of ${this.retry.maxAttempts}).`,
          ),
        wait: (delayMs, error) => {
          if (bucket && (error as QlikApiError).status === 429) {
            // Qlik blocks the whole tier until Retry-After: hold every caller of this tenant + tier.
            bucket.pauseUntil(this.clock.now() + delayMs);
            return Promise.resolve();
          }
          return this.clock.sleep(delayMs);
        },
        onExhausted: exhausted,
      });
      if (audited) {
        const status = (result as { status?: unknown } | undefined)?.status;
        const code = typeof status === "number" ? status : undefined;
        this.emit({
          method,
          resource,
          operation: spec.operation,
          result: code !== undefined && code >= 400 ? "error" : "ok",
          status: code,
        });
      }
      return result;
    } catch (error) {
      if (error instanceof QlikApiError && error.status !== undefined) this.log("debug", error.message);
      if (audited) {
        const status = error instanceof QlikApiError ? error.status : undefined;
        this.emit({ method, resource, operation: spec.operation, result: "error", status });
      }
      throw error;
    }
  }

  /** Turns one failed attempt into the typed error and the request layer's verdict on it. */
  private classify(
    error: unknown,
    record: AttemptRecord,
    ctx: { spec: CallSpec; idempotent: boolean; attempts: number; how: ExecuteOptions },
  ): Failure {
    // Already typed (e.g. the token request under this call failed): final.
    if (error instanceof QlikApiError) return { error, verdict: false };
    const { method, resource } = ctx.spec;
    const context: ErrorContext = {
      tenant: this.tenantName,
      method,
      resource,
      principal: this.principal,
      attempts: ctx.attempts,
      cause: undefined,
    };
    if (error instanceof CallDeadlineError) {
      const mapped = errorForNetwork(
        { code: "CALL_TIMEOUT", kind: "timeout", words: `no answer within ${error.timeoutMs} ms` },
        context,
      );
      if (!ctx.idempotent) mapped.retries = "unsafe";
      return { error: mapped, verdict: false };
    }
    const http = statusOf(error);
    if (http) {
      const { status } = http;
      const failure: HttpFailure = { status, ...qlikErrorDetail(http.data) };
      if (ctx.how.authEndpoint && (status === 400 || status === 401 || status === 403)) failure.status = 401;
      const mapped = errorForStatus(failure, context);
      if (ctx.how.authEndpoint) (mapped as { status: number | undefined }).status = status;
      let verdict: RetryVerdict = false;
      if (isRetryableStatus(status, ctx.idempotent)) {
        const retryAfter =
          status === 429 ? parseRetryAfter(http.headers?.get("retry-after"), this.clock.now()) : undefined;
        verdict = retryAfter === undefined ? true : { afterMs: retryAfter };
      } else if (status === 504) {
        // The gateway gave up, the tenant may not have: a change is not repeated blindly.
        mapped.retries = "unsafe";
      }
      return { error: mapped, verdict, reason: String(status) };
    }
    const captured = record.errors.at(-1);
    const network =
      (captured === undefined ? undefined : classifyNetworkError(captured)) ?? classifyNetworkError(error);
    if (network) {
      const mapped = errorForNetwork(network, context);
      const safe = !network.maybeSent || ctx.idempotent;
      if (!safe) {
        mapped.retries = "unsafe";
        this.log(
          "warn",
          `${method} ${resource} on ${this.tenantName}: ${network.words} after the request may have reached the tenant; not repeating a call that is not idempotent.`,
        );
      }
      return { error: mapped, verdict: network.transient && safe, reason: network.words };
    }
    return { error, verdict: false };
  }

  private qixOpenError(error: unknown, resource: string, attempts: number): unknown {
    const context: ErrorContext = {
      tenant: this.tenantName,
      method: "OPEN",
      resource,
      principal: this.principal,
      attempts,
      cause: undefined,
    };
    const network = classifyNetworkError(error);
    if (network) return errorForNetwork(network, context);
    const text = error instanceof Error ? error.message : String(error);
    const refused = /Unexpected server response: (429|5\d\d)\b/.exec(text)?.[1];
    if (refused) return errorForStatus({ status: Number(refused) }, context);
    const status = /\b(401|403|404)\b/.exec(text)?.[1];
    if (status) return errorForStatus({ status: Number(status) }, context);
    const code = (error as { code?: unknown })?.code;
    if (code === 1003 || /not found/i.test(text)) return errorForStatus({ status: 404 }, context);
    return error;
  }
}

/** The request layer gave up on a failure it was repeating: say so on the error (see RequestRetries). */
function exhausted(error: unknown): unknown {
  if (error instanceof QlikApiError) error.retries = "exhausted";
  return error;
}
