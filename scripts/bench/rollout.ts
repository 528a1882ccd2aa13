// Benchmark: a staged rollout over 1,000 simulated tenants (50 ms latency per call, max-parallel 200).
// Run: node scripts/bench/rollout.ts [--tenants 1000] [--latency-ms 50] [--qix-latency-ms 50]
//        [--max-parallel 200] [--sequential 50] [--bake-seconds 1]
// The simulator runs in a child process (`qlik-sim`), so the peak RSS printed is the rollout's own.
// Printed: wall time vs the critical-path bound (Σ over waves of ceil(wave / max-parallel) × one
// tenant's deploy path, measured here on tenants outside the rollout, plus bake times; goal ≤ 1.25×;
// each wave's time is printed against its share of that bound),
// vs a sequential loop measured on --sequential tenants and scaled (goal ≥ 20× faster), and peak RSS
// (goal ≤ 256 MB), the rollout's CPU per tenant (and the bound it implies for one event loop), and the
// CPU the simulator used meanwhile (it shares the machine's cores). Every call costs the latency: REST
// requests, WebSocket upgrades and each QIX request (--qix-latency-ms sets the last apart; 0 gives the
// REST-only model). Not part of the tests; takes a few minutes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { getItems } from "@qlik/api/items";
import { AppTree, unbuildApp, writeAppTree } from "@qlik-cicd/app-files";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { deployApp, rolloutApp, statusLists } from "@qlik-cicd/delivery";
import { startSimulatorProcess } from "./simulator-process.ts";

const { values } = parseArgs({
  options: {
    tenants: { type: "string", default: "1000" },
    "latency-ms": { type: "string", default: "50" },
    "max-parallel": { type: "string", default: "200" },
    sequential: { type: "string", default: "50" },
    "bake-seconds": { type: "string", default: "1" },
    "qix-latency-ms": { type: "string" },
  },
});
const tenants = Number(values.tenants);
const latencyMs = Number(values["latency-ms"]);
const maxParallel = Number(values["max-parallel"]);
const sequentialCount = Number(values.sequential);
const bakeSeconds = Number(values["bake-seconds"]);
const qixLatencyMs = values["qix-latency-ms"] === undefined ? latencyMs : Number(values["qix-latency-ms"]);
const APP = "Customer Analytics";
const DEPLOY = { reloadPollIntervalMs: 250, publishAccessTimeoutMs: 30_000 };

// 1. The simulator in its own process: rollout tenants + tenants for the sequential sample.
const { sim, description } = await startSimulatorProcess([
  "--tenants",
  String(tenants + sequentialCount),
  "--latency-ms",
  String(latencyMs),
  "--qix-latency-ms",
  String(qixLatencyMs),
  "--seed",
  "bench",
]);
/** CPU time (user + system) the simulator process has used so far, ms (Linux /proc; NaN elsewhere). */
function simCpuMs(): number {
  try {
    const fields = readFileSync(`/proc/${sim.pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks (100/s)
  } catch {
    return Number.NaN;
  }
}
// Quick reloads and publish access, so the measured path is the calls' latency, not simulated waits.
await fetch(`${description.control}/timings`, {
  method: "PUT",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ reloadMs: 20, publishAccessWindowMs: 0 }),
});

const work = mkdtempSync(join(tmpdir(), "bench-rollout-"));
try {
  // 2. The source: the seeded demo app, unbuilt.
  const first = description.tenants[0];
  const c0 = new QlikClient({ tenantUrl: first.url, apiKey: first.apiKey });
  const items = await c0.call({ tier: "read", method: "GET", resource: "/api/v1/items" }, (opts) =>
    getItems({ resourceType: "app", limit: 100 }, opts),
  );
  const devId = items.data.data.find((i) => i.name === "Sales Analytics")?.resourceId as string;
  const tree = await c0.withApp(devId, (doc) => unbuildApp(doc));
  await c0.close();
  const source = join(work, "app");
  await writeAppTree(source, new AppTree(tree.content));

  // 3. Sequential loop on tenants outside the rollout: one tenant's deploy path, and the sequential rate.
  const sample = description.tenants.slice(tenants, tenants + sequentialCount);
  const durations: number[] = [];
  const seqStart = performance.now();
  for (const t of sample) {
    const client = new QlikClient({ tenantUrl: t.url, apiKey: t.apiKey });
    const s = performance.now();
    await deployApp(client, { source, space: "production", appName: APP, ...DEPLOY });
    durations.push(performance.now() - s);
    await client.close();
  }
  const sequentialMs = performance.now() - seqStart;
  const sorted = [...durations].sort((a, b) => a - b);
  const oneTenantMs = sorted[Math.floor(sorted.length / 2)];

  const rssBeforeMb = process.resourceUsage().maxRSS / 1024;
  // 4. The rollout.
  const env: Record<string, string> = {};
  const lines = ["version: 1", "tenants:"];
  description.tenants.slice(0, tenants).forEach((t, i) => {
    env[`BENCH_KEY_${i}`] = t.apiKey;
    lines.push(
      `  - name: ${t.name}`,
      `    url: ${t.url}`,
      `    region: ${t.region}`,
      `    credentials: { apiKeyEnv: BENCH_KEY_${i} }`,
    );
  });
  writeFileSync(join(work, "tenants.yml"), `${lines.join("\n")}\n`);
  const start = performance.now();
  const rolloutCpu = process.cpuUsage();
  const simCpuBefore = simCpuMs();
  const run = await rolloutApp({
    tenantsFile: join(work, "tenants.yml"),
    source,
    space: "production",
    appName: APP,
    canary: "1%",
    waves: "10%,50%",
    maxParallel,
    bakeSeconds,
    healthChecks: "reload",
    stateFile: join(work, "state.json"),
    env,
    deploy: DEPLOY,
  });
  const wallMs = performance.now() - start;
  const rolloutCpuUsed = process.cpuUsage(rolloutCpu);
  const simCpuUsed = simCpuMs() - simCpuBefore;
  const lists = statusLists(run.state!);

  const waves = run.plan.waves.map((w) => w.tenants.length);
  const bound = waves.reduce(
    (sum, n) => sum + Math.ceil(n / maxParallel) * oneTenantMs + bakeSeconds * 1000,
    0,
  );
  const scaledSequential = (sequentialMs / sample.length) * tenants;
  const rolloutCpuMs = (rolloutCpuUsed.user + rolloutCpuUsed.system) / 1000;
  const cpuPerTenantMs = rolloutCpuMs / tenants;
  // Each wave is bound by the latency path or by the CPU its tenants need on one event loop, whichever is longer.
  const cpuBound = waves.reduce(
    (sum, n) =>
      sum + Math.max(Math.ceil(n / maxParallel) * oneTenantMs, n * cpuPerTenantMs) + bakeSeconds * 1000,
    0,
  );
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `rollout of ${tenants} tenants, ${latencyMs} ms latency per REST call and WebSocket upgrade, ${qixLatencyMs} ms per QIX request, max-parallel ${maxParallel}`,
  );
  console.log(`  waves: ${waves.join(", ")} tenants; bake ${bakeSeconds} s after each`);
  console.log(
    `  result: ${lists.succeeded.length} deployed, ${lists.failed.length} failed, ${lists.rolledBack.length} rolled back, ${lists.skipped.length} skipped (${run.report.status})`,
  );
  const waveTimes = run.report.waves.map((w, i) => {
    const waveBound = Math.ceil(waves[i] / maxParallel) * oneTenantMs + bakeSeconds * 1000;
    return `${w.tenants}: ${fmt(w.durationMs ?? Number.NaN)} (bound ${fmt(waveBound)})`;
  });
  console.log(`  each wave (deploys, bake, health checks) against its bound: ${waveTimes.join(", ")}`);
  console.log(
    `  one tenant's deploy path (median of ${sample.length} sequential deploys): ${fmt(oneTenantMs)}`,
  );
  console.log(
    `  wall time ${fmt(wallMs)} vs critical-path bound ${fmt(bound)}: ${(wallMs / bound).toFixed(2)}× (goal ≤ 1.25×)`,
  );
  console.log(
    `  sequential loop: ${fmt(sequentialMs)} for ${sample.length} tenants → ${fmt(scaledSequential)} for ${tenants}: rollout is ${(scaledSequential / wallMs).toFixed(1)}× faster (goal ≥ 20×)`,
  );
  console.log(
    `  CPU: the rollout used ${fmt(rolloutCpuMs)} (${cpuPerTenantMs.toFixed(1)} ms per tenant) in ${fmt(wallMs)}; with one event loop a wave takes at least its tenants × that, so the waves alone need ≥ ${fmt(cpuBound)} (vs ${fmt(bound)} by latency)`,
  );
  console.log(
    `  simulator process used ${Number.isNaN(simCpuUsed) ? "?" : fmt(simCpuUsed)} CPU during the rollout; machine: ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log(
    `  peak RSS of the rollout process: ${rssMb.toFixed(0)} MB (goal ≤ 256 MB; ${rssBeforeMb.toFixed(0)} MB before the rollout started)`,
  );
} finally {
  sim.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
