/**
 * @qlik/api keeps every GET response in a process-wide cache even when a call passes `noCache` (the
 * option only stops reading from it), keyed by URL + host config. This client never reads that cache,
 * so in a long process that talks to many tenants (a rollout over 1,000 tenants) it would only grow:
 * every response of every tenant stays reachable (with its tenant's key in the cache key), and each
 * write scans the whole namespace for entries to drop. The client therefore empties the namespace a
 * call used as the call ends: emptying is one assignment in @qlik/api, and nothing reads the entries.
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

/** The @qlik/api cache namespace of a REST resource path such as `/api/v1/items/{id}`, if it is cleared. */
export function cacheNamespaceOf(resource: string): string | undefined {
  const ns = /^\/api\/v1\/([a-z-]+)/.exec(resource)?.[1];
  return ns !== undefined && CLEARERS.has(ns) ? ns : undefined;
}

/** Empties the cache namespace `resource` belongs to (responses of calls still running stay theirs). */
export function releaseResponseCache(resource: string): void {
  const ns = cacheNamespaceOf(resource);
  if (ns !== undefined) CLEARERS.get(ns)?.();
}
