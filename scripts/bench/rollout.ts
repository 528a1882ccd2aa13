// Benchmark: the artifact rollout over 1,000 simulated tenants (50 ms latency per call, max-parallel 200,
// 20 % of the tenants carrying their own parameters: a variable and a credentialed connection), run the
// way the runner runs it: `node actions/rollout-canary/dist/index.js` with INPUT_* variables (run
// `npm run build` first). Each run rolls out a new version (v1, v2, …: built once at the start, then
// shipped to every tenant); the figures are the median of --runs runs, printed beside their goals, and
// the script exits non-zero when a goal is missed:
//   - CPU ≤ 8 ms per tenant (the action process's user + system time / tenants);
//   - wall ≤ 1.25 × max(critical-path bound, CPU bound). The critical-path bound is the build path plus,
//     per wave, ceil(wave / max-parallel) × one tenant's ship path + the bake + one health-check call,
//     with the paths measured in the same run on tenants outside the rollout (the slower of the
//     with- and without-parameters medians, since every batch holds both); the CPU bound is the action's
//     measured CPU on one core;
//   - ≥ 20× faster than a sequential loop (measured on --sequential tenants, scaled, 80/20 mixed);
//   - peak RSS ≤ 256 MB (the action process, no V8 flags);
//   - cold start: the bundled deploy-to-space sends its first request within 2× the time a bare
//     `node -e "fetch(url)"` takes (median of 5 each, side by side);
//   - memory does not grow with the estate: two more rollouts, over --tenants and over --large tenants
//     (3,000), each force a full collection at every wave's end (the measuring module turns on V8's gc()
//     at run time; the action itself runs without flags) and record the heap left. The larger estate's
//     largest retained heap may exceed the smaller's by at most 10 %, and its wall time keeps the same
//     ratio to its bound (≤ 1.25×).
// Run: node scripts/bench/rollout.ts [--tenants 1000] [--large 3000 (0: skip)] [--latency-ms 50]
//        [--qix-latency-ms 50] [--max-parallel 200] [--sequential 40] [--bake-seconds 1] [--runs 3]
//        [--params-share 0.2]
// Not part of the tests; takes a few minutes.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { getItems } from "@qlik/api/items";
import { AppTree, unbuildApp, writeAppTree } from "@qlik-cicd/app-files";
import { QlikClient } from "@qlik-cicd/qlik-client";
import {
  buildArtifactOnce,
  shipArtifact,
  writeArtifact,
  type AppArtifact,
  type RolloutState,
} from "@qlik-cicd/delivery";
import { parseOutputFile } from "../../test/helpers/run-bundled-action.ts";
import { startSimulatorProcess } from "./simulator-process.ts";

const { values } = parseArgs({
  options: {
    tenants: { type: "string", default: "1000" },
    large: { type: "string", default: "3000" },
    "latency-ms": { type: "string", default: "50" },
    "max-parallel": { type: "string", default: "200" },
    sequential: { type: "string", default: "40" },
    "bake-seconds": { type: "string", default: "1" },
    "qix-latency-ms": { type: "string" },
    runs: { type: "string", default: "3" },
    "params-share": { type: "string", default: "0.2" },
  },
});
const tenants = Number(values.tenants);
const large = Number(values.large);
/** Tenants the simulator serves to rollouts; the sequential sample and the cold-start tenant come after. */
const estate = Math.max(tenants, large);
const latencyMs = Number(values["latency-ms"]);
const maxParallel = Number(values["max-parallel"]);
const sequentialCount = Math.max(2, Number(values.sequential));
const bakeSeconds = Number(values["bake-seconds"]);
const runs = Math.max(1, Number(values.runs));
const paramsShare = Number(values["params-share"]);
const qixLatencyMs = values["qix-latency-ms"] === undefined ? latencyMs : Number(values["qix-latency-ms"]);
const APP = "Customer Analytics";
const DEPLOY = { reloadPollIntervalMs: 250, publishAccessTimeoutMs: 30_000 };
const root = join(import.meta.dirname, "..", "..");
const actionMain = (name: string) => join(root, "actions", name, "dist", "index.js");
for (const name of ["rollout-canary", "deploy-to-space"]) {
  if (!existsSync(actionMain(name))) {
    console.error(`${actionMain(name)} is missing: run 'npm run build' first.`);
    process.exit(2);
  }
}

// 1. The simulator in its own process: rollout tenants, the sequential sample, one cold-start tenant.
const { sim, description } = await startSimulatorProcess([
  "--tenants",
  String(estate + sequentialCount + 1),
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
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, clock ticks (100/s)
  } catch {
    return Number.NaN;
  }
}
await fetch(`${description.control}/timings`, {
  method: "PUT",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ reloadMs: 20, publishAccessWindowMs: 0 }),
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const hasParams = (i: number) => paramsShare > 0 && i % Math.round(1 / paramsShare) === 0;
const SECRET_ENV = { BENCH_DB_USER: "bench-reader", BENCH_DB_PASSWORD: "bench-pa55word-not-real" };

/**
 * A usage reporter preloaded into the action's process, and so into every thread of it (the rollout runs
 * its engine in a worker thread): the process's CPU and peak RSS, and the engine thread's heap, written
 * at exit. The engine's figures go to a file of their own (`<usage file>.engine`).
 */
const work = mkdtempSync(join(tmpdir(), "bench-rollout-"));
const usageModule = join(work, "usage.mjs");
writeFileSync(
  usageModule,
  [
    `import { writeFileSync } from "node:fs";`,
    `import { setFlagsFromString } from "node:v8";`,
    `import { runInNewContext } from "node:vm";`,
    `import { isMainThread } from "node:worker_threads";`,
    `import { PerformanceObserver, constants } from "node:perf_hooks";`,
    // Time in garbage collection pauses on this thread, by kind (what the GC threads do alongside is
    // in the process's CPU only).
    `const gcMs = { minor: 0, major: 0, incremental: 0, other: 0, count: 0 };`,
    `new PerformanceObserver((list) => { for (const e of list.getEntries()) { const k = e.detail?.kind; const key = k === constants.NODE_PERFORMANCE_GC_MINOR ? "minor" : k === constants.NODE_PERFORMANCE_GC_MAJOR ? "major" : k === constants.NODE_PERFORMANCE_GC_INCREMENTAL ? "incremental" : "other"; gcMs[key] += e.duration; gcMs.count++; } }).observe({ entryTypes: ["gc"] });`,
    // The peak of each part of memory (sampled every 200 ms), to tell what a peak RSS is made of; the
    // heap figures are this thread's.
    `const peak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };`,
    `const sample = () => { const m = process.memoryUsage(); for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], m[k]); };`,
    `setInterval(sample, 200).unref();`,
    // BENCH_WAVE_HEAPS: a full collection of this thread's heap when a wave ends (its "healthy" or
    // "halting" line), then the heap left. The main thread also sees the engine's lines (it forwards
    // them); the engine's own file is the one read.
    `const waveHeaps = [];`,
    `if (process.env.BENCH_WAVE_HEAPS) {`,
    `  setFlagsFromString("--expose-gc");`,
    `  const gc = runInNewContext("gc");`,
    `  const write = process.stdout.write.bind(process.stdout);`,
    `  process.stdout.write = (chunk, ...rest) => {`,
    `    const end = /Wave (\\d+) \\([^)]*\\): (?:healthy|\\d+ of \\d+ tenants failed)/.exec(String(chunk));`,
    `    if (end) { gc(); waveHeaps.push({ wave: Number(end[1]), heapUsed: process.memoryUsage().heapUsed }); }`,
    `    return write(chunk, ...rest);`,
    `  };`,
    `}`,
    `process.on("exit", () => {`,
    `  sample();`,
    `  const file = process.env.BENCH_USAGE_FILE;`,
    `  if (!file) return;`,
    `  if (isMainThread) writeFileSync(file, JSON.stringify({ ...process.resourceUsage(), peak, waveHeaps, gcMs }));`,
    `  else writeFileSync(file + ".engine", JSON.stringify({ peak, waveHeaps, gcMs }));`,
    `});`,
    ``,
  ].join("\n"),
);

interface Usage {
  userCPUTime: number;
  systemCPUTime: number;
  maxRSS: number;
  /** Sampled peaks of process.memoryUsage(), bytes. */
  peak: Record<"rss" | "heapTotal" | "heapUsed" | "external" | "arrayBuffers", number>;
  /** With BENCH_WAVE_HEAPS: the heap left after a full collection at each wave's end, bytes. */
  waveHeaps: { wave: number; heapUsed: number }[];
  /** Garbage-collection pauses of the thread, ms by kind, and how many. */
  gcMs: { minor: number; major: number; incremental: number; other: number; count: number };
}

function runAction(
  name: string,
  inputs: Record<string, string>,
  env: Record<string, string>,
  usageFile?: string,
): Promise<{ code: number | null; ms: number; outputs: Record<string, string>; stderr: string }> {
  const out = join(work, `${name}-output-${Date.now()}`);
  writeFileSync(out, "");
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("INPUT_") && !k.startsWith("QLIK_")) childEnv[k] = v;
  Object.assign(childEnv, env, {
    GITHUB_OUTPUT: out,
    GITHUB_STEP_SUMMARY: join(work, "summary.md"),
    GITHUB_WORKSPACE: work,
    RUNNER_TEMP: join(work, "runner-temp"),
    ...(usageFile ? { BENCH_USAGE_FILE: usageFile } : {}),
  });
  for (const [k, v] of Object.entries(inputs)) childEnv[`INPUT_${k.toUpperCase()}`] = v;
  mkdirSync(join(work, "runner-temp"), { recursive: true });
  // BENCH_CPU_PROF=<dir>: a CPU profile of the action's process (for looking into it, not for figures).
  const prof =
    process.env.BENCH_CPU_PROF && usageFile
      ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF]
      : [];
  const args = usageFile ? [...prof, "--import", usageModule, actionMain(name)] : [actionMain(name)];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    env: childEnv,
    cwd: work,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on("exit", (code) =>
      resolve({
        code,
        ms: performance.now() - started,
        outputs: parseOutputFile(readFileSync(out, "utf8")),
        stderr,
      }),
    ),
  );
}

let failed = false;
const verdict = (ok: boolean) => {
  if (!ok) failed = true;
  return ok ? "ok" : "MISSED";
};

try {
  // 2. Sources: the seeded demo app, unbuilt, as v1..vN (each adds a TRACE line).
  const first = description.tenants[0];
  const c0 = new QlikClient({ tenantUrl: first.url, apiKey: first.apiKey });
  const items = await c0.call({ tier: "read", method: "GET", resource: "/api/v1/items" }, (opts) =>
    getItems({ resourceType: "app", limit: 100 }, opts),
  );
  const devId = items.data.data.find((i) => i.name === "Sales Analytics")?.resourceId as string;
  const tree = await c0.withApp(devId, (doc) => unbuildApp(doc));
  await c0.close();
  const sources: string[] = [];
  const versions = runs + (large > 0 ? 2 : 0);
  for (let r = 1; r <= versions; r++) {
    const dir = join(work, "apps", `v${r}`);
    await writeAppTree(
      dir,
      new AppTree({ ...tree.content, script: `${tree.content.script}\nTRACE v${r};\n` }),
    );
    sources.push(dir);
  }

  // 3. The inventories: every fifth tenant carries a variable and a credentialed connection.
  const env: Record<string, string> = { ...SECRET_ENV };
  description.tenants.slice(0, estate).forEach((t, i) => (env[`BENCH_KEY_${i}`] = t.apiKey));
  const writeInventory = (file: string, count: number) => {
    const lines = ["version: 1", "tenants:"];
    description.tenants.slice(0, count).forEach((t, i) => {
      lines.push(
        `  - name: ${t.name}`,
        `    url: ${t.url}`,
        `    region: ${t.region}`,
        `    credentials: { apiKeyEnv: BENCH_KEY_${i} }`,
        ...(hasParams(i)
          ? [
              "    parameters:",
              `      variables: { vTopN: "${5 + (i % 10)}" }`,
              "      connections:",
              "        SalesData: { username: { env: BENCH_DB_USER }, password: { secret: BENCH_DB_PASSWORD } }",
            ]
          : []),
      );
    });
    writeFileSync(join(work, file), `${lines.join("\n")}\n`);
  };
  writeInventory("tenants.yml", tenants);
  if (large > 0) writeInventory("tenants-large.yml", large);
  const sample = description.tenants.slice(estate, estate + sequentialCount);
  const coldTenant = description.tenants[estate + sequentialCount];

  interface RunFigures {
    wallMs: number;
    cpuMs: number;
    rssMb: number;
    criticalMs: number;
    ratio: number;
    speedup: number;
    buildMs: number;
    simCpuMs: number;
    plainMs: number;
    paramsMs: number;
    status: string;
    deployed: number;
    waves: string;
    /** MB left after a full collection at each wave's end (measuring runs only). */
    waveHeapsMb: number[];
  }
  /** One rollout of version `version` over the first `count` tenants (inventory `file`), measured. */
  const measureRun = async (
    version: number,
    file: string,
    count: number,
    waveHeaps: boolean,
  ): Promise<RunFigures> => {
    const r = version - 1;
    // 4. In the same run: the build path and one tenant's ship path, sequentially on the sample.
    const buildClient = new QlikClient({ tenantUrl: sample[0].url, apiKey: sample[0].apiKey });
    const b0 = performance.now();
    const artifact: AppArtifact = await buildArtifactOnce(buildClient, {
      source: sources[r],
      space: "production-staging",
      appName: APP,
    });
    const buildMs = performance.now() - b0;
    await buildClient.close();
    writeArtifact(join(work, `artifact-v${r + 1}`), artifact);
    const plain: number[] = [];
    const withParams: number[] = [];
    const paramsFile = join(work, "params.yml");
    writeFileSync(
      paramsFile,
      "environments:\n  production:\n    variables: { vTopN: '7' }\n    connections:\n      SalesData: { username: { env: BENCH_DB_USER }, password: { secret: BENCH_DB_PASSWORD } }\n",
    );
    const seqStart = performance.now();
    for (const [i, t] of sample.entries()) {
      const client = new QlikClient({ tenantUrl: t.url, apiKey: t.apiKey });
      const s = performance.now();
      await shipArtifact(client, artifact, {
        space: "production",
        appName: APP,
        parametersKey: t.apiKey,
        ...(i % 2 ? { parameters: paramsFile, env: SECRET_ENV } : {}),
        ...DEPLOY,
        lookupItem: false,
      });
      (i % 2 ? withParams : plain).push(performance.now() - s);
      await client.close();
    }
    const sequentialMs = performance.now() - seqStart;
    const plainMs = median(plain);
    const paramsMs = median(withParams);
    const perTenantSequential = (1 - paramsShare) * plainMs + paramsShare * paramsMs;

    // 5. The rollout, as the runner runs the bundled action.
    const usageFile = join(work, `usage-${r}.json`);
    const simBefore = simCpuMs();
    const stateFile = `state/run-${r + 1}.json`;
    const run = await runAction(
      "rollout-canary",
      {
        "tenants-file": file,
        source: `apps/v${r + 1}`,
        space: "production",
        "app-name": APP,
        canary: "1%",
        waves: "10%,50%",
        "max-parallel": String(maxParallel),
        "bake-seconds": String(bakeSeconds),
        "health-checks": "reload",
        "state-file": stateFile,
        "rollback-dir": "rollback",
      },
      waveHeaps ? { ...env, BENCH_WAVE_HEAPS: "1" } : env,
      usageFile,
    );
    if (run.code !== 0) {
      console.error(run.stderr.split("\n").slice(-15).join("\n"));
      throw new Error(`The rollout action exited with ${run.code}.`);
    }
    const simUsed = simCpuMs() - simBefore;
    const usage = JSON.parse(readFileSync(usageFile, "utf8")) as Usage;
    // The engine thread's heap, when the action ran one (the process's RSS and CPU are the main file's).
    if (existsSync(`${usageFile}.engine`)) {
      const engine = JSON.parse(readFileSync(`${usageFile}.engine`, "utf8")) as Pick<
        Usage,
        "peak" | "waveHeaps" | "gcMs"
      >;
      usage.peak = { ...engine.peak, rss: usage.peak.rss };
      usage.waveHeaps = engine.waveHeaps;
      usage.gcMs = engine.gcMs;
    }
    const state = JSON.parse(readFileSync(join(work, stateFile), "utf8")) as RolloutState;
    const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
    const waves = state.waves.map((w) => w.tenants.length);
    const pathMs = Math.max(plainMs, paramsMs);
    const criticalMs =
      buildMs +
      waves.reduce(
        (sum, n) => sum + Math.ceil(n / maxParallel) * (pathMs + latencyMs) + bakeSeconds * 1000,
        0,
      );
    const bound = Math.max(criticalMs, cpuMs);
    const deployed = Object.values(state.tenants).filter((t) => t.status === "deployed").length;
    const f: RunFigures = {
      wallMs: run.ms,
      cpuMs,
      rssMb: usage.maxRSS / 1024,
      criticalMs,
      ratio: run.ms / bound,
      speedup: (perTenantSequential * count) / run.ms,
      buildMs,
      simCpuMs: simUsed,
      plainMs,
      paramsMs,
      status: state.status,
      deployed,
      waves: waves.join(", "),
      waveHeapsMb: usage.waveHeaps.map((w) => w.heapUsed / 2 ** 20),
    };
    console.log(
      `run ${r + 1} (v${r + 1}, ${count} tenants${r === 0 ? ", first deploy: publish" : ""}${waveHeaps ? ", collecting at each wave's end" : ""}): ${state.status}, ${deployed}/${count} deployed; wall ${fmt(f.wallMs)} vs bound ${fmt(bound)} (critical path ${fmt(criticalMs)}, CPU ${fmt(cpuMs)}) = ${f.ratio.toFixed(2)}×; CPU ${(cpuMs / count).toFixed(1)} ms/tenant (user ${fmt(usage.userCPUTime / 1000)}, system ${fmt(usage.systemCPUTime / 1000)}; GC pauses on the engine thread ${fmt(usage.gcMs.minor)} minor, ${fmt(usage.gcMs.major + usage.gcMs.incremental)} major in ${usage.gcMs.count}; the simulator used ${fmt(simUsed)} meanwhile, on the same cores); peak RSS ${f.rssMb.toFixed(0)} MB (sampled peaks: heap used ${mb(usage.peak.heapUsed)}, heap total ${mb(usage.peak.heapTotal)}, external ${mb(usage.peak.external)}, array buffers ${mb(usage.peak.arrayBuffers)}); build ${fmt(buildMs)}; ship path ${fmt(plainMs)} plain / ${fmt(paramsMs)} with parameters (sequential sample ${fmt(sequentialMs)} for ${sample.length})${waveHeaps ? `; heap left at each wave's end: ${f.waveHeapsMb.map((h) => h.toFixed(1)).join(", ")} MB` : ""}`,
    );
    if (deployed !== count) failed = true;
    return f;
  };
  const figures: RunFigures[] = [];
  for (let r = 0; r < runs; r++) figures.push(await measureRun(r + 1, "tenants.yml", tenants, false));
  // The same rollout over the estate and over three times as many tenants, collecting at each wave's end.
  const grown =
    large > 0
      ? {
          small: await measureRun(runs + 1, "tenants.yml", tenants, true),
          big: await measureRun(runs + 2, "tenants-large.yml", large, true),
        }
      : undefined;

  // 6. Cold start: first request of a bundled action vs a bare fetch, side by side.
  const firstRequestAfter = async (tenant: string, since: number): Promise<number> => {
    const res = await fetch(`${description.control}/tenants/${tenant}/requests`);
    const { requests: log } = (await res.json()) as { requests: { at: string; path: string }[] };
    const times = log.map((e) => Date.parse(e.at)).filter((t) => t >= since);
    return times.length ? Math.min(...times) - since : Number.NaN;
  };
  const clearLog = (tenant: string) =>
    fetch(`${description.control}/tenants/${tenant}/requests`, { method: "DELETE" });
  const bare: number[] = [];
  const action: number[] = [];
  for (let i = 0; i < 5; i++) {
    await clearLog(coldTenant.name);
    let since = Date.now();
    const child = spawn(
      process.execPath,
      ["-e", `fetch(${JSON.stringify(`${coldTenant.url}/api/v1/spaces`)}).catch(() => {})`],
      {
        stdio: "ignore",
      },
    );
    await new Promise((r) => child.on("exit", r));
    bare.push(await firstRequestAfter(coldTenant.name, since));
    await clearLog(coldTenant.name);
    since = Date.now();
    await runAction(
      "deploy-to-space",
      { artifact: "artifact-v1", space: "production", "app-name": APP, "rollback-dir": "cold-rollback" },
      { QLIK_TENANT_URL: coldTenant.url, QLIK_API_KEY: coldTenant.apiKey },
    );
    action.push(await firstRequestAfter(coldTenant.name, since));
  }
  const bareMs = median(bare);
  const actionMs = median(action);

  // 7. Medians beside their goals.
  const m = (key: keyof RunFigures) => median(figures.map((f) => f[key] as number));
  const cpuPerTenant = m("cpuMs") / tenants;
  const ratio = m("ratio");
  const speedup = m("speedup");
  const rss = Math.max(...figures.map((f) => f.rssMb));
  console.log(
    `\nartifact rollout of ${tenants} tenants (${Math.round(paramsShare * 100)} % with their own parameters), ${latencyMs} ms per REST call and WebSocket upgrade, ${qixLatencyMs} ms per QIX request, max-parallel ${maxParallel}, canary 1 %, waves 10 %, 50 %, the rest, bake ${bakeSeconds} s, reload health check; the bundled action as the runner runs it; median of ${runs} run${runs === 1 ? "" : "s"}:`,
  );
  console.log(`  waves: ${figures[0].waves} tenants`);
  console.log(
    `  CPU per tenant:        ${cpuPerTenant.toFixed(1)} ms   (goal ≤ 8 ms)  ${verdict(cpuPerTenant <= 8)}`,
  );
  console.log(
    `  wall vs bound:         ${ratio.toFixed(2)}×   (goal ≤ 1.25× max(critical path, CPU); wall ${fmt(m("wallMs"))}, critical path ${fmt(m("criticalMs"))}, CPU ${fmt(m("cpuMs"))})  ${verdict(ratio <= 1.25)}`,
  );
  console.log(
    `  vs a sequential loop:  ${speedup.toFixed(0)}× faster   (goal ≥ 20×)  ${verdict(speedup >= 20)}`,
  );
  console.log(
    `  peak RSS:              ${rss.toFixed(0)} MB   (goal ≤ 256 MB, no V8 flags)  ${verdict(rss <= 256)}`,
  );
  console.log(
    `  cold start:            first request ${actionMs.toFixed(0)} ms after spawn vs ${bareMs.toFixed(0)} ms for node -e fetch = ${(actionMs / bareMs).toFixed(2)}×   (goal ≤ 2×)  ${verdict(actionMs <= 2 * bareMs)}`,
  );
  if (grown) {
    const smallMax = Math.max(...grown.small.waveHeapsMb);
    const bigMax = Math.max(...grown.big.waveHeapsMb);
    const growth = bigMax / smallMax;
    console.log(
      `  ${large} tenants:         wall vs bound ${grown.big.ratio.toFixed(2)}×   (goal ≤ 1.25×, as for ${tenants}; wall ${fmt(grown.big.wallMs)}, critical path ${fmt(grown.big.criticalMs)}, CPU ${fmt(grown.big.cpuMs)}, ${(grown.big.cpuMs / large).toFixed(1)} ms/tenant, peak RSS ${grown.big.rssMb.toFixed(0)} MB)  ${verdict(grown.big.ratio <= 1.25)}`,
    );
    console.log(
      `  heap left after a full collection at each wave's end: ${grown.small.waveHeapsMb.map((h) => h.toFixed(1)).join(", ")} MB for ${tenants} tenants, ${grown.big.waveHeapsMb.map((h) => h.toFixed(1)).join(", ")} MB for ${large}: largest ${bigMax.toFixed(1)} vs ${smallMax.toFixed(1)} MB = ${growth.toFixed(2)}×   (goal ≤ 1.10×)  ${verdict(growth <= 1.1)}`,
    );
  }
  console.log(
    `  the simulator process used ${fmt(m("simCpuMs"))} of CPU during a rollout (median), on the same cores;`,
  );
  console.log(
    `  machine: ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
} finally {
  sim.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
