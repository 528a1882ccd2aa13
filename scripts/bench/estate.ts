// Benchmark: estate-status over 1,000 simulated tenants (50 ms latency per call, max-parallel 200), run
// as the bundled action (`node actions/estate-status/dist/index.js`, built first) the way the runner runs it.
// Run: node scripts/bench/estate.ts [--tenants 1000] [--latency-ms 50] [--max-parallel 200] [--sequential 20]
// The simulator runs in a child process (`qlik-sim`). Each tenant gets an app with a deployment record
// (85 % the expected commit, 10 % an older one, 5 % none) and a reload (3 % of them failed), written
// through the REST API before the measurement. Printed beside their goals:
//  - wall time vs max(critical-path bound, CPU bound), goal ≤ 1.25×: the critical-path bound is
//    ceil(tenants / max-parallel) × one tenant's read path (the median of --sequential tenants read one
//    at a time, outside the estate), as the rollout benchmark defines it; the CPU bound is the tenants ×
//    the action's CPU per tenant (one event loop);
//  - CPU per tenant of the version and reload read, goal ≤ 4 ms: the action process's CPU reading every
//    tenant, less the same run reading one (start, parsing the whole inventory, masking the keys), per
//    tenant; the whole process's CPU per tenant is printed beside it;
//  - memory flat in the number of tenants: the live heap (the largest heap left after a full collection,
//    from --trace-gc, or at exit) reading all tenants vs reading a quarter of them (shard 1/4); it may
//    grow only by what the report itself holds, goal ≤ 16 kB per tenant. Peak RSS is printed too: it
//    also counts garbage V8 had not collected yet.
// Exits 1 when a goal is missed. Not part of the tests.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { createApp } from "@qlik/api/apps";
import { queueReload } from "@qlik/api/reloads";
import { mapLimit, silentLogger } from "@qlik-cicd/common";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { listSpaces, readEstate, writeDeploymentRecord, type EstateReport } from "@qlik-cicd/delivery";
import { startSimulatorProcess, type SimulatorDescription } from "./simulator-process.ts";

const { values } = parseArgs({
  options: {
    /** Folder for a CPU profile of the full run (node --cpu-prof). */
    "cpu-prof": { type: "string" },
    sequential: { type: "string", default: "20" },
    tenants: { type: "string", default: "1000" },
    "max-parallel": { type: "string", default: "200" },
    "latency-ms": { type: "string", default: "50" },
  },
});
const tenants = Number(values.tenants);
const latencyMs = Number(values["latency-ms"]);
const maxParallel = Number(values["max-parallel"]);
const sequentialCount = Number(values.sequential);
const APP = "Customer Analytics";
const SPACE = "development";
const NEW = "c0ffee".repeat(6) + "beef";
const OLD = "0ld0".repeat(10);
const root = join(import.meta.dirname, "..", "..");
const bundle = join(root, "actions", "estate-status", "dist", "index.js");

// 0. The bundle, built from the sources as they are.
const built = spawnSync(process.execPath, [join(root, "scripts", "build-actions.ts"), "estate-status"], {
  stdio: ["ignore", "ignore", "inherit"],
});
if (built.status !== 0) {
  console.error("Building actions/estate-status failed.");
  process.exit(2);
}

// 1. The simulator in its own process.
const { sim, description } = await startSimulatorProcess([
  "--tenants",
  String(tenants + sequentialCount),
  "--latency-ms",
  String(latencyMs),
  "--seed",
  "bench",
]);
const control = (method: string, path: string, body: unknown) =>
  fetch(`${description.control}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
await control("PUT", "/timings", { reloadMs: 20 });

/** Peak RSS and CPU of a child process, written by a preload module when it exits. */
interface ProcessStats {
  cpuMs: number;
  maxRssMb: number;
  /** Heap in use at exit after a full collection: what the run kept. */
  retainedHeapMb: number;
  /** Largest heap in use after any full collection during the run (from --trace-gc): the live set. */
  liveHeapMb: number;
}

const work = mkdtempSync(join(tmpdir(), "bench-estate-"));
const statsModule = join(work, "stats.mjs");
writeFileSync(
  statsModule,
  `import { writeFileSync } from "node:fs";
process.on("exit", () => {
  const u = process.resourceUsage();
  globalThis.gc?.();
  writeFileSync(process.env.BENCH_STATS, JSON.stringify({
    cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000,
    maxRssMb: u.maxRSS / 1024,
    retainedHeapMb: process.memoryUsage().heapUsed / 1048576,
  }));
});
`,
);

async function runAction(
  inputs: Record<string, string>,
  env: Record<string, string>,
): Promise<{ wallMs: number; stats: ProcessStats; report: EstateReport; exitCode: number }> {
  const dir = mkdtempSync(join(work, "run-"));
  for (const f of ["output", "summary"]) writeFileSync(join(dir, f), "");
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: work,
    RUNNER_TEMP: dir,
    GITHUB_OUTPUT: join(dir, "output"),
    GITHUB_STEP_SUMMARY: join(dir, "summary"),
    BENCH_STATS: join(dir, "stats.json"),
    ...env,
  };
  const all = { ...inputs, "report-dir": relative(work, join(dir, "estate")) };
  for (const [k, v] of Object.entries(all)) childEnv[`INPUT_${k.toUpperCase()}`] = v;
  const start = performance.now();
  const profile =
    values["cpu-prof"] && !inputs.shard ? ["--cpu-prof", "--cpu-prof-dir", values["cpu-prof"]] : [];
  const child = spawn(
    process.execPath,
    [...profile, "--trace-gc", "--expose-gc", "--import", statsModule, bundle],
    {
      env: childEnv,
      cwd: work,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  // --trace-gc prints "Mark-Compact 95.1 (204.8) -> 32.5 (201.1) MB" for every full collection.
  let liveHeapMb = 0;
  createInterface({ input: child.stdout }).on("line", (line) => {
    const m = /Mark-Compact [\d.]+ \([\d.]+\) -> ([\d.]+) /.exec(line);
    if (m) liveHeapMb = Math.max(liveHeapMb, Number(m[1]));
  });
  const exitCode: number = await new Promise((resolve) => child.on("close", (code) => resolve(code ?? 1)));
  const wallMs = performance.now() - start;
  const written = JSON.parse(readFileSync(join(dir, "stats.json"), "utf8")) as Omit<
    ProcessStats,
    "liveHeapMb"
  >;
  const stats = { ...written, liveHeapMb: Math.max(liveHeapMb, written.retainedHeapMb) };
  const reportDir = join(dir, "estate");
  const report = JSON.parse(readFileSync(join(reportDir, readReportName(inputs)), "utf8")) as EstateReport;
  return { wallMs, stats, report, exitCode };
}

function readReportName(inputs: Record<string, string>): string {
  return inputs.shard ? `estate-report-shard${inputs.shard.replace("/", "of")}.json` : "estate-report.json";
}

let failed = false;
try {
  // 2. Every tenant gets the app, a deployment record and a reload, through the REST API.
  const setupStart = performance.now();
  await mapLimit(description.tenants, maxParallel, async (t, i) => {
    const client = new QlikClient({ tenantUrl: t.url, apiKey: t.apiKey }, { logger: silentLogger });
    try {
      const space = (await listSpaces(client)).find((s) => s.name === SPACE)!;
      const created = await client.call(
        { tier: "write", method: "POST", resource: "/api/v1/apps", operation: "create app" },
        (opts) => createApp({ attributes: { name: APP, spaceId: space.id } }, opts),
      );
      const appId = created.data.attributes?.id as string;
      if (i % 20 !== 19) {
        const commit = i % 10 === 3 ? OLD : NEW;
        await writeDeploymentRecord(client, appId, {
          schema: 1,
          appName: APP,
          sourceDigest: "ab".repeat(32),
          commit,
          commitTime: "2026-12-01T09:00:00.000Z",
          ref: "refs/heads/main",
          deployedAt: "2026-12-02T09:00:00.000Z",
        });
      }
      if (i % 33 === 5) await control("POST", `/tenants/${t.name}/apps/${appId}/fail-next-reload`, {});
      await client.call(
        { tier: "reload", method: "POST", resource: "/api/v1/reloads", operation: "reload app" },
        (opts) => queueReload({ appId }, opts),
      );
    } finally {
      await client.close();
    }
  });
  await new Promise((r) => setTimeout(r, 500));
  const setupMs = performance.now() - setupStart;

  // 3. Inventories: the estate, and the sample read one tenant at a time.
  const env: Record<string, string> = {};
  const inventory = (list: SimulatorDescription["tenants"], offset: number) => {
    const lines = ["version: 1", "tenants:"];
    list.forEach((t, i) => {
      env[`BENCH_KEY_${offset + i}`] = t.apiKey;
      lines.push(
        `  - name: ${t.name}`,
        `    url: ${t.url}`,
        `    region: ${t.region}`,
        `    credentials: { apiKeyEnv: BENCH_KEY_${offset + i} }`,
      );
    });
    return `${lines.join("\n")}\n`;
  };
  writeFileSync(join(work, "tenants.yml"), inventory(description.tenants.slice(0, tenants), 0));
  const sample = description.tenants.slice(tenants, tenants + sequentialCount);
  writeFileSync(join(work, "sample.yml"), inventory(sample, tenants));

  // 4. One tenant's read path: the sample, one tenant at a time, in this process.
  const durations: number[] = [];
  for (const t of sample) {
    const s = performance.now();
    await readEstate({
      tenantsFile: join(work, "sample.yml"),
      space: SPACE,
      apps: [APP],
      selector: `name=${t.name}`,
      expected: { [APP]: NEW },
      maxParallel: 1,
      env,
    });
    durations.push(performance.now() - s);
  }
  const oneTenantMs = [...durations].sort((a, b) => a - b)[Math.floor(durations.length / 2)];

  // 5. The bundled action: a quarter of the estate (for the memory comparison), then all of it.
  const inputs = {
    "tenants-file": "tenants.yml",
    space: SPACE,
    "app-name": APP,
    "expected-version": NEW,
    "max-parallel": String(maxParallel),
  };
  const quarter = await runAction({ ...inputs, shard: "1/4" }, env);
  const full = await runAction(inputs, env);
  // What the action costs before any tenant is read: start, the whole inventory parsed and checked,
  // every key masked — the same run with a selector that picks one tenant.
  const one = await runAction({ ...inputs, selector: `name=${description.tenants[0].name}` }, env);

  const r = full.report;
  const bound = Math.ceil(tenants / maxParallel) * oneTenantMs;
  const cpuPerTenantMs = full.stats.cpuMs / tenants;
  const readCpuPerTenantMs = (full.stats.cpuMs - one.stats.cpuMs) / (tenants - 1);
  const cpuBound = tenants * cpuPerTenantMs;
  const limit = 1.25 * Math.max(bound, cpuBound);
  const perTenantKb =
    ((full.stats.liveHeapMb - quarter.stats.liveHeapMb) * 1024) / (tenants - quarter.report.counts.tenants);
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const verdict = (ok: boolean) => {
    if (!ok) failed = true;
    return ok ? "ok" : "MISSED";
  };
  const versions = r.versions.map((v) => `${v.label} ${v.status} ${v.tenants}`).join(", ");
  console.log(
    `estate-status over ${tenants} tenants, ${latencyMs} ms latency per call, max-parallel ${maxParallel} (the bundled action, exit code ${full.exitCode})`,
  );
  console.log(`  setup (app, record, reload per tenant over REST): ${fmt(setupMs)}`);
  console.log(
    `  result: ${r.counts.tenants} tenants, ${r.counts.healthy} healthy; ${r.notCurrent.length} not current, ${r.counts.problems["failed-reload"]} failed reloads, ${r.counts.problems.unreachable} unreachable; versions: ${versions}`,
  );
  console.log(
    `  one tenant's read path (median of ${sample.length} read one at a time): ${fmt(oneTenantMs)}`,
  );
  console.log(
    `  critical-path bound ceil(${tenants}/${maxParallel}) × ${fmt(oneTenantMs)} = ${fmt(bound)}; CPU bound ${tenants} × ${cpuPerTenantMs.toFixed(2)} ms = ${fmt(cpuBound)}`,
  );
  console.log(
    `  wall time ${fmt(full.wallMs)} vs 1.25 × max(bounds) = ${fmt(limit)}: ${(full.wallMs / Math.max(bound, cpuBound)).toFixed(2)}× (goal ≤ 1.25×) ${verdict(full.wallMs <= limit)}`,
  );
  console.log(
    `  CPU of the action process: ${fmt(full.stats.cpuMs)}, ${cpuPerTenantMs.toFixed(2)} ms per tenant; of which ${fmt(one.stats.cpuMs)} before any read (start, inventory of ${tenants} tenants, masks: the run reading one tenant)`,
  );
  console.log(
    `  CPU of the version and reload read: ${readCpuPerTenantMs.toFixed(2)} ms per tenant (goal ≤ 4 ms) ${verdict(readCpuPerTenantMs <= 4)}`,
  );
  console.log(
    `  memory: live heap (after full collections) ${full.stats.liveHeapMb.toFixed(1)} MB for ${tenants} tenants vs ${quarter.stats.liveHeapMb.toFixed(1)} MB for ${quarter.report.counts.tenants} (shard 1/4): ${perTenantKb.toFixed(1)} kB more per tenant, what the report holds (goal ≤ 16 kB, flat otherwise) ${verdict(perTenantKb <= 16)}; peak RSS ${full.stats.maxRssMb.toFixed(0)} MB vs ${quarter.stats.maxRssMb.toFixed(0)} MB (garbage V8 had not collected yet)`,
  );
  console.log(
    `  machine: ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  if (full.exitCode !== 0 || r.counts.tenants !== tenants) {
    console.log("  the action did not read every tenant: MISSED");
    failed = true;
  }
} finally {
  sim.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
