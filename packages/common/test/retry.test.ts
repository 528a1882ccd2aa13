// The retry and poll helpers on a fake clock: every wait is recorded, none is waited.
import { describe, expect, it } from "@jest/globals";
import { backoffDelay, parseRetryAfter, poll, withRetries } from "../src/index.ts";
import type { RetryPolicy } from "../src/index.ts";
import { FakeClock } from "./helpers/fake-clock.ts";

const policy: RetryPolicy = { maxAttempts: 5, maxElapsedMs: 60_000, baseDelayMs: 100, maxDelayMs: 250 };

/** An attempt function failing with `errors` in turn, then answering `ok`. */
function failing(errors: unknown[]): { attempt: (n: number) => Promise<string>; tries: number[] } {
  const tries: number[] = [];
  return {
    tries,
    attempt: async (n) => {
      tries.push(n);
      if (errors.length) throw errors.shift();
      return "ok";
    },
  };
}

describe("withRetries", () => {
  it("backs off exponentially with full jitter up to the cap, then succeeds", async () => {
    const clock = new FakeClock();
    clock.randomValue = 0.999999; // the top of each jitter range
    const { attempt, tries } = failing(["a", "b", "c", "d"]);
    const retried: { attempt: number; delayMs: number }[] = [];
    const result = await withRetries(attempt, {
      policy,
      clock,
      retryable: () => true,
      onRetry: (_e, next) => retried.push(next),
    });
    expect(result).toBe("ok");
    expect(tries).toEqual([1, 2, 3, 4, 5]);
    expect(clock.sleeps).toEqual([99, 199, 249, 249]);
    expect(retried.map((r) => r.attempt)).toEqual([2, 3, 4, 5]);

    clock.sleeps.length = 0;
    clock.randomValue = 0; // the bottom: full jitter may try again at once
    await withRetries(failing(["a", "b"]).attempt, { policy, clock, retryable: () => true });
    expect(clock.sleeps).toEqual([0, 0]);
  });

  it("gives up after maxAttempts, letting the caller mark the failure as exhausted", async () => {
    const clock = new FakeClock();
    const { attempt, tries } = failing(["1", "2", "3", "4", "5", "6"]);
    const error = await withRetries(attempt, {
      policy,
      clock,
      retryable: () => true,
      onExhausted: (e, attempts) => new Error(`${String(e)} after ${attempts}`),
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("5 after 5");
    expect(tries).toEqual([1, 2, 3, 4, 5]);
    expect(clock.sleeps).toHaveLength(4);
  });

  it("begins no wait that would end after the deadline", async () => {
    const clock = new FakeClock();
    clock.randomValue = 0.999999;
    const { attempt, tries } = failing(Array(10).fill("x"));
    const error = await withRetries(attempt, {
      policy: { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 1000, maxElapsedMs: 2500 },
      clock,
      retryable: () => true,
    }).catch((e: unknown) => e);
    expect(error).toBe("x");
    expect(clock.sleeps).toEqual([999, 999]); // a third would end at 2997 ms
    expect(tries).toEqual([1, 2, 3]);
  });

  it("waits what the other side asked instead of the backoff, through the caller's wait", async () => {
    const clock = new FakeClock();
    const waited: number[] = [];
    await withRetries(failing([{ retryAfter: 2000 }, { retryAfter: 0 }]).attempt, {
      policy,
      clock,
      retryable: (e) => ({ afterMs: (e as { retryAfter: number }).retryAfter }),
      wait: async (ms) => {
        waited.push(ms);
      },
    });
    expect(waited).toEqual([2000, 0]);
    expect(clock.sleeps).toEqual([]);
  });

  it("rethrows a final failure at once, without waiting or calling onExhausted", async () => {
    const clock = new FakeClock();
    let exhausted = false;
    const { attempt, tries } = failing(["permanent"]);
    const error = await withRetries(attempt, {
      policy,
      clock,
      retryable: (e, n) => e !== "permanent" && n < 3,
      onExhausted: () => (exhausted = true),
    }).catch((e: unknown) => e);
    expect(error).toBe("permanent");
    expect(tries).toEqual([1]);
    expect(clock.sleeps).toEqual([]);
    expect(exhausted).toBe(false);
  });
});

describe("poll", () => {
  it("starts with the first delay and doubles up to the interval", async () => {
    const clock = new FakeClock();
    const values = ["queued", "running", "running", "running", "running", "done"];
    const result = await poll(
      async () => values.shift()!,
      (v) => v === "done",
      { firstDelayMs: 250, intervalMs: 1000, timeoutMs: 60_000, clock },
    );
    expect(result).toEqual({ value: "done", done: true, reads: 6 });
    expect(clock.sleeps).toEqual([250, 500, 1000, 1000, 1000]);
  });

  it("checks the value in hand before the first read and keeps a fixed interval by default", async () => {
    const clock = new FakeClock();
    let reads = 0;
    const read = async () => (++reads >= 2 ? "done" : "running");
    expect(
      await poll(read, (v) => v === "done", { intervalMs: 50, timeoutMs: 1000, clock, initial: "done" }),
    ).toEqual({
      value: "done",
      done: true,
      reads: 0,
    });
    const waits: { value: string; delayMs: number; reads: number }[] = [];
    const result = await poll(read, (v) => v === "done", {
      intervalMs: 50,
      timeoutMs: 1000,
      clock,
      initial: "queued",
      onWait: (value, next) => waits.push({ value, ...next }),
    });
    expect(result).toEqual({ value: "done", done: true, reads: 2 });
    expect(clock.sleeps).toEqual([50, 50]);
    expect(waits).toEqual([
      { value: "queued", delayMs: 50, reads: 0 },
      { value: "running", delayMs: 50, reads: 1 },
    ]);
  });

  it("cuts the last wait to the deadline, reads once more, and reports the timeout", async () => {
    const clock = new FakeClock();
    const result = await poll(
      async () => "pending",
      () => false,
      { intervalMs: 120_000, timeoutMs: 300_000, clock },
    );
    expect(clock.sleeps).toEqual([120_000, 120_000, 60_000]);
    expect(result).toEqual({ value: "pending", done: false, reads: 4 });
  });

  it("ends with a read's error and reads no more", async () => {
    const clock = new FakeClock();
    let reads = 0;
    const error = await poll(
      async () => {
        reads++;
        if (reads === 2) throw new Error("tenant unreachable");
        return "running";
      },
      () => false,
      { intervalMs: 10, timeoutMs: 1000, clock },
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe("tenant unreachable");
    expect(reads).toBe(2);
  });
});

describe("retry helpers", () => {
  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("0.5", now)).toBe(500);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:07 GMT", now)).toBe(7000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("keeps backoff within [0, min(maxDelay, base·2^(n-1))]", () => {
    const policy = { maxAttempts: 9, maxElapsedMs: 1e9, baseDelayMs: 100, maxDelayMs: 1000 };
    for (let retry = 1; retry <= 8; retry++) {
      const cap = Math.min(1000, 100 * 2 ** (retry - 1));
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(retry, policy, Math.random);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(cap);
      }
    }
  });
});
