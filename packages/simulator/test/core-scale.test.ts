import { describe, expect, test } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSpace, getSpaces } from "@qlik/api/spaces";
import { apiKeyHost, opts, startTestSimulator } from "./core-helpers.ts";

describe("scale and persistence", () => {
  test("1,000 tenants start in under 5 s, each its own origin, data created on first use", async () => {
    const started = Date.now();
    const sim = await startTestSimulator({ tenants: 1000 });
    const elapsed = Date.now() - started;
    try {
      expect(elapsed).toBeLessThan(5000);
      const urls = new Set(sim.description.tenants.map((t) => t.url));
      expect(urls.size).toBe(1000);
      const summary = sim.control.summary();
      expect(summary.filter((t) => t.materialized).length).toBe(1);
      const last = sim.description.tenants[999];
      const res = await getSpaces({}, opts({ authType: "apikey", host: last.url, apiKey: last.apiKey }));
      expect(res.data.data?.map((s) => s.name).sort()).toEqual([
        "acceptance",
        "development",
        "production",
        "test",
      ]);
      expect(sim.control.state(last.name).apps).toEqual([]);
    } finally {
      await sim.stop();
    }
  });

  test("--state-dir keeps tenants' state across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "qlik-sim-state-"));
    try {
      const first = await startTestSimulator({ stateDir: dir, tenants: 2 });
      await createSpace({ name: "kept", type: "shared" }, opts(apiKeyHost(first)));
      const key = first.description.tenants[0].apiKey;
      await first.stop();
      const second = await startTestSimulator({ stateDir: dir, tenants: 2 });
      try {
        expect(second.description.tenants[0].apiKey).toBe(key);
        const names = (await getSpaces({ limit: 100 }, opts(apiKeyHost(second)))).data.data?.map(
          (s) => s.name,
        );
        expect(names).toContain("kept");
        expect(second.control.state("tenant-1").apps.map((a) => a.name)).toEqual(["Sales Analytics"]);
        expect(second.control.summary()[1].materialized).toBe(false);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
