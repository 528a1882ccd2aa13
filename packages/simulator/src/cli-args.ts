/** Command-line flags of `qlik-sim`, validated into simulator options (bad flags → UsageError, exit 2). */
import { parseArgs } from "node:util";
import type { SimulatorOptions } from "./core/simulator.ts";

const USAGE =
  "Usage: qlik-sim [--port N] [--tenants N] [--latency-ms N] [--qix-latency-ms N] [--fault-rate F] [--seed NAME] [--state-dir D] [--env]";

/** What `qlik-sim --help` prints: every flag, the seeds and what each seed holds. */
const HELP = `${USAGE}

A local Qlik Cloud: REST and the QIX engine over real sockets, one origin per tenant. Prints one JSON
line describing it on stdout (tenant URLs and API keys, regional OAuth clients, the control URL), then
serves until SIGTERM or SIGINT (Ctrl-C).

Flags:
  --tenants N          Tenants to start (1-5000; default 1). Each is its own origin.
  --port N             Port of the first tenant (0 = any free port; default 0).
  --latency-ms N       Every call costs N ms: REST requests, WebSocket upgrades, QIX requests (default 0).
  --qix-latency-ms N   Set the QIX engine's request latency apart from --latency-ms.
  --fault-rate F       Share of REST calls (0-1) that fail with 429, 5xx or a dropped connection (default 0).
  --seed NAME          What the tenants hold (default demo); the name also seeds every id and key, so
                       the same name gives the same ids and keys on every start.
  --state-dir D        Keep the tenants' state in folder D across restarts.
  --env                Print shell export lines instead of the JSON line (QLIK_TENANT_URL,
                       QLIK_API_KEY for the first tenant, QLIK_SIM_CONTROL, QLIK_SIM_PID), for
                       \`qlik-sim --env > qlik-sim.env &\` and then \`. ./qlik-sim.env\`.
  -h, --help           This text.

Seeds:
  demo (or any name but the two below)
                       Every tenant has the spaces development (shared), test, acceptance and
                       production (managed). The first tenant also has the app "Sales Analytics" in
                       development, reloaded: a load script in sections (CSV files through the
                       lib:// connection SalesData, INLINE tables), master dimensions, measures and
                       variables, three sheets with charts, an alternate state "Comparison" and a
                       bookmark with selections in both states.
  empty, none          Tenants with nothing in them (no spaces, no apps).
`;

export interface CliOptions extends SimulatorOptions {
  /** Print shell export lines instead of the JSON description. */
  env?: boolean;
}

export function parseCliArgs(argv: string[]): CliOptions {
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
        env: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0].replace(/\.?$/, ".");
    throw new UsageError(`${msg} ${USAGE}`);
  }
  if (values.help) throw new UsageError(HELP.trimEnd(), 0);
  const int = (name: string, min: number, max: number): number | undefined => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (typeof raw !== "string" || raw.trim() === "" || !Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`--${name} must be an integer between ${min} and ${max}, got '${String(raw)}'.`);
    return n;
  };
  const opts: CliOptions = { seed: "demo" };
  if (values.env) opts.env = true;
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
