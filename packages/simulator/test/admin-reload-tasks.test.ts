// Reload tasks (scheduled reloads) through @qlik/api's own typed functions against a started simulator:
// create, list by app, get, replace, delete, and the 400/404 answers Qlik gives for bad input.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  createReloadTask,
  deleteReloadTask,
  getReloadTask,
  getReloadTasks,
  updateReloadTask,
} from "@qlik/api/reload-tasks";
import { deleteApp } from "@qlik/api/apps";
import { startSimulator } from "../src/index.ts";
import type { RunningSimulator } from "../src/index.ts";

let sim: RunningSimulator;
let appId: string;
let hostConfig: { authType: "apikey"; host: string; apiKey: string };

beforeAll(async () => {
  sim = await startSimulator({ tenants: 1, seed: "demo" });
  const t = sim.description.tenants[0];
  hostConfig = { authType: "apikey", host: t.url, apiKey: t.apiKey };
  appId = [...sim.tenant(t.name).apps.keys()][0];
});

afterAll(async () => {
  await sim?.stop();
});

/** The status and first error of a rejected @qlik/api call. */
async function failure(p: Promise<unknown>): Promise<{ status: number; code: string; detail: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { status: number; data: { errors: { code: string; detail?: string }[] } };
    return { status: err.status, code: err.data.errors[0].code, detail: err.data.errors[0].detail ?? "" };
  }
  throw new Error("expected the call to fail");
}

describe("reload tasks", () => {
  it("creates, lists, reads, replaces and deletes a scheduled reload", async () => {
    const created = await createReloadTask(
      {
        appId,
        recurrence: ["RRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=0"],
        startDateTime: "2026-01-01T02:00:00",
        timeZone: "Europe/Zurich",
        partial: false,
      },
      { hostConfig },
    );
    expect(created.status).toBe(201);
    const task = created.data;
    expect(task.id).toMatch(/^[0-9a-f]{24}$/);
    expect(task).toMatchObject({
      appId,
      recurrence: ["RRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=0"],
      startDateTime: "2026-01-01T02:00:00",
      timeZone: "Europe/Zurich",
      partial: false,
      state: "Enabled",
      tenantId: sim.tenant(sim.description.tenants[0].name).id,
    });
    expect(task.userId).not.toBe("");
    expect(task.links.self.href).toContain(`/api/v1/reload-tasks/${task.id}`);

    // A second task on another app is not in the first app's list.
    const other = [...sim.tenant(sim.description.tenants[0].name).apps.keys()].find((id) => id !== appId);
    if (other) {
      await createReloadTask(
        { appId: other, recurrence: ["RRULE:FREQ=HOURLY"], startDateTime: "2026-01-01T00:00:00Z" },
        { hostConfig },
      );
    }
    const listed = await getReloadTasks({ appId }, { hostConfig, noCache: true });
    expect(listed.status).toBe(200);
    expect(listed.data.data.map((t) => t.id)).toEqual([task.id]);
    expect(listed.data.links.self.href).toContain("/api/v1/reload-tasks");
    const none = await getReloadTasks({ appId: appId.toUpperCase() }, { hostConfig, noCache: true });
    expect(none.data.data).toEqual([]);

    const updated = await updateReloadTask(
      task.id,
      {
        appId,
        recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=6"],
        startDateTime: "2026-02-01T06:00:00",
        timeZone: "UTC",
        partial: true,
        state: "Disabled",
      },
      { hostConfig },
    );
    expect(updated.status).toBe(200);
    expect(updated.data).toMatchObject({
      id: task.id,
      recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=6"],
      timeZone: "UTC",
      partial: true,
      state: "Disabled",
      disabledCode: "MANUALLY",
    });
    const read = await getReloadTask(task.id, { hostConfig, noCache: true });
    expect(read.data.recurrence).toEqual(["RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=6"]);
    expect(read.data.state).toBe("Disabled");

    const deleted = await deleteReloadTask(task.id, { hostConfig });
    expect(deleted.status).toBe(204);
    expect(await failure(getReloadTask(task.id, { hostConfig, noCache: true }))).toMatchObject({
      status: 404,
    });
    expect(await failure(deleteReloadTask(task.id, { hostConfig }))).toMatchObject({ status: 404 });
  });

  it("pages the list with next links", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await createReloadTask(
        { appId, recurrence: [`RRULE:FREQ=DAILY;BYHOUR=${i}`], startDateTime: "2026-01-01T00:00:00Z" },
        { hostConfig },
      );
      ids.push(res.data.id);
    }
    const first = await getReloadTasks({ appId, limit: 2 }, { hostConfig, noCache: true });
    expect(first.data.data.map((t) => t.id)).toEqual(ids.slice(0, 2));
    expect(first.next).toBeDefined();
    const second = await first.next!({ hostConfig, noCache: true });
    expect(second.data.data.map((t) => t.id)).toEqual(ids.slice(2));
    for (const id of ids) await deleteReloadTask(id, { hostConfig });
  });

  it("rejects what Qlik rejects, in Qlik's error shape, and stores nothing", async () => {
    const base = { appId, startDateTime: "2026-01-01T02:00:00", timeZone: "UTC" };
    const bad = [
      { ...base, recurrence: ["FREQ=DAILY"] }, // no RRULE: prefix
      { ...base, recurrence: ["RRULE:BYHOUR=2"] }, // no FREQ
      { ...base, recurrence: ["RRULE:FREQ=FORTNIGHTLY"] },
      { ...base, recurrence: ["RRULE:FREQ=DAILY;BYHOUR=25"] },
      { ...base, recurrence: ["DTSTART:20260101T020000Z"] },
      { ...base, recurrence: ["RRULE:FREQ=DAILY"], timeZone: "Mars/Olympus" },
      { ...base, recurrence: ["RRULE:FREQ=DAILY"], startDateTime: "2026-01-01T02:00:00+01:00" },
      { appId, recurrence: ["RRULE:FREQ=DAILY"], startDateTime: "2026-01-01T02:00:00" }, // no zone at all
      { appId, recurrence: ["RRULE:FREQ=DAILY"], timeZone: "UTC" }, // no start
      { recurrence: ["RRULE:FREQ=DAILY"], startDateTime: "2026-01-01T02:00:00Z" }, // no app
    ];
    for (const body of bad) {
      const f = await failure(createReloadTask(body, { hostConfig }));
      expect({ body, status: f.status }).toEqual({ body, status: 400 });
      expect(f.code).toBe("TASKS-400");
      expect(f.detail.length).toBeGreaterThan(10);
    }
    const noFreq = await failure(
      createReloadTask({ ...base, recurrence: ["RRULE:BYHOUR=2"] }, { hostConfig }),
    );
    expect(noFreq.detail).toContain("FREQ");

    const unknownApp = await failure(
      createReloadTask({ ...base, appId: "no-such-app", recurrence: ["RRULE:FREQ=DAILY"] }, { hostConfig }),
    );
    expect(unknownApp).toMatchObject({ status: 404, code: "TASKS-404" });
    expect(unknownApp.detail).toContain("no-such-app");

    const unknownTask = await failure(
      updateReloadTask(
        "0123456789abcdef01234567",
        { ...base, recurrence: ["RRULE:FREQ=DAILY"] },
        { hostConfig },
      ),
    );
    expect(unknownTask.status).toBe(404);

    const listed = await getReloadTasks({ appId }, { hostConfig, noCache: true });
    expect(listed.data.data).toEqual([]);
  });

  it("drops an app's tasks when the app is deleted", async () => {
    const t = sim.description.tenants[0];
    const victim = [...sim.tenant(t.name).apps.keys()].find((id) => id !== appId) ?? appId;
    const created = await createReloadTask(
      { appId: victim, recurrence: ["RRULE:FREQ=DAILY"], startDateTime: "2026-01-01T00:00:00Z" },
      { hostConfig },
    );
    await deleteApp(victim, { hostConfig });
    expect(await failure(getReloadTask(created.data.id, { hostConfig, noCache: true }))).toMatchObject({
      status: 404,
    });
    const listed = await getReloadTasks({ appId: victim }, { hostConfig, noCache: true });
    expect(listed.data.data).toEqual([]);
  });
});
