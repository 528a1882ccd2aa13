/**
 * The one pager: Qlik list endpoints answer a page (`data`) and a `links.next` href, which @qlik/api
 * turns into a `next()` function on the response. Every page is fetched through `client.call`, so each
 * gets the rate limiter, retries and a fresh host config.
 */
import type { CallOptions, CallSpec, QlikClient } from "./client.ts";

/** A page as @qlik/api's list functions answer it. */
export interface Page<Item> {
  data: { data?: Item[] };
  next?: (options?: CallOptions) => Promise<Page<Item>>;
}

/** Stop after this many pages (a guard against a server that never stops linking). */
const MAX_PAGES = 200;

/** Every item of a list endpoint: `first` asks for page one (with the page size), `next` links the rest. */
export async function allPages<Item>(
  client: QlikClient,
  spec: CallSpec,
  first: (opts: CallOptions) => Promise<Page<Item>>,
): Promise<Item[]> {
  const out: Item[] = [];
  let page = await client.call(spec, first);
  for (let pages = 1; ; pages++) {
    const items = page.data.data ?? [];
    out.push(...items);
    const next = page.next;
    if (!next || items.length === 0 || pages >= MAX_PAGES) return out;
    page = await client.call(spec, (opts) => next(opts));
  }
}
