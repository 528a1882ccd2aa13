import type { Logger, MutationEvent } from "@qlik-cicd/common";
import { mutationEvents, secrets, sha256Hex, silentLogger } from "@qlik-cicd/common";
import type { HostConfig } from "@qlik/api/auth";
import type { Doc } from "@qlik/api/qix";
import type { QlikConnectionOptions } from "./connection.ts";
import { validateConnection } from "./connection.ts";
import type { HttpFailure, Principal } from "./errors.ts";
import { errorForNetwork, errorForStatus, QlikApiError, QlikUnauthorizedError } from "./errors.ts";
import { withAppSession } from "./qix-session.ts";
import { releaseResponseCache } from "./response-cache.ts";
import type { CallTier, TierRates } from "./rate-limiter.ts";
import { defaultTierRates, rateLimiters } from "./rate-limiter.ts";
import type { Clock, RetryPolicy } from "./retry.ts";
import {
  backoffDelay,
  classifyNetworkError,
  defaultRetryPolicy,
  isRetryableStatus,
  parseRetryAfter,
  systemClock,
} from "./retry.ts";
import type { TokenKey } from "./token-cache.ts";
import { tokenCache } from "./token-cache.ts";
import type { TransportLease, TransportOptions } from "./transport.ts";
import { acquireTransport, defaultTransportOptions, ensureFetchRouting, runAttempt } from "./transport.ts";

export type { CallTier } from "./rate-limiter.ts";

export interface QlikClientOptions {
  logger?: Logger;
  /** Requests per minute per tier, shared by every client of the same tenant + principal in the process. */
  rateLimits?: Partial<TierRates>;
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

export interface FetchSpec extends CallSpec {
  /** Absolute, or relative to the tenant (`/api/v1/...`). */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  responseType?: "json" | "bytes" | "text";
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

interface ExecuteOptions {
  limit: boolean;
  audit: boolean;
  /** Map 400/401/403 to "credentials rejected" (token endpoint). */
  authEndpoint?: boolean;
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

/**
 * The one way this project talks to Qlik Cloud. One instance per tenant + credentials; many may run
 * side by side (hundreds of tenants from one process): nothing global is configured in @qlik/api,
 * every call gets its own host config.
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
  private readonly transport: TransportOptions;
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
    this.transport = transport;
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
  call<T>(spec: CallSpec, fn: (opts: { hostConfig: HostConfig; noCache: true }) => Promise<T>): Promise<T> {
    return this.execute(
      spec,
      async () => {
        // Before the call, not after: @qlik/api clears asynchronously, and its clearing finishes
        // before the call it precedes can (the same module look-ups, then a network exchange).
        releaseResponseCache(spec.resource);
        return fn({ hostConfig: await this.hostConfig(), noCache: true });
      },
      { limit: true, audit: true },
    );
  }

  /** Raw HTTP for what @qlik/api lacks, with the same limiter, retries and errors. */
  fetch(spec: FetchSpec): Promise<FetchResult> {
    const url = new URL(spec.url, `${this.tenantUrl}/`);
    const sameTenant = url.origin === this.tenantUrl;
    return this.execute(
      spec,
      async () => this.send(spec, url, sameTenant ? await this.bearer() : undefined),
      {
        limit: true,
        audit: true,
      },
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
    // before the socket opened) is tried again like a REST read; failures inside `fn` are not.
    for (let attempt = 1; ; attempt++) {
      const hostConfig = await this.hostConfig();
      let openFailure: unknown;
      try {
        return await withAppSession(hostConfig, appId, fn, options, (error) => {
          openFailure = error;
          return this.qixOpenError(error, resource);
        });
      } catch (error) {
        const text = openFailure instanceof Error ? openFailure.message : String(openFailure ?? "");
        const transient =
          openFailure !== undefined &&
          (/Unexpected server response: (429|5\d\d)\b/.test(text) ||
            classifyNetworkError(openFailure) !== undefined);
        if (!transient || attempt >= this.retry.maxAttempts) throw error;
        const wait = backoffDelay(attempt, this.retry, () => this.clock.random());
        this.logger.warn(`OPEN ${resource} on ${this.tenantName} failed (${text}), retrying in ${wait} ms.`);
        await this.clock.sleep(wait);
      }
    }
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
    const spec: FetchSpec = {
      tier: "write",
      method: "POST",
      resource: "/oauth/token",
      idempotent: true, // issuing a token changes nothing on the tenant
      url: `${this.tenantUrl}/oauth/token`,
      body: {
        client_id: this.connection.clientId,
        client_secret: this.connection.clientSecret,
        grant_type: "client_credentials",
        ...(this.connection.scope && { scope: this.connection.scope }),
      },
    };
    const result = await this.execute(spec, () => this.send(spec, new URL(spec.url), undefined), {
      limit: false,
      audit: false,
      authEndpoint: true,
    });
    const token = result.data?.access_token;
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
    const expires = Number(result.data?.expires_in);
    return {
      accessToken: token,
      expiresInSeconds: Number.isFinite(expires) && expires > 0 ? expires : undefined,
    };
  }

  /** One HTTP exchange through global fetch (and therefore the undici dispatcher); throws HttpStatusError ≥ 400. */
  private async send(spec: FetchSpec, url: URL, bearer: string | undefined): Promise<FetchResult> {
    const headers: Record<string, string> = { ...spec.headers };
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    let body: RequestInit["body"];
    if (spec.body !== undefined && spec.body !== null) {
      if (
        typeof spec.body === "string" ||
        spec.body instanceof Uint8Array ||
        spec.body instanceof ArrayBuffer
      ) {
        body = spec.body as RequestInit["body"];
      } else if (
        spec.body instanceof Blob ||
        spec.body instanceof FormData ||
        spec.body instanceof URLSearchParams
      ) {
        body = spec.body;
      } else {
        body = JSON.stringify(spec.body);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
          headers["Content-Type"] = "application/json";
      }
    }
    const response = await globalThis.fetch(url, { method: spec.method, headers, body });
    let data: unknown;
    const type = spec.responseType ?? "json";
    const bodyStarted = Date.now();
    const read = async <R>(reader: () => Promise<R>): Promise<R> => {
      try {
        return await reader();
      } catch (error) {
        // Node's fetch reports a stalled body only as "terminated"; the timing tells us it was the timeout.
        if (Date.now() - bodyStarted >= this.transport.bodyMs - 20) {
          throw Object.assign(new Error("Body Timeout Error", { cause: error }), {
            code: "UND_ERR_BODY_TIMEOUT",
          });
        }
        throw error;
      }
    };
    if (type === "bytes") {
      data = new Uint8Array(await read(() => response.arrayBuffer()));
    } else {
      const text = await read(() => response.text());
      if (type === "text") data = text;
      else if (!text) data = undefined;
      else {
        try {
          data = JSON.parse(text);
        } catch {
          data = text;
        }
      }
    }
    if (response.status >= 400) {
      // Error bodies are parsed as JSON for Qlik's error code whatever the requested type.
      if (typeof data === "string") {
        try {
          data = JSON.parse(data);
        } catch {
          /* keep text */
        }
      }
      throw new HttpStatusError(response.status, response.headers, data);
    }
    return { status: response.status, headers: response.headers, data };
  }

  private emit(event: Omit<MutationEvent, "time" | "tenant">): void {
    mutationEvents.emit({ time: new Date().toISOString(), tenant: this.tenantName, ...event });
  }

  private log(level: keyof Logger, message: string): void {
    this.logger[level](secrets.redact(message));
  }

  private async execute<T>(spec: CallSpec, attempt: () => Promise<T>, how: ExecuteOptions): Promise<T> {
    const method = spec.method;
    const resource = spec.resource;
    const idempotent = spec.idempotent ?? defaultIdempotent(method);
    const audited = how.audit && method !== "GET";
    const bucket = how.limit
      ? rateLimiters.bucket(this.limiterKey, spec.tier, this.rates[spec.tier], this.clock)
      : undefined;
    const started = this.clock.now();
    let attempts = 0;
    let reauthenticated = false;
    const fail = (error: unknown, status?: number): never => {
      if (audited) this.emit({ method, resource, operation: spec.operation, result: "error", status });
      throw error;
    };
    for (;;) {
      if (this.closed) throw new Error(`The client for tenant ${this.tenantName} is closed.`);
      if (bucket) await bucket.acquire();
      ensureFetchRouting();
      attempts++;
      const sentAt = this.clock.now();
      const record = { errors: [] as unknown[] };
      try {
        const result = await runAttempt(record, attempt);
        const status = (result as { status?: unknown } | undefined)?.status;
        this.log(
          "debug",
          `${method} ${resource} on ${this.tenantName}: ${typeof status === "number" ? status : "ok"} (${this.clock.now() - sentAt} ms, attempt ${attempts})`,
        );
        if (audited) {
          this.emit({
            method,
            resource,
            operation: spec.operation,
            result: "ok",
            status: typeof status === "number" ? status : undefined,
          });
        }
        return result;
      } catch (error) {
        if (error instanceof QlikApiError) return fail(error, error.status);
        const context = {
          tenant: this.tenantName,
          method,
          resource,
          principal: this.principal,
          attempts,
          cause: undefined as unknown,
        };
        const elapsed = this.clock.now() - started;
        const http = statusOf(error);
        if (http) {
          const { status } = http;
          if (status === 401 && this.principal.kind === "oauth" && !how.authEndpoint && !reauthenticated) {
            // The token may have been revoked or expired early: get a fresh one, once.
            reauthenticated = true;
            tokenCache.invalidate(this.tokenKey());
            this.log(
              "info",
              `${method} ${resource} on ${this.tenantName}: 401, fetching a new access token.`,
            );
            attempts--;
            continue;
          }
          if (isRetryableStatus(status, idempotent) && attempts < this.retry.maxAttempts) {
            const retryAfter =
              status === 429
                ? parseRetryAfter(http.headers?.get("retry-after"), this.clock.now())
                : undefined;
            const wait = retryAfter ?? backoffDelay(attempts, this.retry, () => this.clock.random());
            if (elapsed + wait <= this.retry.maxElapsedMs) {
              this.log(
                "warn",
                `${method} ${resource} on ${this.tenantName}: ${status}, retrying in ${wait} ms (attempt ${attempts + 1} of ${this.retry.maxAttempts}).`,
              );
              if (status === 429 && bucket) {
                // Qlik blocks the whole tier until Retry-After: hold every caller of this tenant + tier.
                bucket.pauseUntil(this.clock.now() + wait);
              } else {
                await this.clock.sleep(wait);
              }
              continue;
            }
          }
          const detail = qlikErrorDetail(http.data);
          const failure: HttpFailure = { status, ...detail };
          if (how.authEndpoint && (status === 400 || status === 401 || status === 403)) failure.status = 401;
          const mapped = errorForStatus(failure, context);
          if (how.authEndpoint) (mapped as { status: number | undefined }).status = status;
          this.log("debug", mapped.message);
          return fail(mapped, status);
        }
        const captured = record.errors.at(-1);
        const network =
          (captured === undefined ? undefined : classifyNetworkError(captured)) ??
          classifyNetworkError(error);
        if (network) {
          const safe = !network.maybeSent || idempotent;
          if (network.transient && safe && attempts < this.retry.maxAttempts) {
            const wait = backoffDelay(attempts, this.retry, () => this.clock.random());
            if (elapsed + wait <= this.retry.maxElapsedMs) {
              this.log(
                "warn",
                `${method} ${resource} on ${this.tenantName}: ${network.words}, retrying in ${wait} ms (attempt ${attempts + 1} of ${this.retry.maxAttempts}).`,
              );
              await this.clock.sleep(wait);
              continue;
            }
          }
          if (!safe) {
            this.log(
              "warn",
              `${method} ${resource} on ${this.tenantName}: ${network.words} after the request may have reached the tenant; not repeating a call that is not idempotent.`,
            );
          }
          return fail(errorForNetwork(network, context));
        }
        return fail(error);
      }
    }
  }

  private qixOpenError(error: unknown, resource: string): unknown {
    const context = {
      tenant: this.tenantName,
      method: "OPEN",
      resource,
      principal: this.principal,
      attempts: 1,
      cause: undefined as unknown,
    };
    const network = classifyNetworkError(error);
    if (network) return errorForNetwork(network, context);
    const text = error instanceof Error ? error.message : String(error);
    const status = /\b(401|403|404)\b/.exec(text)?.[1];
    if (status) return errorForStatus({ status: Number(status) }, context);
    const code = (error as { code?: unknown })?.code;
    if (code === 1003 || /not found/i.test(text)) return errorForStatus({ status: 404 }, context);
    return error;
  }
}
