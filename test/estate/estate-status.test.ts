// estate-status end to end: the bundled action, run as the runner runs it, over a simulator estate that
// holds every case — current, another version, never deployed, a failed reload, unreachable, a refused
// key, drifted from the blueprint, OAuth credentials — reports each exactly, writes nothing to any
// tenant (only OAuth token requests), leaks no secret, and its not-current list fed to rollout-canary's
// `tenants-from` deploys exactly those tenants.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@qlik-cicd/common";
import { deployApp, reloadApp, type EstateReport } from "@qlik-cicd/delivery";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator, type RunningSimulator } from "@qlik-cicd/simulator";
import { configureTenant, parseBlueprint } from "@qlik-cicd/tenant";
import {
  APP,
  appsBySpace,
  publishCounts,
  writeSources,
} from "../../packages/delivery/test/rollout-helpers.ts";
import { runBundledAction, type ActionRun } from "../helpers/run-bundled-action.ts";

const OLD = "a".repeat(40);
const NEW = "b1c2d3e4f5".repeat(4);
const BAD_KEY = "not-the-key-of-tenant-6-000000";
const FAST = { reloadPollIntervalMs: 25, publishAccessTimeoutMs: 15_000 };

let sim: RunningSimulator;
let work: string;
let env: Record<string, string>;
let secretValues: string[];
let run: ActionRun;
let report: EstateReport;

const blueprintYaml = (n: number) =>
  [
    "version: 1",
    `serviceAccounts: [${Array.from({ length: n }, (_, i) => `"qlik-sim|tenant-${i + 1}-admin"`).join(", ")}]`,
    "spaces:",
    "  - name: customer-data",
    "    type: data",
    "",
  ].join("\n");

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function withClient<T>(i: number, work: (client: QlikClient) => Promise<T>): Promise<T> {
  const t = sim.description.tenants[i];
  const client = new QlikClient({ tenantUrl: t.url, apiKey: t.apiKey });
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

function writes(tenant: string) {
  return sim.control
    .requestLog(tenant)
    .filter((e) => e.method !== "GET" && e.method !== "HEAD")
    .map((e) => `${e.method} ${e.path}`);
}

beforeAll(async () => {
  sim = await startSimulator({
    tenants: 8,
    seed: "demo",
    timings: { reloadMs: 30, publishAccessWindowMs: 0 },
  });
  work = mkdtempSync(join(tmpdir(), "estate-status-"));
  const { v1, v2 } = await writeSources(sim, join(work, "apps"));
  const blueprint = parseBlueprint(blueprintYaml(8), "blueprint.yml");
  writeFileSync(join(work, "blueprint.yml"), blueprintYaml(8));
  const deploy = (i: number, source: string, commit: string) =>
    withClient(i, (client) =>
      deployApp(
        client,
        {
          source,
          space: "production",
          appName: APP,
          provenance: { commit, ref: "refs/heads/main" },
          ...FAST,
        },
        { logger: silentLogger },
      ),
    );
  // tenant-1 current, tenant-2 the old version, tenant-3 never deployed, tenant-4 current with a failed
  // reload, tenant-5 unreachable, tenant-6 a refused key, tenant-7 current but not configured (drift),
  // tenant-8 current through OAuth client credentials.
  for (const i of [0, 3, 6, 7]) await deploy(i, v2, NEW);
  await deploy(1, v1, OLD);
  for (const i of [0, 1, 2, 3, 7]) {
    await withClient(i, (client) =>
      configureTenant(client, { blueprint, mode: "apply", baseDir: work, env: {} }),
    );
  }
  const t4 = sim.description.tenants[3];
  const t4App = appsBySpace(sim, t4.name).production[0];
  sim.control.failNextReload(t4.name, t4App, { message: "The customer database is down" });
  await withClient(3, (client) =>
    reloadApp(client, t4App, { timeoutMs: 10_000, pollIntervalMs: 25, logger: silentLogger }).catch(
      () => undefined,
    ),
  );

  const port = await closedPort();
  env = {};
  const lines = ["version: 1", "tenants:"];
  sim.description.tenants.forEach((t, i) => {
    const url = i === 4 ? `http://127.0.0.1:${port}` : t.url;
    let credentials: string;
    if (i === 7) {
      env.SIM_ID_8 = t.clientId;
      env.SIM_SECRET_8 = t.clientSecret;
      credentials = "{ clientIdEnv: SIM_ID_8, clientSecretEnv: SIM_SECRET_8 }";
    } else {
      env[`SIM_KEY_${i + 1}`] = i === 5 ? BAD_KEY : t.apiKey;
      credentials = `{ apiKeyEnv: SIM_KEY_${i + 1} }`;
    }
    lines.push(
      `  - name: ${t.name}`,
      `    url: ${url}`,
      `    region: ${t.region}`,
      `    credentials: ${credentials}`,
    );
  });
  writeFileSync(join(work, "tenants.yml"), `${lines.join("\n")}\n`);
  secretValues = [...sim.description.tenants.flatMap((t) => [t.apiKey, t.clientSecret]), BAD_KEY];

  for (const t of sim.description.tenants) sim.control.clearRequestLog(t.name);
  run = await runBundledAction("estate-status", {
    inputs: {
      "tenants-file": "tenants.yml",
      space: "production",
      "app-name": APP,
      "expected-version": NEW.slice(0, 12),
      blueprint: "blueprint.yml",
      "max-parallel": "4",
      "fail-on": "unreachable, failed-reload, not-current, drift",
    },
    env,
    workspace: work,
    timeoutMs: 90_000,
  });
  report = JSON.parse(readFileSync(run.outputs.report, "utf8")) as EstateReport;
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("estate-status over a mixed estate", () => {
  it("reports every tenant exactly, problems first, and fails the step as fail-on asks", () => {
    const byName = Object.fromEntries(report.tenants.map((t) => [t.name, t]));
    const view = Object.fromEntries(
      report.tenants.map((t) => [
        t.name,
        {
          access: t.access,
          problems: t.problems,
          status: t.apps[0]?.status,
          reload: t.apps[0]?.reload?.status,
        },
      ]),
    );
    expect(view).toEqual({
      "tenant-1": { access: "ok", problems: [], status: "current", reload: "SUCCEEDED" },
      "tenant-2": { access: "ok", problems: ["not-current"], status: "other", reload: "SUCCEEDED" },
      "tenant-3": { access: "ok", problems: ["not-current"], status: "missing", reload: undefined },
      "tenant-4": { access: "ok", problems: ["failed-reload"], status: "current", reload: "FAILED" },
      "tenant-5": { access: "unreachable", problems: ["unreachable"], status: undefined, reload: undefined },
      "tenant-6": {
        access: "bad-credentials",
        problems: ["bad-credentials"],
        status: undefined,
        reload: undefined,
      },
      "tenant-7": { access: "ok", problems: ["drift"], status: "current", reload: "SUCCEEDED" },
      "tenant-8": { access: "ok", problems: [], status: "current", reload: "SUCCEEDED" },
    });
    expect(report.tenants.map((t) => t.name)).toEqual([
      "tenant-2",
      "tenant-3",
      "tenant-4",
      "tenant-5",
      "tenant-6",
      "tenant-7",
      "tenant-1",
      "tenant-8",
    ]);
    expect(byName["tenant-1"].apps[0].version).toMatchObject({
      commit: NEW,
      label: `commit ${NEW.slice(0, 7)}`,
    });
    expect(byName["tenant-2"].apps[0].version?.commit).toBe(OLD);
    expect(byName["tenant-4"].apps[0].reload).toMatchObject({ failedInWindow: 1 });
    expect(byName["tenant-7"].drift?.differences).toBeGreaterThan(0);
    expect(byName["tenant-1"].drift).toEqual({ differences: 0, interactiveAdmins: 0, areas: {} });
    expect(report.notCurrent).toEqual(["tenant-2", "tenant-3"]);
    expect(report.counts).toEqual({
      tenants: 8,
      healthy: 2,
      problems: { unreachable: 1, "bad-credentials": 1, "failed-reload": 1, "not-current": 2, drift: 1 },
    });
    expect(report.versions.map((v) => `${v.label} ${v.status} ${v.tenants}`)).toEqual([
      `commit ${NEW.slice(0, 7)} current 4`,
      `commit ${OLD.slice(0, 7)} other 1`,
      "missing missing 1",
      "unreadable unreadable 2",
    ]);

    expect(run.exitCode).toBe(1);
    expect(run.errors.join("\n")).toContain(
      "The estate has problems 'fail-on' names: 2 tenants unreachable, 1 tenant failed-reload, 2 tenants not-current, 1 tenant drift.",
    );
    expect(JSON.parse(run.outputs["not-current"])).toEqual(["tenant-2", "tenant-3"]);
    expect(run.outputs.status).toBe("problems");
    expect(run.summary).toContain("### Tenants with problems");
    expect(run.summary.indexOf("tenant-2")).toBeLessThan(run.summary.indexOf("tenant-7"));
    expect(readFileSync(run.outputs.html, "utf8")).toContain(
      '<option value="not-current">not current (2)</option>',
    );
  });

  it("writes nothing to any tenant: every request but OAuth token requests is a read", () => {
    for (const t of sim.description.tenants) {
      const w = writes(t.name);
      expect({ tenant: t.name, writes: w.filter((x) => x !== "POST /oauth/token") }).toEqual({
        tenant: t.name,
        writes: [],
      });
    }
    expect(writes("tenant-8")).toContain("POST /oauth/token");
  });

  it("leaks no secret into the log, outputs, summary or files", () => {
    const files = readdirSync(join(work, "estate")).map((f) => readFileSync(join(work, "estate", f), "utf8"));
    // `::add-mask::` lines are how an action hands the runner its secrets to hide; nothing else may hold one.
    const log = run.stdout
      .split("\n")
      .filter((l) => !l.startsWith("::add-mask::"))
      .join("\n");
    expect(run.stdout).toContain(`::add-mask::${BAD_KEY}`);
    const everything = [log, run.stderr, run.summary, JSON.stringify(run.outputs), ...files].join("\n");
    for (const secret of secretValues) expect(everything).not.toContain(secret);
  });

  it("feeds its not-current list to rollout-canary, which deploys exactly those tenants", async () => {
    for (const t of sim.description.tenants) sim.control.clearRequestLog(t.name);
    const rollout = await runBundledAction("rollout-canary", {
      inputs: {
        "tenants-file": "tenants.yml",
        "tenants-from": run.outputs["not-current-file"],
        source: "apps/v2",
        space: "production",
        "app-name": APP,
        "max-parallel": "2",
      },
      env: { ...env, GITHUB_SHA: NEW },
      workspace: work,
      timeoutMs: 90_000,
    });
    expect(rollout.errors).toEqual([]);
    expect(rollout.exitCode).toBe(0);
    expect(JSON.parse(rollout.outputs.succeeded)).toEqual(["tenant-2", "tenant-3"]);
    const touched = sim.description.tenants.filter((t) => writes(t.name).length).map((t) => t.name);
    expect(touched).toEqual(["tenant-2", "tenant-3"]);
    expect(publishCounts(sim, "tenant-3").publish).toBe(1);

    const again = await runBundledAction("estate-status", {
      inputs: {
        "tenants-file": "tenants.yml",
        space: "production",
        "app-name": APP,
        "expected-version": NEW,
        selector: "name=tenant-2,name=tenant-3",
      },
      env,
      workspace: work,
    });
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.outputs["not-current"])).toEqual([]);
    expect(JSON.parse(again.outputs.counts)).toMatchObject({ tenants: 2, healthy: 2 });
  }, 120_000);
});
