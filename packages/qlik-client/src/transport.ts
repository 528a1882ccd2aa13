/**
 * The HTTP transport of the Qlik client, and the one module that decides how its requests reach the
 * network: an undici pool per tenant origin (keep-alive, a cap on connections, proxies from HTTPS_PROXY /
 * HTTP_PROXY / NO_PROXY, connect / header / body timeouts), shared by every client of that origin.
 *
 * How requests get the pool:
 *  - The client's own requests (OAuth tokens, the endpoints in raw-endpoints.ts) pass it to fetch per
 *    request (`dispatcher`, an undici option Node's fetch honours). Nothing global is involved.
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
 * Failures are read from the timer or socket that raised them: every request's dispatcher records the
 * error undici hands to fetch (UND_ERR_HEADERS_TIMEOUT, UND_ERR_BODY_TIMEOUT, ECONNRESET, …) in the
 * attempt's record, because fetch reports a stalled body only as "terminated" and @qlik/api flattens a
 * failed fetch into a message. The client classifies the attempt from that record (retry.ts).
 *
 * Node 24's built-in fetch speaks undici's v1 handler API, so the undici 8 pool is passed wrapped in
 * `Dispatcher1Wrapper` (passing it bare fails with "invalid onRequestStart method").
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { Dispatcher1Wrapper, EnvHttpProxyAgent } from "undici";
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
  /** The dispatcher for one of the client's own requests: the pool, recording what undici raised into `record`. */
  dispatcher(record: AttemptRecord, options?: RequestOptions): Dispatcher;
  /** Runs `fn` (an @qlik/api call) so that its requests to this origin use the pool and record into `record`. */
  run<T>(record: AttemptRecord, fn: () => Promise<T>): Promise<T>;
  /** Gives the hold back; the last one closes the pool. Idempotent. */
  release(): Promise<void>;
}

interface OriginEntry {
  pool: Dispatcher;
  /** The same pool, adapted for Node's built-in fetch. */
  forFetch: Dispatcher;
  options: TransportOptions;
  refs: number;
}

/** The request being routed by the fetch wrapper. */
interface Routed {
  origin: string;
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

/** Takes the wrapper out if it is still the outermost fetch. */
function unwrapGlobalFetch(): void {
  const inner = (globalThis.fetch as WrappedFetch)[WRAPS];
  if (inner) globalThis.fetch = inner;
}

function createPool(options: TransportOptions): Dispatcher {
  // EnvHttpProxyAgent reads HTTP_PROXY / HTTPS_PROXY / NO_PROXY (either case) now, and routes each
  // request to a direct Agent or a ProxyAgent; all share these pool settings.
  return new EnvHttpProxyAgent({
    connections: options.maxConnectionsPerOrigin,
    connectTimeout: options.connectMs,
    headersTimeout: options.headersMs,
    bodyTimeout: options.bodyMs,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
  });
}

type V1Handler = {
  onError?(error: unknown): void;
  onResponseError?(controller: unknown, error: unknown): void;
};

/** The pool for one request, with each error undici hands to fetch recorded first. */
function recordingDispatcher(entry: OriginEntry, record: AttemptRecord, request: RequestOptions): Dispatcher {
  const raise = request.timeoutMs ?? 0;
  const timeouts =
    raise > 0
      ? {
          headersTimeout: Math.max(entry.options.headersMs, raise),
          bodyTimeout: Math.max(entry.options.bodyMs, raise),
        }
      : undefined;
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
    entry = { pool, forFetch: new Dispatcher1Wrapper(pool), options, refs: 0 };
    shared.origins.set(origin, entry);
  }
  entry.refs++;
  shared.leases++;
  wrapGlobalFetch();
  const held = entry;
  let released = false;
  return {
    origin,
    dispatcher: (record, request = {}) => recordingDispatcher(held, record, request),
    run(record, fn) {
      if (released) throw new Error(`The transport for ${origin} was released.`);
      wrapGlobalFetch();
      return shared.routing.run({ origin, dispatcher: recordingDispatcher(held, record, {}), record }, fn);
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
