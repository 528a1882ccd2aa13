import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { createApp, getAppInfo } from "@qlik/api/apps";
import { getItems } from "@qlik/api/items";
import { getReload, getReloads, queueReload } from "@qlik/api/reloads";
import type { Reload } from "@qlik/api/reloads";
import type { RunningSimulator } from "../src/index.ts";
import { apiKeyHost, httpError, opts, startTestSimulator, waitFor } from "./core-helpers.ts";
import type { HostConfig } from "./core-helpers.ts";

let sim: RunningSimulator;
let host: HostConfig;
let salesId: string;

beforeAll(async () => {
  sim = await startTestSimulator({ timings: { reloadMs: 60 } });
  host = apiKeyHost(sim);
  const items = await getItems({ resourceType: "app", name: "Sales Analytics" }, opts(host));
  salesId = items.data.data[0].resourceId!;
});
afterAll(() => sim.stop());

async function finished(id: string): Promise<Reload> {
  return waitFor(async () => {
    const r = await getReload(id, opts(host));
    return ["SUCCEEDED", "FAILED", "CANCELED"].includes(r.data.status) ? r.data : undefined;
  });
}

describe("reloads", () => {
  test("queued → succeeded with a log; the app's lastReloadTime moves", async () => {
    const before = (await getAppInfo(salesId, opts(host))).data.attributes?.lastReloadTime;
    const queued = await queueReload({ appId: salesId }, opts(host));
    expect(queued.status).toBe(201);
    expect(queued.data).toMatchObject({
      appId: salesId,
      status: "QUEUED",
      partial: false,
      tenantId: sim.description.tenants[0].id,
    });
    const done = await finished(queued.data.id);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.log).toContain("Orders");
    expect(done.startTime).toBeDefined();
    expect(done.endTime).toBeDefined();
    const after = (await getAppInfo(salesId, opts(host))).data.attributes?.lastReloadTime;
    expect(after).not.toBe(before);
    const list = await getReloads({ appId: salesId }, opts(host));
    expect(list.data.data.map((r) => r.id)).toContain(queued.data.id);
  });

  test("a script error fails the reload with errorCode and log; the data model is kept", async () => {
    const { data: app } = await createApp({ attributes: { name: "Broken" } }, opts(host));
    const id = app.attributes!.id!;
    const doc = sim.tenant("tenant-1").docs.get(id)!;
    doc.script = "///$tab Main\nT: LOAD a FROM [lib://Missing/x.csv] (txt);\n";
    const done = await finished((await queueReload({ appId: id }, opts(host))).data.id);
    expect(done.status).toBe("FAILED");
    expect(done.errorCode).toBeTruthy();
    expect(done.log).toMatch(/Missing/);
    expect(doc.lastReloadTime).toBeNull();
  });

  test("the control API can make the next reload fail", async () => {
    const res = await fetch(`${sim.description.control}/tenants/tenant-1/apps/${salesId}/fail-next-reload`, {
      method: "POST",
      body: JSON.stringify({ errorCode: "ENGINE-OUT-OF-MEMORY", message: "Out of memory" }),
    });
    expect(res.status).toBe(204);
    const failed = await finished((await queueReload({ appId: salesId }, opts(host))).data.id);
    expect(failed).toMatchObject({ status: "FAILED", errorCode: "ENGINE-OUT-OF-MEMORY" });
    const ok = await finished((await queueReload({ appId: salesId }, opts(host))).data.id);
    expect(ok.status).toBe("SUCCEEDED");
    expect(sim.control.state("tenant-1").reloadCounts[salesId]).toBe(3);
  });

  test("bad requests: missing appId 400, unknown app 404, list without appId 400", async () => {
    expect((await httpError(queueReload({} as never, opts(host)))).status).toBe(400);
    expect((await httpError(queueReload({ appId: "nope" }, opts(host)))).status).toBe(404);
    expect((await httpError(getReloads({} as never, opts(host)))).status).toBe(400);
    expect((await httpError(getReload("nope", opts(host)))).status).toBe(404);
  });
});
