/**
 * The HTTP transport of the Qlik client, and the one module that decides how its requests reach the
 * network: an undici pool per tenant origin (keep-alive, a cap on connections, proxies from HTTPS_PROXY /
 * HTTP_PROXY / NO_PROXY, connect / header / body timeouts), shared by every client of that origin.
 *
 * How requests get the pool:
 *  - The client's own requests to the tenant (OAuth tokens, the endpoints in raw-endpoints.ts) go
 *    through its lease (`lease.fetch`). Nothing global is involved.
 *  - @qlik/api's requests: @qlik/api calls the global `fetch` and offers no per-call way in (checked in
 *    @qlik/api 2.19: no fetch or dispatcher option; `requestInitOverrides` is typed but never read; its
 *    `interceptors` see the call's options, never the fetch init). So while at least one client holds a
 *    lease, `globalThis.fetch` is a pass-through wrapper that adds the pool only to requests made *inside
 *    one of that origin's client calls* — found through AsyncLocalStorage, not by looking at URLs — and
 *    leaves every other fetch in the process as it was, even one to the same tenant. When the last lease
 *    is released the wrapper is taken out again (unless something wrapped it since; it then stays, inert).
 *    Rejected: undici's setGlobalDispatcher changes every fetch in the process (and Node's fetch does not
 *    see it from another realm, such as Jest's); a "mock-backend" host config would re-implement
 *    @qlik/api's URL building, response parsing and paging.
 *
 * How @qlik/api's routed requests are sent: not through Node's fetch, whose WHATWG request and stream
 * machinery cost more CPU and garbage per request than the whole rest of a call (measured: about 0.37 ms
 * against 0.16 ms per request, and a third of a rollout's allocations), but straight through the pool's
 * `dispatch`, collecting the answer in memory (redirects followed and bodies decompressed by undici's
 * interceptors, as fetch would), with the answer handed back as the reading side of a `Response` over
 * the buffered body. Requests whose body is already in memory (none, a string, bytes, a blob) take that
 * way; anything else (forms, streams) still goes through fetch with the pool as its dispatcher. The
 * client's own requests to the tenant (`lease.fetch`) take the same way. Network failures reject like
 * fetch's (`TypeError: fetch failed`, the undici error as its cause, and in the attempt's record).
 *
 * One routed request never reaches the network: @qlik/api's question to a host outside `*.qlikcloud.com`
 * whether it is Qlik Cloud (product-info) is answered here, as it is for `*.qlikcloud.com` hosts (see
 * PRODUCT_INFO below).
 *
 * Failures are read from the timer or socket that raised them: every request's dispatcher records the
 * error undici hands to fetch (UND_ERR_HEADERS_TIMEOUT, UND_ERR_BODY_TIMEOUT, ECONNRESET, …) in the
 * attempt's record, because fetch reports a stalled body only as "terminated" and @qlik/api flattens a
 * failed fetch into a message. The client classifies the attempt from that record (retry.ts).
 *
 * Node 24's built-in fetch speaks undici's v1 handler API, so the undici 8 pool is passed wrapped in
 * `Dispatcher1Wrapper` (passing it bare fails with "invalid onRequestStart method").
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { Agent, Dispatcher1Wrapper, EnvHttpProxyAgent, interceptors } from "undici";
import type { Dispatcher } from "undici";

export interface TransportOptions {
  connectMs: number;
  headersMs: number;
  bodyMs: number;
  maxConnectionsPerOrigin: number;
}

export const defaultTransportOptions: TransportOptions = {
  connectMs: 10_000,
  headersMs: 120_000,
  bodyMs: 300_000,
  maxConnectionsPerOrigin: 16,
};

/** What undici raised during one attempt of a call (its timers' and sockets' errors, fetch rejections). */
export interface AttemptRecord {
  errors: unknown[];
}

export interface RequestOptions {
  /** A call that may legitimately take this long (a synchronous automation): header and body timeouts are raised to it. */
  timeoutMs?: number;
}

/** A client's hold on its origin's pool. */
export interface TransportLease {
  readonly origin: string;
  /** One of the client's own requests, answered as fetch answers it, through the pool (see the top of this file). */
  fetch(
    record: AttemptRecord,
    input: string | URL,
    init?: RequestInit,
    options?: RequestOptions,
  ): Promise<Response>;
  /** Runs `fn` (an @qlik/api call) so that its requests to this origin use the pool and record into `record`. */
  run<T>(record: AttemptRecord, fn: () => Promise<T>): Promise<T>;
  /** Gives the hold back; the last one closes the pool. Idempotent. */
  release(): Promise<void>;
}

interface OriginEntry {
  pool: Dispatcher;
  /** The same pool, adapted for Node's built-in fetch. */
  forFetch: Dispatcher;
  /** The same pool following redirects and decoding compressed bodies, as fetch does (routed requests). */
  asFetch: Dispatcher;
  options: TransportOptions;
  refs: number;
}

/** The request being routed by the fetch wrapper. */
interface Routed {
  origin: string;
  entry: OriginEntry;
  dispatcher: Dispatcher;
  record: AttemptRecord;
}

interface TransportState {
  origins: Map<string, OriginEntry>;
  routing: AsyncLocalStorage<Routed>;
  leases: number;
}

/** Shared through globalThis so two copies of this module in one process (bundles) share pools and routing. */
function state(): TransportState {
  const key = Symbol.for("qlik-cicd.qlik-client.transport");
  const g = globalThis as unknown as Record<symbol, TransportState | undefined>;
  g[key] ??= { origins: new Map(), routing: new AsyncLocalStorage(), leases: 0 };
  return g[key];
}

/** Marks the wrapper; its value is the fetch it wraps. */
const WRAPS = Symbol.for("qlik-cicd.qlik-client.fetch-wrapper");
type WrappedFetch = typeof fetch & { [WRAPS]?: typeof fetch };

function originOf(input: unknown): string | undefined {
  try {
    if (typeof input === "string") return new URL(input).origin;
    if (input instanceof URL) return input.origin;
    if (input instanceof Request) return new URL(input.url).origin;
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Whether `input` is a URL of `origin`. @qlik/api hands fetch a string that starts with the host config's
 * origin: a prefix followed by the path (or nothing) settles it without parsing a URL on every request;
 * anything else is parsed.
 */
function sameOrigin(input: unknown, origin: string): boolean {
  if (typeof input === "string" && input.startsWith(origin)) {
    const next = input.charCodeAt(origin.length);
    // "/", "?", "#" or the end: nothing of the authority follows the origin.
    if (Number.isNaN(next) || next === 0x2f || next === 0x3f || next === 0x23) return true;
  }
  return originOf(input) === origin;
}

/** Puts the wrapper on `globalThis.fetch` unless it is there (again, if something replaced it since). */
function wrapGlobalFetch(): void {
  const current = globalThis.fetch as WrappedFetch;
  if (current[WRAPS]) return;
  const routing = state().routing;
  const wrapper = function qlikClientFetch(input: Parameters<typeof fetch>[0], init?: RequestInit) {
    const routed = routing.getStore();
    if (!routed || !sameOrigin(input, routed.origin)) return current(input, init);
    if (input === `${routed.origin}${PRODUCT_INFO}` && (init?.method ?? "GET") === "GET")
      return Promise.resolve(qlikCloudProductInfo(input));
    if (typeof input === "string" && sendsAsIs(init))
      return requestThroughPool(routed.entry, routed.record, input, init, {});
    const withPool =
      (init as { dispatcher?: unknown } | undefined)?.dispatcher === undefined
        ? ({ ...init, dispatcher: routed.dispatcher } as RequestInit)
        : init;
    return current(input, withPool).catch((error: unknown) => {
      routed.record.errors.push(error);
      throw error;
    });
  } as WrappedFetch;
  wrapper[WRAPS] = current;
  globalThis.fetch = wrapper;
}

/**
 * Where @qlik/api asks a host what it is before its first call, unless the host is under
 * `*.qlikcloud.com`: a tenant on a custom domain (and the simulator) would be asked once per process,
 * and on a 5xx, a redirect or a network error there @qlik/api takes it for Qlik Sense on Windows (other
 * redirect and auth handling) until it asks again. This toolkit only speaks to Qlik Cloud, so the wrapper
 * answers for the tenant what @qlik/api assumes for `*.qlikcloud.com`, without a request.
 */
const PRODUCT_INFO = "/resources/autogenerated/product-info.json";
/**
 * An empty product-info: @qlik/api reads a host whose deployment type is none of Qlik Sense's as Qlik
 * Cloud Services. It keeps each host's parsed answer for the life of the process, so the answer is the
 * smallest one that says so (an estate of custom-domain tenants keeps thousands).
 */
const QLIK_CLOUD_PRODUCT_INFO = new TextEncoder().encode("{}");

function qlikCloudProductInfo(url: string): Response {
  const response = new BufferedResponse(QLIK_CLOUD_PRODUCT_INFO.slice(), {
    status: 200,
    statusText: "OK",
    headers: new Headers({ "content-type": "application/json" }),
    url,
  });
  return response as unknown as Response;
}

type RoutedInit = RequestInit & { dispatcher?: unknown };

type PlainBody = string | Uint8Array | ArrayBuffer | Blob | null | undefined;

/** Whether a request can go straight through the pool: a body held in memory, nothing fetch-only. */
function sendsAsIs(init: RequestInit | undefined): boolean {
  if (!init) return true;
  const { body, redirect, dispatcher } = init as RoutedInit;
  if (dispatcher !== undefined || redirect === "error") return false;
  return (
    body === undefined ||
    body === null ||
    typeof body === "string" ||
    body instanceof Uint8Array ||
    body instanceof ArrayBuffer ||
    body instanceof Blob
  );
}

/** The body as undici sends it, with the content type fetch would add for it. */
async function bodyBytes(
  body: PlainBody,
  headers: Record<string, string>,
): Promise<string | Uint8Array | null> {
  if (body === undefined || body === null) return null;
  if (typeof body === "string") {
    headers["content-type"] ??= "text/plain;charset=UTF-8";
    return body;
  }
  if (body instanceof Blob) {
    if (body.type) headers["content-type"] ??= body.type;
    return new Uint8Array(await body.arrayBuffer());
  }
  return body instanceof ArrayBuffer ? new Uint8Array(body) : body;
}

/** A fetch init's headers as a plain object (what undici's request takes). */
function plainHeaders(headers: RequestInit["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  if (headers instanceof Headers || Array.isArray(headers)) {
    for (const [name, value] of new Headers(headers)) out[name] = value;
    return out;
  }
  for (const name of Object.keys(headers)) out[name.toLowerCase()] = String(headers[name]);
  return out;
}

/** Answers without a body, whatever the server sends (fetch's null-body statuses). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

const utf8 = new TextDecoder();

/**
 * What a routed request answers: the reading side of a fetch `Response` (status, headers, and the body
 * read once as text, JSON, bytes or a blob) over the body already buffered. A standard `Response` built
 * from those bytes wraps them in a web stream first, which was a tenth of a rollout's allocations.
 */
class BufferedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly url: string;
  readonly redirected = false;
  readonly type = "basic";
  #bytes: Uint8Array | null;
  #used = false;
  #stream: ReadableStream<Uint8Array> | null | undefined;

  constructor(
    bytes: Uint8Array | null,
    init: { status: number; statusText: string; headers: Headers; url: string },
  ) {
    this.#bytes = bytes;
    this.status = init.status;
    this.statusText = init.statusText;
    this.headers = init.headers;
    this.url = init.url;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  /** The body as a stream (the same one each time; taking it uses the body), or null for none. */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream !== undefined) return this.#stream;
    if (this.#bytes === null) return (this.#stream = null);
    const bytes = this.#take();
    this.#stream = new ReadableStream({
      start(controller) {
        if (bytes.byteLength) controller.enqueue(bytes);
        controller.close();
      },
    });
    return this.#stream;
  }

  #take(): Uint8Array {
    if (this.#used) throw new TypeError("Body is unusable: Body has already been read");
    this.#used = true;
    return this.#bytes ?? new Uint8Array(0);
  }

  async bytes(): Promise<Uint8Array> {
    return this.#take();
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.#take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return utf8.decode(this.#take());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async blob(): Promise<Blob> {
    return new Blob([this.#take() as Uint8Array<ArrayBuffer>], {
      type: this.headers.get("content-type") ?? "",
    });
  }

  clone(): BufferedResponse {
    if (this.#used) throw new TypeError("Response.clone: Body has already been consumed.");
    return new BufferedResponse(this.#bytes, this);
  }
}

/** An answer collected in memory: status, headers and the whole body (null for none). */
interface CollectedAnswer {
  statusCode: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
  bytes: Uint8Array | null;
}

/** What undici hands a dispatch handler to stop its request. */
interface DispatchController {
  abort(reason: unknown): void;
}

/**
 * Sends one request through `dispatcher` and collects the answer in memory: undici's `dispatch` with a
 * handler that keeps the body's chunks. undici's `request` hands the body over as a Node stream, whose
 * machinery cost as much CPU as the rest of the request (measured on loopback: about 120 µs against
 * 60 µs per request). Rejects with what undici raised, or with the signal's reason once it aborts.
 */
function dispatchCollected(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: AbortSignal | undefined,
  withBody: boolean,
): Promise<CollectedAnswer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let controller: DispatchController | undefined;
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      controller?.abort(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const done = () => signal?.removeEventListener("abort", onAbort);
    const chunks: Uint8Array[] = [];
    let size = 0;
    const answer: CollectedAnswer = { statusCode: 0, statusText: "", headers: {}, bytes: null };
    const handler = {
      onRequestStart(c: DispatchController) {
        controller = c;
        if (aborted) c.abort(signal!.reason);
      },
      onResponseStart(
        _c: DispatchController,
        statusCode: number,
        headers: CollectedAnswer["headers"],
        statusMessage?: string,
      ) {
        answer.statusCode = statusCode;
        answer.statusText = statusMessage ?? "";
        answer.headers = headers;
      },
      onResponseData(_c: DispatchController, chunk: Uint8Array) {
        if (!withBody) return;
        chunks.push(chunk);
        size += chunk.byteLength;
      },
      onResponseEnd() {
        done();
        if (withBody) {
          // One copy of exactly the body: the chunks are views of the socket's reads.
          const bytes = new Uint8Array(size);
          let at = 0;
          for (const chunk of chunks) {
            bytes.set(chunk, at);
            at += chunk.byteLength;
          }
          answer.bytes = bytes;
        }
        resolve(answer);
      },
      onResponseError(_c: DispatchController, error: unknown) {
        done();
        reject(error);
      },
    };
    try {
      dispatcher.dispatch(options, handler as unknown as Dispatcher.DispatchHandler);
    } catch (error) {
      done();
      reject(error);
    }
  });
}

/**
 * One routed request through the pool, answered as fetch would answer it: a `Response` (any status), or a
 * `TypeError: fetch failed` whose cause is what undici raised (also recorded for the attempt's verdict);
 * an aborted request rejects with its signal's reason.
 */
async function requestThroughPool(
  entry: OriginEntry,
  record: AttemptRecord,
  input: string | URL,
  init: RequestInit | undefined,
  request: RequestOptions,
): Promise<Response> {
  const url = typeof input === "string" ? new URL(input) : input;
  const method = (init?.method ?? "GET").toUpperCase();
  const headers = plainHeaders(init?.headers);
  headers.accept ??= "*/*";
  const body = await bodyBytes(init?.body as PlainBody, headers);
  const signal = init?.signal ?? undefined;
  const dispatcher = init?.redirect === "manual" ? entry.pool : entry.asFetch;
  try {
    // `allowH2` is a dispatch option undici's types do not list.
    const options: Dispatcher.DispatchOptions & { allowH2: boolean } = {
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: method as Dispatcher.HttpMethod,
      headers,
      body,
      ...raisedTimeouts(entry, request),
      // HTTP/1.1 as Node's fetch speaks it; undici keys its pools by this too, so the requests that
      // still go through fetch (forms, streams) share the same connections.
      allowH2: false,
    };
    const answer = await dispatchCollected(dispatcher, options, signal, method !== "HEAD");
    // undici gives a keep-alive connection back to the pool one event-loop turn after its response
    // ends (it first waits for a server that closes anyway); a request sent sooner, as a caller's next
    // one usually is, would open another connection. Answering after that turn keeps one per tenant.
    await new Promise((resolve) => setImmediate(resolve));
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
      else if (value !== undefined) responseHeaders.append(name, value);
    }
    const response = new BufferedResponse(NULL_BODY.has(answer.statusCode) ? null : answer.bytes, {
      status: answer.statusCode,
      statusText: answer.statusText,
      headers: responseHeaders,
      url: url.href,
    });
    return response as unknown as Response;
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    record.errors.push(error);
    throw new TypeError("fetch failed", { cause: error });
  }
}

/** Takes the wrapper out if it is still the outermost fetch. */
function unwrapGlobalFetch(): void {
  const inner = (globalThis.fetch as WrappedFetch)[WRAPS];
  if (inner) globalThis.fetch = inner;
}

/** Whether HTTP_PROXY or HTTPS_PROXY (either case) names a proxy. */
function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.http_proxy || env.HTTP_PROXY || env.https_proxy || env.HTTPS_PROXY);
}

function createPool(options: TransportOptions): Dispatcher {
  const settings = {
    connections: options.maxConnectionsPerOrigin,
    connectTimeout: options.connectMs,
    headersTimeout: options.headersMs,
    bodyTimeout: options.bodyMs,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
  };
  // EnvHttpProxyAgent reads HTTP_PROXY / HTTPS_PROXY now and NO_PROXY on every request, and routes
  // each request to a direct Agent or a ProxyAgent; all share these pool settings. With no proxy
  // named it sends everything direct, so a plain Agent does the same without parsing the URL and
  // reading NO_PROXY for every request.
  return proxyConfigured() ? new EnvHttpProxyAgent(settings) : new Agent(settings);
}

type V1Handler = {
  onError?(error: unknown): void;
  onResponseError?(controller: unknown, error: unknown): void;
};

/** The header and body timeouts of a request allowed to take `timeoutMs`, when that is above the pool's. */
function raisedTimeouts(
  entry: OriginEntry,
  request: RequestOptions,
): { headersTimeout: number; bodyTimeout: number } | undefined {
  const raise = request.timeoutMs ?? 0;
  return raise > 0
    ? {
        headersTimeout: Math.max(entry.options.headersMs, raise),
        bodyTimeout: Math.max(entry.options.bodyMs, raise),
      }
    : undefined;
}

/** The pool for one request, with each error undici hands to fetch recorded first. */
function recordingDispatcher(entry: OriginEntry, record: AttemptRecord, request: RequestOptions): Dispatcher {
  const timeouts = raisedTimeouts(entry, request);
  return {
    dispatch(opts: Dispatcher.DispatchOptions, handler: V1Handler) {
      const recording = Object.create(handler) as V1Handler;
      if (typeof handler.onError === "function") {
        recording.onError = (error) => {
          record.errors.push(error);
          handler.onError!(error);
        };
      }
      if (typeof handler.onResponseError === "function") {
        recording.onResponseError = (controller, error) => {
          record.errors.push(error);
          handler.onResponseError!(controller, error);
        };
      }
      return entry.forFetch.dispatch(
        timeouts ? { ...opts, ...timeouts } : opts,
        recording as unknown as Dispatcher.DispatchHandler,
      );
    },
  } as unknown as Dispatcher;
}

/** Registers `origin` (the first registration's options win) and returns a lease on its pool. */
export function acquireTransport(origin: string, options: TransportOptions): TransportLease {
  const shared = state();
  let entry = shared.origins.get(origin);
  if (!entry) {
    const pool = createPool(options);
    entry = {
      pool,
      forFetch: new Dispatcher1Wrapper(pool),
      asFetch: pool.compose(interceptors.redirect({ maxRedirections: 20 }), interceptors.decompress()),
      options,
      refs: 0,
    };
    shared.origins.set(origin, entry);
  }
  entry.refs++;
  shared.leases++;
  wrapGlobalFetch();
  const held = entry;
  let released = false;
  return {
    origin,
    fetch(record, input, init, request = {}) {
      if (sendsAsIs(init)) return requestThroughPool(held, record, input, init, request);
      const withPool = { ...init, dispatcher: recordingDispatcher(held, record, request) } as RequestInit;
      return globalThis.fetch(input, withPool).catch((error: unknown) => {
        record.errors.push(error);
        throw error;
      });
    },
    run(record, fn) {
      if (released) throw new Error(`The transport for ${origin} was released.`);
      wrapGlobalFetch();
      return shared.routing.run(
        { origin, entry: held, dispatcher: recordingDispatcher(held, record, {}), record },
        fn,
      );
    },
    async release() {
      if (released) return;
      released = true;
      shared.leases--;
      if (shared.leases <= 0) unwrapGlobalFetch();
      held.refs--;
      if (held.refs <= 0 && shared.origins.get(origin) === held) {
        shared.origins.delete(origin);
        await held.pool.close().catch(() => held.pool.destroy());
      }
    },
  };
}
