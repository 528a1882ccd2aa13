import { describe, expect, it } from "@jest/globals";
import { rateLimiters, TierBucket } from "../src/rate-limiter.ts";
import { FakeClock } from "../../common/test/helpers/fake-clock.ts";

describe("TierBucket", () => {
  it("allows a burst of ten seconds' worth, then spaces requests at the rate", async () => {
    const clock = new FakeClock();
    const bucket = new TierBucket(60, clock); // 1/s, burst 10
    for (let i = 0; i < 10; i++) await bucket.acquire();
    expect(clock.sleeps).toEqual([]);
    await bucket.acquire();
    await bucket.acquire();
    expect(clock.sleeps).toEqual([1000, 1000]);
  });

  it("serves concurrent waiters in order, each on its own reserved slot", async () => {
    const bucket = new TierBucket(600); // real clock: 10/s, burst 100
    for (let i = 0; i < 100; i++) await bucket.acquire();
    const started = Date.now();
    const done: { n: number; at: number }[] = [];
    await Promise.all(
      [1, 2, 3].map((n) => bucket.acquire().then(() => done.push({ n, at: Date.now() - started }))),
    );
    expect(done.map((d) => d.n)).toEqual([1, 2, 3]);
    expect(done[0].at).toBeGreaterThanOrEqual(90);
    expect(done[2].at).toBeGreaterThanOrEqual(290); // not all released together at the first refill
  });

  it("holds every caller while paused and never shortens a pause", async () => {
    const clock = new FakeClock();
    const bucket = new TierBucket(1000, clock);
    bucket.pauseUntil(clock.now() + 5000);
    bucket.pauseUntil(clock.now() + 1000);
    expect(bucket.pausedFor()).toBe(5000);
    await bucket.acquire();
    expect(clock.sleeps).toEqual([5000]);
    expect(bucket.pausedFor()).toBe(0);
  });
});

describe("rate limiter registry", () => {
  it("forgets buckets at rest (full, not paused) as thousands of tenants pass, and keeps busy or paused ones", async () => {
    rateLimiters.clear();
    const clock = new FakeClock();
    const busy = rateLimiters.bucket("busy-tenant", "write", 1, clock);
    await busy.acquire(); // one request a minute: not full again for a while
    rateLimiters.bucket("paused-tenant", "read", 1000, clock).pauseUntil(clock.now() + 60_000);
    for (let i = 0; i < 1000; i++) await rateLimiters.bucket(`tenant-${i}`, "read", 1000, clock).acquire();
    clock.time += 10_000; // every bucket of the passed tenants refills
    for (let i = 1000; i < 1300; i++) rateLimiters.bucket(`tenant-${i}`, "read", 1000, clock);
    expect(rateLimiters.size).toBeLessThan(300);
    // Busy and paused ones are the same objects as before: their budget and pause still hold.
    expect(rateLimiters.bucket("paused-tenant", "read", 1000, clock).pausedFor()).toBe(50_000);
    expect(rateLimiters.bucket("busy-tenant", "write", 1, clock)).toBe(busy);
    rateLimiters.clear();
  });
});
