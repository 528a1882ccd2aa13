/**
 * `qlik-sim [--port N] [--tenants N] [--latency-ms N] [--qix-latency-ms N] [--fault-rate F] [--seed NAME] [--state-dir D]`
 * Prints exactly one JSON line (the description) on stdout, then serves until SIGTERM/SIGINT (exit 0).
 * A bad flag prints one sentence on stderr and exits 2.
 */
import { parseCliArgs } from "./cli-args.ts";
import type { UsageError } from "./cli-args.ts";
import { startSimulator } from "./index.ts";
import type { SimulatorOptions } from "./index.ts";

async function main(): Promise<void> {
  let opts: SimulatorOptions;
  try {
    opts = parseCliArgs(process.argv.slice(2));
  } catch (e) {
    const err = e as UsageError;
    (err.exitCode === 0 ? process.stdout : process.stderr).write(`${err.message}\n`);
    process.exit(err.exitCode ?? 2);
  }
  let sim;
  try {
    sim = await startSimulator(opts);
  } catch (e) {
    process.stderr.write(`qlik-sim could not start: ${(e as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify(sim.description)}\n`);
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    sim
      .stop()
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        process.stderr.write(`qlik-sim failed to stop cleanly: ${(e as Error).message}\n`);
        process.exit(1);
      });
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

await main();
