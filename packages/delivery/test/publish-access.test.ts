// retryWhileForbidden on a fake clock: right after a publish, a 403 means "not yet" and is tried again
// with the project's backoff until the access timeout; every other error passes through at once.
import { describe, expect, it } from "@jest/globals";
import { MemoryLogger } from "@qlik-cicd/common";
import { QlikForbiddenError, QlikNotFoundError } from "@qlik-cicd/qlik-client";
import { FakeClock } from "../../common/test/helpers/fake-clock.ts";
import { retryWhileForbidden } from "../src/index.ts";

const init = { tenant: "t", method: "OPEN", resource: "/app/a1" };
const forbidden = () =>
  new QlikForbiddenError("Tenant t refused OPEN /app/a1.", { ...init, kind: "forbidden", status: 403 });

function answers(...outcomes: (Error | string)[]): { fn: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    fn: async () => {
      const next = outcomes[Math.min(calls++, outcomes.length - 1)];
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

describe("retryWhileForbidden", () => {
  it("waits out the 403s after a publish with growing, jittered waits, saying so once", async () => {
    const clock = new FakeClock();
    clock.randomValue = 0.999999;
    const logger = new MemoryLogger();
    const { fn, calls } = answers(forbidden(), forbidden(), forbidden(), "opened");
    const result = await retryWhileForbidden(fn, { timeoutMs: 60_000, logger, what: "app a1", clock });
    expect(result).toBe("opened");
    expect(calls()).toBe(4);
    expect(clock.sleeps).toEqual([199, 399, 799]);
    expect(logger.lines.filter((l) => l.message.includes("not ready yet"))).toHaveLength(1);
  });

  it("passes any other error through at once", async () => {
    const clock = new FakeClock();
    const missing = new QlikNotFoundError("Tenant t has no /app/a1.", {
      ...init,
      kind: "notFound",
      status: 404,
    });
    const { fn, calls } = answers(missing, "opened");
    await expect(
      retryWhileForbidden(fn, { timeoutMs: 60_000, logger: new MemoryLogger(), what: "app a1", clock }),
    ).rejects.toBe(missing);
    expect(calls()).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("gives up with the 403 once the next wait would pass the access timeout", async () => {
    const clock = new FakeClock();
    clock.randomValue = 0.999999;
    const { fn } = answers(forbidden());
    const error = await retryWhileForbidden(fn, {
      timeoutMs: 20_000,
      logger: new MemoryLogger(),
      what: "app a1",
      clock,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QlikForbiddenError);
    // Doubling from 200 ms, capped at 5 s; a third 5 s wait would end after 20 s.
    expect(clock.sleeps).toEqual([199, 399, 799, 1599, 3199, 4999, 4999]);
  });
});
