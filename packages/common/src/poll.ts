/**
 * The one poll loop: waiting for something the tenant (or GitHub) works on — a reload, an evaluation, an
 * automation run, an approval. The waits follow the project's policy (retry.ts) without jitter: the first
 * is `firstDelayMs`, each next one doubles up to `intervalMs`, and the last is cut to the deadline. A
 * read that throws ends the poll: reads go through a client that has already retried what was worth
 * retrying, so the poll never repeats a failed read (a caller that tolerates some failures catches them
 * in `read`).
 */
import { systemClock, type Clock } from "./retry.ts";

export interface PollOptions<T> {
  /** Longest wait between two reads. */
  intervalMs: number;
  /** The first wait (default `intervalMs`: a fixed interval); each next one doubles, up to `intervalMs`. */
  firstDelayMs?: number;
  /** How long to poll, counted from the call. */
  timeoutMs: number;
  /** The value already in hand (e.g. what starting the job answered); without it the first read is at once. */
  initial?: T;
  clock?: Clock;
  /** Called before each wait, e.g. to say what is awaited. */
  onWait?(value: T, next: { delayMs: number; reads: number }): void;
}

export interface PollResult<T> {
  /** The last value read (or the initial one). */
  value: T;
  /** False: the deadline passed first. */
  done: boolean;
  /** How many times `read` was called. */
  reads: number;
}

/** Reads until `done(value)` or the deadline; see the module comment for the waits. */
export async function poll<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: PollOptions<T>,
): Promise<PollResult<T>> {
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + options.timeoutMs;
  let delay = Math.min(options.firstDelayMs ?? options.intervalMs, options.intervalMs);
  let reads = 0;
  let value: T;
  if (options.initial !== undefined) value = options.initial;
  else {
    value = await read();
    reads++;
  }
  for (;;) {
    if (done(value)) return { value, done: true, reads };
    const remaining = deadline - clock.now();
    if (remaining <= 0) return { value, done: false, reads };
    const delayMs = Math.max(0, Math.min(delay, remaining));
    options.onWait?.(value, { delayMs, reads });
    await clock.sleep(delayMs);
    delay = Math.min(delay * 2, options.intervalMs);
    value = await read();
    reads++;
  }
}
