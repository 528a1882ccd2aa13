// Reload schedules of monitoring apps against the simulator's reload-tasks API: a dry run changes nothing,
// apply creates the task after the deploy, re-apply changes nothing, a changed recurrence updates the same
// task, drift reports a task deleted or changed out of band, and bad schedules fail at parse time.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ConfigError, MemoryLogger } from "@qlik-cicd/common";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator } from "@qlik-cicd/simulator";
import { deleteReloadTask, getReloadTasks, updateReloadTask } from "@qlik/api/reload-tasks";
import { configureTenant, parseBlueprint } from "../src/index.ts";
import type { Blueprint, ReloadScheduleSpec } from "../src/index.ts";
import { unbuiltAppFolder } from "./helpers.ts";

type Sim = Awaited<ReturnType<typeof startSimulator>>;
let sim: Sim;
let client: QlikClient;
let tenantName: string;
let appDir: string;
let hostConfig: { authType: "apikey"; host: string; apiKey: string };

const NOW = new Date("2026-03-04T10:20:30Z");

function blueprint(schedule: ReloadScheduleSpec): Blueprint {
  return {
    version: 1,
    monitoring: { space: "ops-monitoring", apps: [{ source: appDir, name: "Reload Monitor", schedule }] },
  };
}

const daily: ReloadScheduleSpec = { recurrence: ["RRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=0"], timeZone: "UTC" };

function monitorAppId(): string | undefined {
  const s = sim.control.state(tenantName);
  const space = s.spaces.find((x) => x.name === "ops-monitoring");
  return space ? s.apps.find((a) => a.spaceId === space.id && a.name === "Reload Monitor")?.id : undefined;
}

async function tasks(appId: string) {
  const res = await getReloadTasks({ appId }, { hostConfig, noCache: true });
  return res.data.data;
}

async function allTasks() {
  const res = await getReloadTasks({ limit: 100 }, { hostConfig, noCache: true });
  return res.data.data;
}

beforeAll(async () => {
  sim = await startSimulator({
    tenants: 1,
    seed: "demo",
    timings: { reloadMs: 20, publishAccessWindowMs: 0 },
  });
  const t = sim.description.tenants[0];
  tenantName = t.name;
  hostConfig = { authType: "apikey", host: t.url, apiKey: t.apiKey };
  client = new QlikClient({ tenantUrl: t.url, apiKey: t.apiKey });
  appDir = await unbuiltAppFolder(client, sim.control.state(tenantName).apps[0].id);
});

afterAll(async () => {
  await client?.close();
  await sim?.stop();
});

describe("monitoring app reload schedules", () => {
  const logger = new MemoryLogger();
  const run = (bp: Blueprint, mode: "apply" | "plan" | "drift", dryRun = false) =>
    configureTenant(client, { blueprint: bp, mode, dryRun, baseDir: "/", now: () => NOW }, { logger });

  it("dry-run lists the schedule with the deploy and creates nothing", async () => {
    const before = await allTasks();
    const result = await run(blueprint(daily), "apply", true);
    expect(result.mode).toBe("plan");
    expect(result.changed).toBe(true);
    const kinds = result.plan.map((p) => p.kind);
    expect(kinds).toEqual(["create-space", "deploy-app", "create-reload-task"]);
    const schedule = result.plan[2];
    expect(schedule.target).toBe("reload schedule monitoring.apps[0]");
    expect(schedule.description).toContain("RRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=0");
    expect(monitorAppId()).toBeUndefined();
    expect(await allTasks()).toEqual(before);
  });

  it("apply deploys the app, then creates its reload task", async () => {
    const result = await run(blueprint(daily), "apply");
    expect(result.changed).toBe(true);
    expect(result.plan.map((p) => p.kind)).toEqual(["create-space", "deploy-app", "create-reload-task"]);
    const appId = monitorAppId();
    expect(appId).toBeDefined();
    const list = await tasks(appId!);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      appId,
      recurrence: daily.recurrence,
      timeZone: "UTC",
      startDateTime: "2026-03-04T00:00:00",
      partial: false,
      state: "Enabled",
    });
  });

  it("re-applying changes nothing, and plan and drift see nothing to do", async () => {
    const appId = monitorAppId()!;
    const [before] = await tasks(appId);
    const again = await run(blueprint(daily), "apply");
    expect(again.changed).toBe(false);
    expect(again.plan).toEqual([]);
    expect(await tasks(appId)).toEqual([before]);
    const plan = await run(blueprint(daily), "plan");
    expect(plan.plan).toEqual([]);
    const drift = await run(blueprint(daily), "drift");
    expect(drift.drift?.differences).toEqual([]);
  });

  it("a changed recurrence is planned as an update and updates the same task", async () => {
    const appId = monitorAppId()!;
    const [before] = await tasks(appId);
    const weekly: ReloadScheduleSpec = {
      recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=5"],
      timeZone: "Europe/Zurich",
    };
    const plan = await run(blueprint(weekly), "plan");
    expect(plan.plan.map((p) => p.kind)).toEqual(["update-reload-task"]);
    expect(plan.plan[0].description).toContain(
      "recurrence [RRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=0] → [RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=5]",
    );
    expect(plan.plan[0].description).toContain("time zone 'UTC' → 'Europe/Zurich'");
    expect(await tasks(appId)).toEqual([before]);

    const applied = await run(blueprint(weekly), "apply");
    expect(applied.changed).toBe(true);
    expect(applied.plan.map((p) => p.kind)).toEqual(["update-reload-task"]);
    const after = await tasks(appId);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      id: before.id,
      recurrence: weekly.recurrence,
      timeZone: "Europe/Zurich",
      startDateTime: before.startDateTime,
      state: "Enabled",
    });
    // Back to the daily schedule for the drift checks below.
    await run(blueprint(daily), "apply");
  });

  it("drift reports a task changed or deleted out of band; apply restores it", async () => {
    const appId = monitorAppId()!;
    const [task] = await tasks(appId);
    await updateReloadTask(
      task.id,
      {
        appId,
        recurrence: task.recurrence,
        startDateTime: task.startDateTime,
        timeZone: "UTC",
        state: "Disabled",
      },
      { hostConfig },
    );
    const disabled = await run(blueprint(daily), "drift");
    expect(disabled.drift?.inSync).toBe(false);
    expect(disabled.drift?.differences).toEqual([
      {
        area: "reload-schedules",
        target: "reload schedule monitoring.apps[0]",
        difference: expect.stringContaining("state Disabled → Enabled") as unknown as string,
      },
    ]);

    await deleteReloadTask(task.id, { hostConfig });
    const missing = await run(blueprint(daily), "drift");
    expect(missing.drift?.differences).toHaveLength(1);
    expect(missing.drift?.differences[0]).toMatchObject({
      area: "reload-schedules",
      target: "reload schedule monitoring.apps[0]",
    });
    expect(missing.drift?.differences[0].difference).toMatch(/^Schedule monitoring app Reload Monitor/);
    expect(missing.plan.map((p) => p.kind)).toEqual(["create-reload-task"]);
    expect(await tasks(appId)).toEqual([]);

    const restored = await run(blueprint(daily), "apply");
    expect(restored.plan.map((p) => p.kind)).toEqual(["create-reload-task"]);
    expect((await tasks(appId)).map((t) => t.recurrence)).toEqual([daily.recurrence]);
  });

  it("refuses malformed schedules when the blueprint is parsed", () => {
    const yaml = (schedule: string) =>
      `version: 1\nmonitoring:\n  apps:\n    - source: ./apps/monitor\n      schedule:\n${schedule}`;
    const problem = (text: string) => {
      try {
        parseBlueprint(text, "tenant.yml");
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error("expected a ConfigError");
    };
    expect(problem(yaml('        recurrence: ["FREQ=DAILY"]\n'))).toContain(
      "'monitoring.apps[0].schedule.recurrence[0]' does not have the expected form",
    );
    expect(problem(yaml('        recurrence: ["RRULE:BYHOUR=2"]\n'))).toContain("recurrence[0]");
    expect(
      problem(yaml('        recurrence: ["RRULE:FREQ=DAILY"]\n        timeZone: Mars/Olympus\n')),
    ).toMatch(
      /tenant\.yml:7: 'monitoring\.apps\[0\]\.schedule\.timeZone' 'Mars\/Olympus' is not an IANA time zone/,
    );
    expect(problem(yaml("        timeZone: UTC\n"))).toContain(
      "'monitoring.apps[0].schedule.recurrence' is required",
    );
    const ok = parseBlueprint(
      yaml('        recurrence: ["RRULE:FREQ=DAILY;BYHOUR=2"]\n        timeZone: Europe/Zurich\n'),
      "tenant.yml",
    );
    expect(ok.monitoring?.apps?.[0].schedule).toEqual({
      recurrence: ["RRULE:FREQ=DAILY;BYHOUR=2"],
      timeZone: "Europe/Zurich",
    });
  });
});
