import type { Clock } from "../../src/index.ts";

/** A clock whose sleeps complete at once (advancing virtual time) and are recorded. */
export class FakeClock implements Clock {
  time = 1_000_000;
  readonly sleeps: number[] = [];
  randomValue = 1;
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += Math.max(0, ms);
    await Promise.resolve();
  }
  random(): number {
    return this.randomValue;
  }
}
