/** Command-line flags of `qlik-sim`, validated into simulator options (bad flags → UsageError, exit 2). */
import { parseArgs } from "node:util";
import type { SimulatorOptions } from "./core/simulator.ts";

const USAGE =
  "Usage: qlik-sim [--port N] [--tenants N] [--latency-ms N] [--qix-latency-ms N] [--fault-rate F] [--seed NAME] [--state-dir D]";

export function parseCliArgs(argv: string[]): SimulatorOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        tenants: { type: "string" },
        "latency-ms": { type: "string" },
        "qix-latency-ms": { type: "string" },
        "fault-rate": { type: "string" },
        seed: { type: "string" },
        "state-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0].replace(/\.?$/, ".");
    throw new UsageError(`${msg} ${USAGE}`);
  }
  if (values.help) throw new UsageError(USAGE, 0);
  const int = (name: string, min: number, max: number): number | undefined => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (typeof raw !== "string" || raw.trim() === "" || !Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`--${name} must be an integer between ${min} and ${max}, got '${String(raw)}'.`);
    return n;
  };
  const opts: SimulatorOptions = { seed: "demo" };
  const port = int("port", 0, 65535);
  if (port !== undefined) opts.port = port;
  const tenants = int("tenants", 1, 5000);
  if (tenants !== undefined) opts.tenants = tenants;
  const latency = int("latency-ms", 0, 600000);
  if (latency !== undefined) opts.latencyMs = latency;
  // Every engine call is a round trip too: --latency-ms applies to QIX requests unless set apart.
  const qixLatency = int("qix-latency-ms", 0, 600000) ?? latency;
  if (qixLatency !== undefined) opts.qixLatencyMs = qixLatency;
  if (values["fault-rate"] !== undefined) {
    const raw = String(values["fault-rate"]);
    const f = Number(raw);
    if (raw.trim() === "" || !(f >= 0 && f <= 1))
      throw new UsageError(`--fault-rate must be a number between 0 and 1, got '${raw}'.`);
    opts.faultRate = f;
  }
  if (values.seed !== undefined) {
    if (String(values.seed).trim() === "") throw new UsageError("--seed must not be empty.");
    opts.seed = String(values.seed);
  }
  if (values["state-dir"] !== undefined) {
    if (String(values["state-dir"]).trim() === "") throw new UsageError("--state-dir must not be empty.");
    opts.stateDir = String(values["state-dir"]);
  }
  return opts;
}

export class UsageError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}
