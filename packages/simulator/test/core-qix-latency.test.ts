import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { openAppSession } from "@qlik/api/qix";
import type { RunningSimulator } from "../src/index.ts";
import { parseCliArgs } from "../src/cli-args.ts";
import { apiKeyHost, startTestSimulator } from "./core-helpers.ts";

const LATENCY = 80;
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startTestSimulator({ tenants: 1, qixLatencyMs: LATENCY });
});
afterAll(async () => {
  await sim.stop();
});

describe("QIX latency", () => {
  test("each engine request waits one round trip; pipelined requests overlap and keep their order", async () => {
    const appId = sim.control.state("tenant-1").apps[0].id;
    const session = openAppSession({ appId, hostConfig: apiKeyHost(sim), identity: "latency" });
    try {
      const doc = await session.getDoc();
      let started = performance.now();
      const title = (await doc.getAppLayout()).qTitle;
      const one = performance.now() - started;
      expect(title).toBe("Sales Analytics");
      expect(one).toBeGreaterThanOrEqual(LATENCY - 5);

      // Ten requests in flight at once: about one round trip in all, not ten, answered in order.
      const order: number[] = [];
      started = performance.now();
      await Promise.all(Array.from({ length: 10 }, (_, i) => doc.getScript().then(() => order.push(i))));
      const ten = performance.now() - started;
      expect(ten).toBeGreaterThanOrEqual(LATENCY - 5);
      expect(ten).toBeLessThan(LATENCY * 5);
      expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      await session.close({ websocketCloseDelay: 0 });
    }
  });

  test("the CLI's --latency-ms applies to engine requests unless --qix-latency-ms sets them apart", () => {
    expect(parseCliArgs(["--latency-ms", "50"]).qixLatencyMs).toBe(50);
    expect(parseCliArgs(["--latency-ms", "50", "--qix-latency-ms", "0"]).qixLatencyMs).toBe(0);
    expect(parseCliArgs([]).qixLatencyMs).toBeUndefined();
  });
});
