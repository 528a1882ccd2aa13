/**
 * OAuth access tokens for client-credentials principals, cached per tenant origin + client (+ a digest
 * of the secret), refreshed before expiry, with one token request in flight per key no matter how many
 * callers (or clients in the process) ask at once.
 *
 * Why not @qlik/api's own `oauth2` host config (checked in node_modules/@qlik/api 2.19.0,
 * chunks/invoke-fetch-functions-*.js): its in-memory token cache is keyed by clientId + scope only — not
 * by host — so two tenants whose OAuth clients share an id would share a token; it ignores
 * `expires_in` and only re-fetches after a request has already failed with 401; and its token POST has
 * no timeout, retry or typed error. So the client owns the token and hands @qlik/api an `apikey` host
 * config carrying it: the apikey module sends exactly `Authorization: Bearer <value>` for REST and the
 * QIX WebSocket upgrade, which is what an OAuth access token needs.
 */
import { secrets, sha256Hex, systemClock, type Clock } from "@qlik-cicd/common";

export interface IssuedToken {
  accessToken: string;
  /** Lifetime in seconds from the token response (`expires_in`). */
  expiresInSeconds?: number;
}

export interface TokenKey {
  origin: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
}

interface Entry {
  token?: string;
  /** epoch ms when the token stops working */
  expiresAt: number;
  /** epoch ms from which a new token is fetched (before expiry) */
  refreshAt: number;
  inflight?: Promise<string>;
}

/** Assumed lifetime when the server does not say (conservative). */
const DEFAULT_LIFETIME_S = 300;

class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;

  constructor(clock: Clock = systemClock) {
    this.clock = clock;
  }

  static keyOf(key: TokenKey): string {
    return `${key.origin}|${key.clientId}|${key.scope ?? ""}|${sha256Hex(key.clientSecret).slice(0, 16)}`;
  }

  /**
   * Returns a usable access token. `issue` performs the token request; it is called at most once at a
   * time per key. A token inside its refresh window is still returned while a new one is fetched.
   */
  async get(key: TokenKey, issue: () => Promise<IssuedToken>, clock: Clock = this.clock): Promise<string> {
    const id = TokenCache.keyOf(key);
    let entry = this.entries.get(id);
    if (!entry) {
      entry = { expiresAt: 0, refreshAt: 0 };
      this.entries.set(id, entry);
    }
    const now = clock.now();
    if (entry.token && now < entry.refreshAt) return entry.token;
    const refreshing = entry.inflight ?? this.refresh(entry, issue, clock);
    if (entry.token && now < entry.expiresAt - 1_000) {
      refreshing.catch(() => {}); // background refresh; the next caller sees its failure
      return entry.token;
    }
    return refreshing;
  }

  private refresh(entry: Entry, issue: () => Promise<IssuedToken>, clock: Clock): Promise<string> {
    const promise = (async () => {
      try {
        const issued = await issue();
        secrets.register(issued.accessToken);
        const lifetimeMs = Math.max(1, issued.expiresInSeconds ?? DEFAULT_LIFETIME_S) * 1000;
        const now = clock.now();
        entry.token = issued.accessToken;
        entry.expiresAt = now + lifetimeMs;
        // Refresh a minute early, or at 90 % of a short lifetime.
        entry.refreshAt = now + Math.max(0, lifetimeMs - Math.min(60_000, lifetimeMs * 0.1));
        return issued.accessToken;
      } finally {
        entry.inflight = undefined;
      }
    })();
    entry.inflight = promise;
    return promise;
  }

  /** Drops `token` (after a 401) so the next `get` fetches a new one; a newer token is kept. */
  invalidate(key: TokenKey, token?: string): void {
    const entry = this.entries.get(TokenCache.keyOf(key));
    if (!entry) return;
    if (token === undefined || entry.token === token) {
      entry.token = undefined;
      entry.expiresAt = 0;
      entry.refreshAt = 0;
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The process-wide cache every client uses. */
export const tokenCache = new TokenCache();
