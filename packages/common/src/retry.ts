/**
 * How this project waits and tries again: one policy, one retry helper (`withRetries`), one poll helper
 * (`poll`, in poll.ts), both on an injectable clock so tests observe every wait without waiting.
 *
 * The policy — exponential backoff with full jitter, caps and a deadline:
 *  - before retry n (n = 1 for the first retry) the wait is uniform in [0, min(maxDelayMs, baseDelayMs · 2^(n−1)));
 *  - a wait the other side asked for (a 429's `Retry-After`) replaces the computed one;
 *  - at most `maxAttempts` tries in all, and no wait is begun that would end later than `maxElapsedMs`
 *    after the first try (the deadline): the last failure is then final.
 * Polls (waiting for a job the tenant runs: a reload, an evaluation, an automation run, an approval) use
 * the same doubling without jitter — see poll.ts.
 *
 * Two layers use it, and they are kept apart:
 *  1. Request retries, the Qlik client's job (packages/qlik-client): one HTTP request, or the opening of a
 *     QIX session, is sent again after a transport error, a 429 (after its Retry-After, which holds the
 *     tenant's whole rate tier) or a 502/503 — and only when sending it twice is harmless: reads,
 *     idempotent writes, or a request that certainly never reached the tenant. A change request that may
 *     have reached the tenant is not repeated; the client says so on the error
 *     (`QlikApiError.retries === "unsafe"`) and leaves the outcome to layer 2. When it gives up on a
 *     failure it was repeating, the error says that too (`retries === "exhausted"`).
 *  2. Operation re-convergence, the caller's job (deploys, rollouts, provisioning): after a failure whose
 *     outcome is unknown — a change the client would not repeat, a QIX session that dropped mid-build —
 *     the operation reads the tenant's state again and finishes the change, or skips what already took
 *     effect (a deploy finds its app by name, a publish looks for the copy, the rollout engine runs a
 *     tenant's deploy again). It never repeats what layer 1 already repeated: a failure the client
 *     retried until its attempts or its deadline ran out is final for the run (a resumed rollout tries
 *     the tenant again later).
 * A poll does not retry a failed read either: its reads go through the client, which has already done so.
 * GitHub calls retry through Octokit's retry and throttling plugins (actions/_shared/src/github.ts).
 */

/** Time, waits and randomness; tests inject one to observe delays without waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
  random: () => Math.random(),
};

export interface RetryPolicy {
  /** Total tries, including the first. */
  maxAttempts: number;
  /** No wait is begun that would end later than this after the first try. */
  maxElapsedMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The request layer's default: five sends within two minutes, waits up to 20 s. */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  maxElapsedMs: 120_000,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
};

/** Full jitter: uniform in [0, min(maxDelayMs, baseDelayMs · 2^(retry−1))), whole milliseconds. */
export function backoffDelay(
  retry: number,
  policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">,
  random: () => number,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * cap);
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** What to do after a failed try: give up (false), back off (true), or wait what the other side asked. */
export type RetryVerdict = boolean | { afterMs: number };

export interface RetryOptions {
  policy: RetryPolicy;
  clock?: Clock;
  /** Whether `error` (from try `attempt`) is worth another try; false makes it final at once. */
  retryable(error: unknown, attempt: number): RetryVerdict;
  /** Called before each wait (for a log line); `attempt` is the try about to start. */
  onRetry?(error: unknown, next: { attempt: number; delayMs: number }): void;
  /**
   * Called when a failure worth another try stays final because the attempts or the deadline ran out;
   * what it returns is thrown instead (e.g. the error marked as exhausted).
   */
  onExhausted?(error: unknown, attempts: number): unknown;
  /** How to wait (default `clock.sleep`), e.g. pausing a rate-limit bucket for a Retry-After. */
  wait?(delayMs: number, error: unknown): Promise<void>;
}

/**
 * Runs `attempt(1)`, `attempt(2)`, … until one succeeds or a failure is final (see the policy above).
 * Throws the last failure (or what `onExhausted` makes of it).
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const clock = options.clock ?? systemClock;
  const { policy } = options;
  const started = clock.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const verdict = options.retryable(error, n);
      if (verdict === false) throw error;
      const delayMs =
        verdict === true ? backoffDelay(n, policy, () => clock.random()) : Math.max(0, verdict.afterMs);
      if (n >= policy.maxAttempts || clock.now() - started + delayMs > policy.maxElapsedMs) {
        throw options.onExhausted ? options.onExhausted(error, n) : error;
      }
      options.onRetry?.(error, { attempt: n + 1, delayMs });
      await (options.wait ? options.wait(delayMs, error) : clock.sleep(delayMs));
    }
  }
}
