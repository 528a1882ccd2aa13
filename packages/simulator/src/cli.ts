/**
 * `qlik-sim [--port N] [--tenants N] [--latency-ms N] [--qix-latency-ms N] [--fault-rate F] [--seed NAME] [--state-dir D] [--env]`
 * Prints exactly one JSON line (the description) on stdout — or, with --env, shell export lines for the
 * first tenant — then serves until SIGTERM/SIGINT (exit 0).
 * The handlers are installed before the line is printed, so a signal sent as soon as it arrives stops
 * the simulator cleanly. It also stops when whoever started it is gone: the launcher that runs it on
 * Node 24 (its IPC channel closes), or npm's shell under `npx qlik-sim` (which dies on SIGTERM without
 * passing it on). A bad flag prints one sentence on stderr and exits 2.
 */
import { parseCliArgs } from "./cli-args.ts";
import type { CliOptions, UsageError } from "./cli-args.ts";
import { startSimulator } from "./index.ts";
import type { RunningSimulator } from "./index.ts";

/** Calls `stop` when the process that started this one goes away (see the header). */
function stopWithParent(stop: () => void): void {
  if (process.channel) {
    process.channel.unref();
    process.once("disconnect", stop);
  }
  if (!process.env.npm_command) return;
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 250);
  watch.unref();
}

/** Shell export lines for the first tenant, quoted for sh. */
function exportLines(sim: RunningSimulator): string {
  const first = sim.description.tenants[0];
  const quote = (v: string) => `'${v.replace(/'/g, "'\\''")}'`;
  return [
    ["QLIK_TENANT_URL", first.url],
    ["QLIK_API_KEY", first.apiKey],
    ["QLIK_SIM_CONTROL", sim.description.control],
    ["QLIK_SIM_PID", String(process.pid)],
  ]
    .map(([name, value]) => `export ${name}=${quote(value)}\n`)
    .join("");
}

async function main(): Promise<void> {
  let opts: CliOptions;
  try {
    opts = parseCliArgs(process.argv.slice(2));
  } catch (e) {
    const err = e as UsageError;
    (err.exitCode === 0 ? process.stdout : process.stderr).write(`${err.message}\n`);
    process.exit(err.exitCode ?? 2);
  }
  let sim: RunningSimulator | undefined;
  let stopping = false;
  const stop = (running: RunningSimulator) =>
    running
      .stop()
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        process.stderr.write(`qlik-sim failed to stop cleanly: ${(e as Error).message}\n`);
        process.exit(1);
      });
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    // Before the simulator is up, main stops it as soon as it is.
    if (sim) void stop(sim);
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  stopWithParent(shutdown);
  try {
    sim = await startSimulator(opts);
  } catch (e) {
    process.stderr.write(`qlik-sim could not start: ${(e as Error).message}\n`);
    process.exit(1);
  }
  if (stopping) return void stop(sim);
  process.stdout.write(opts.env ? exportLines(sim) : `${JSON.stringify(sim.description)}\n`);
}

await main();
