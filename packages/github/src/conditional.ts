import type { GitHubClient } from "./client.ts";
import { callGitHub, statusOf, type CallContext } from "./errors.ts";
import { nextPageUrl } from "./link.ts";

interface Entry {
  etag: string;
  data: unknown;
  link: string | null;
}

/**
 * ETags of list pages already read, so polling the same list again sends `If-None-Match` and an
 * unchanged page comes back 304 — which does not count against GitHub's rate limit. One cache per
 * polling loop; it keeps at most `size` pages (oldest dropped first).
 */
export class ConditionalCache {
  readonly stats = { requests: 0, notModified: 0 };
  private readonly entries = new Map<string, Entry>();
  private readonly size: number;

  constructor(size = 500) {
    this.size = size;
  }

  get(url: string): Entry | undefined {
    return this.entries.get(url);
  }

  set(url: string, entry: Entry): void {
    this.entries.delete(url);
    this.entries.set(url, entry);
    while (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string);
  }
}

/**
 * Every item of a GET list endpoint, page by page along `Link: rel="next"`, each page a conditional
 * request against `cache` (a 304 serves the page read before).
 */
export async function listConditionally<T>(
  gh: GitHubClient,
  route: string,
  params: Record<string, unknown>,
  cache: ConditionalCache,
  context: CallContext,
  maxPages = 50,
): Promise<T[]> {
  const items: T[] = [];
  let url: string | null = gh.request.endpoint(route, { per_page: 100, ...params }).url;
  for (let pageNo = 0; url && pageNo < maxPages; pageNo++) {
    const cached = cache.get(url);
    const pageUrl: string = url;
    cache.stats.requests++;
    const page = await callGitHub(context, async () => {
      try {
        const res = await gh.request(`GET ${pageUrl}`, {
          headers: cached ? { "if-none-match": cached.etag } : {},
        });
        const entry = {
          etag: String(res.headers.etag ?? ""),
          data: res.data,
          link: res.headers.link ?? null,
        };
        if (entry.etag) cache.set(pageUrl, entry);
        return entry;
      } catch (error) {
        if (statusOf(error) !== 304 || !cached) throw error;
        cache.stats.notModified++;
        return cached;
      }
    });
    items.push(...(structuredClone(page.data) as T[]));
    url = nextPageUrl(page.link);
  }
  return items;
}
