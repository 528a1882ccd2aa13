import { systemClock, type Clock } from "@qlik-cicd/common";

export type CallTier = "read" | "write" | "reload";

/** Requests per minute for each tier; Qlik's published per-user limits are the defaults. */
export interface TierRates {
  read: number;
  write: number;
  reload: number;
}

export const defaultTierRates: TierRates = { read: 1000, write: 100, reload: 50 };

/** Burst allowance: ten seconds' worth of the rate (at least one), so a cold start cannot fire a minute's budget at once. */
const BURST_SECONDS = 10;

/**
 * A token bucket with reservations (tokens may go negative: each waiter owns a future slot, so waiters
 * are served in order without polling) and a pause that a 429's Retry-After sets for the whole tier.
 */
export class TierBucket {
  readonly perMinute: number;
  private readonly capacity: number;
  private readonly perMs: number;
  private tokens: number;
  private updatedAt: number;
  private pausedUntil = 0;
  private readonly clock: Clock;

  constructor(perMinute: number, clock: Clock = systemClock) {
    if (!(perMinute > 0)) throw new RangeError(`rate limit must be positive, got ${perMinute}`);
    this.perMinute = perMinute;
    this.clock = clock;
    this.perMs = perMinute / 60_000;
    this.capacity = Math.max(1, Math.floor((perMinute * BURST_SECONDS) / 60));
    this.tokens = this.capacity;
    this.updatedAt = clock.now();
  }

  private refill(now: number): void {
    const elapsed = now - this.updatedAt;
    if (elapsed > 0) {
      this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.perMs);
      this.updatedAt = now;
    }
  }

  /** Resolves when the caller may send one request. */
  async acquire(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      if (this.pausedUntil > now) {
        await this.clock.sleep(this.pausedUntil - now);
        continue;
      }
      this.refill(now);
      this.tokens -= 1;
      if (this.tokens >= 0) return;
      await this.clock.sleep(Math.ceil(-this.tokens / this.perMs));
      if (this.pausedUntil > this.clock.now()) {
        // A 429 arrived while we waited: hand the slot back and wait out the pause.
        this.tokens += 1;
        continue;
      }
      return;
    }
  }

  /** Full and not paused: no different from a new bucket, so it can be forgotten. */
  atRest(): boolean {
    const now = this.clock.now();
    if (this.pausedUntil > now) return false;
    this.refill(now);
    return this.tokens >= this.capacity;
  }

  /** Blocks the tier until `until` (epoch ms); later pauses extend, earlier ones never shorten. */
  pauseUntil(until: number): void {
    if (until > this.pausedUntil) this.pausedUntil = until;
  }

  /** Milliseconds left in the current pause (0 if none). */
  pausedFor(): number {
    return Math.max(0, this.pausedUntil - this.clock.now());
  }
}

/** New buckets between two sweeps for buckets at rest. */
const SWEEP_EVERY = 256;

/**
 * One budget per tenant origin, principal and tier, shared by every client in the process. A process
 * that works through thousands of tenants would keep a bucket for each: every SWEEP_EVERY new buckets,
 * those at rest (full, not paused: the same as new) are dropped.
 */
class RateLimiterRegistry {
  private readonly buckets = new Map<string, TierBucket>();
  private created = 0;

  bucket(key: string, tier: CallTier, perMinute: number, clock: Clock = systemClock): TierBucket {
    const id = `${key}|${tier}`;
    let bucket = this.buckets.get(id);
    if (!bucket) {
      if (++this.created % SWEEP_EVERY === 0) this.sweep();
      bucket = new TierBucket(perMinute, clock);
      this.buckets.set(id, bucket);
    }
    return bucket;
  }

  /** How many buckets are kept (tests). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(): void {
    for (const [id, bucket] of this.buckets) if (bucket.atRest()) this.buckets.delete(id);
  }

  /** For tests: forget every bucket. */
  clear(): void {
    this.buckets.clear();
  }
}

export const rateLimiters = new RateLimiterRegistry();
