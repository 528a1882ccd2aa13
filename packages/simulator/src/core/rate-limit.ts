/**
 * Qlik Cloud's rate-limit tiers, per user per tenant: tier 1 (most reads) 1,000/min, tier 2 (writes)
 * 100/min, `POST /reloads` 50/min. Exceeding a tier answers 429 with `Retry-After` (seconds) and blocks
 * that whole tier for the user until the window passes. Limits are configurable so tests can use small
 * ones and a client that ignores `Retry-After` fails.
 */
import type { RateTier } from "../http/types.ts";

export interface TierLimit {
  limit: number;
  windowMs: number;
}

export type RateLimits = Record<Exclude<RateTier, "none">, TierLimit>;

export const defaultRateLimits = (): RateLimits => ({
  tier1: { limit: 1000, windowMs: 60_000 },
  tier2: { limit: 100, windowMs: 60_000 },
  reloads: { limit: 50, windowMs: 60_000 },
});

interface Bucket {
  windowStart: number;
  count: number;
  blockedUntil: number;
}

export class RateLimiter {
  limits: RateLimits;
  private readonly buckets = new Map<string, Bucket>();
  constructor(limits: RateLimits) {
    this.limits = limits;
  }

  setLimits(partial: Partial<RateLimits>): void {
    this.limits = { ...this.limits, ...partial };
    this.buckets.clear();
  }

  reset(): void {
    this.buckets.clear();
  }

  /** Counts one request; returns null when allowed, or the seconds to wait. */
  take(tenantId: string, userId: string, tier: RateTier, now: number): number | null {
    if (tier === "none") return null;
    const { limit, windowMs } = this.limits[tier];
    const key = `${tenantId}\u0000${userId}\u0000${tier}`;
    let b = this.buckets.get(key);
    if (!b || now - b.windowStart >= windowMs) {
      if (b && b.blockedUntil > now) return Math.max(1, Math.ceil((b.blockedUntil - now) / 1000));
      b = { windowStart: now, count: 0, blockedUntil: 0 };
      this.buckets.set(key, b);
    }
    if (b.blockedUntil > now) return Math.max(1, Math.ceil((b.blockedUntil - now) / 1000));
    if (b.count >= limit) {
      b.blockedUntil = b.windowStart + windowMs;
      return Math.max(1, Math.ceil((b.blockedUntil - now) / 1000));
    }
    b.count++;
    return null;
  }
}
