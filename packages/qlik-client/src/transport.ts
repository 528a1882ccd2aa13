/**
 * The HTTP transport: undici keep-alive pools with a cap on connections per origin, proxies from
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY, and connect / header / body timeouts.
 *
 * How @qlik/api gets routed through it: @qlik/api calls the global `fetch` and has no per-call
 * dispatcher option. Two hooks exist:
 *  - undici's `setGlobalDispatcher`: it writes the dispatcher under a symbol on `globalThis` that Node's
 *    built-in fetch reads — but from the *main* realm's globalThis. Code running in another realm (Jest's
 *    vm contexts, which is where our tests run) sets it on its own global and Node's fetch never sees
 *    it, and it would also change every other fetch in the process.
 *  - the fetch `dispatcher` option (an undici extension Node's fetch honours): we install a thin wrapper
 *    on `globalThis.fetch` that adds `dispatcher` ONLY for origins a QlikClient registered; every other
 *    fetch passes through untouched. This works in any realm and keeps the change scoped to tenants.
 * We use the second. Node 24's built-in fetch speaks undici's v1 handler API, so the undici 8 pool is
 * passed wrapped in `Dispatcher1Wrapper` (passing it bare fails with "invalid onRequestStart method").
 * The client's own requests (OAuth tokens, raw `fetch`) go through the same global fetch, so they share
 * the pools and stay visible to test interceptors such as nock.
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

interface OriginEntry {
  dispatcher: Dispatcher;
  /** The same pool, adapted for Node's built-in fetch. */
  forFetch: Dispatcher;
  refs: number;
}

const ROUTED = Symbol.for("qlik-cicd.qlik-client.routed-fetch");
const REGISTRY = Symbol.for("qlik-cicd.qlik-client.origins");

/** Shared through globalThis so two copies of this module in one process (bundles) agree. */
function registry(): Map<string, OriginEntry> {
  const g = globalThis as unknown as Record<symbol, Map<string, OriginEntry> | undefined>;
  let map = g[REGISTRY];
  if (!map) {
    map = new Map();
    g[REGISTRY] = map;
  }
  return map;
}

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
 * Errors seen by the fetch wrapper during one client attempt. @qlik/api flattens a failed fetch into
 * an InvokeFetchError whose message is all that remains of the cause (and across realms, e.g. under
 * Jest, only "TypeError: fetch failed"), so the wrapper records the original error — with undici's
 * code, such as UND_ERR_HEADERS_TIMEOUT or ECONNRESET — for the attempt that is running.
 */
export interface AttemptRecord {
  errors: unknown[];
}
const attemptContext = new AsyncLocalStorage<AttemptRecord>();

export function runAttempt<T>(record: AttemptRecord, fn: () => Promise<T>): Promise<T> {
  return attemptContext.run(record, fn);
}

/** Wraps the current global fetch (again, if something replaced our wrapper since). */
export function ensureFetchRouting(): void {
  const current = globalThis.fetch as typeof fetch & { [ROUTED]?: true };
  if (current[ROUTED]) return;
  const inner = current;
  const routed = function routedFetch(input: Parameters<typeof fetch>[0], init?: RequestInit) {
    const origin = originOf(input);
    const entry = origin === undefined ? undefined : registry().get(origin);
    const record = attemptContext.getStore();
    const pending =
      !entry || (init as { dispatcher?: unknown } | undefined)?.dispatcher
        ? inner(input, init)
        : inner(input, { ...init, dispatcher: entry.forFetch } as RequestInit);
    if (!record) return pending;
    return pending.catch((error: unknown) => {
      record.errors.push(error);
      throw error;
    });
  } as typeof fetch & { [ROUTED]?: true };
  routed[ROUTED] = true;
  globalThis.fetch = routed;
}

function createOriginDispatcher(options: TransportOptions): Dispatcher {
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

/** A handle on one origin's pool; release it when the client closes. */
export interface TransportLease {
  readonly origin: string;
  readonly dispatcher: Dispatcher;
  release(): Promise<void>;
}

/** Registers `origin` (first registration's options win) and returns a lease on its pool. */
export function acquireTransport(origin: string, options: TransportOptions): TransportLease {
  ensureFetchRouting();
  const origins = registry();
  let entry = origins.get(origin);
  if (!entry) {
    const dispatcher = createOriginDispatcher(options);
    entry = { dispatcher, forFetch: new Dispatcher1Wrapper(dispatcher), refs: 0 };
    origins.set(origin, entry);
  }
  entry.refs++;
  const held = entry;
  let released = false;
  return {
    origin,
    dispatcher: held.dispatcher,
    async release() {
      if (released) return;
      released = true;
      held.refs--;
      if (held.refs <= 0 && origins.get(origin) === held) {
        origins.delete(origin);
        await held.dispatcher.close().catch(() => held.dispatcher.destroy());
      }
    },
  };
}

/** For diagnostics and tests: whether an origin currently has its own pool. */
export function hasTransport(origin: string): boolean {
  return registry().has(origin);
}
