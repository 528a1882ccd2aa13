/**
 * @qlik/api keeps every GET response in a process-wide cache even when a call passes `noCache` (the
 * option only stops reading from it), keyed by URL + host config. This client never reads that cache,
 * so in a long process that talks to many tenants (a rollout over 1,000 tenants) it only grows: every
 * response of every tenant stays reachable, and each write scans the whole namespace for entries to
 * drop. The client therefore empties the namespaces it uses now and then (nothing reads them).
 */
import { clearCache as clearApps } from "@qlik/api/apps";
import { clearCache as clearItems } from "@qlik/api/items";
import { clearCache as clearReloads } from "@qlik/api/reloads";
import { clearCache as clearSpaces } from "@qlik/api/spaces";

const CLEARERS = new Map<string, () => void>([
  ["apps", clearApps],
  ["items", clearItems],
  ["reloads", clearReloads],
  ["spaces", clearSpaces],
]);
/** Entries younger than this may stay; older ones go with the next call to the namespace. */
const CLEAR_INTERVAL_MS = 1000;
const lastCleared = new Map<string, number>();

/** The @qlik/api cache namespace of a REST resource path such as `/api/v1/items/{id}`, if it is cleared. */
export function cacheNamespaceOf(resource: string): string | undefined {
  const ns = /^\/api\/v1\/([a-z-]+)/.exec(resource)?.[1];
  return ns !== undefined && CLEARERS.has(ns) ? ns : undefined;
}

/**
 * Empties the cache namespace `resource` belongs to, at most once a second per namespace. The client
 * calls it as a call starts, so what is left is at most about a second of responses per namespace.
 */
export function releaseResponseCache(resource: string, now: number = Date.now()): void {
  const ns = cacheNamespaceOf(resource);
  if (ns === undefined || now - (lastCleared.get(ns) ?? -Infinity) < CLEAR_INTERVAL_MS) return;
  lastCleared.set(ns, now);
  CLEARERS.get(ns)?.();
}
