/** Command-line flags of `npm run demo`. */
import { resolve } from "node:path";

export interface DemoArgs {
  /** Where the report and every file the demo writes go (default `demo-output`). */
  out: string;
  /** Customer tenants in the rollout estate (default 20). */
  tenants: number;
  /** Stage headlines and the result only, no event lines. */
  quiet: boolean;
  help: boolean;
}

/** Bad flags: the message names the flag. */
export class DemoUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DemoUsageError";
  }
}

export const MIN_TENANTS = 4;
export const MAX_TENANTS = 200;

export const USAGE = `Usage: npm run demo -- [--out DIR] [--tenants N] [--quiet]

Runs the whole pipeline on the embedded Qlik Cloud simulator, on this machine, without a Qlik account:
baseline in production, unbuild, a pull-request change, lint and diff, deploy to test, performance gate,
approval, acceptance, production (republish), post-deploy check and a canary rollout across customer
tenants (one fails: halt and rollback, then resume). Writes report.md and report.html.

  --out DIR      output folder (default demo-output)
  --tenants N    customer tenants in the rollout (${MIN_TENANTS}-${MAX_TENANTS}, default 20)
  --quiet        print only the stage lines and the result
  --help         show this text
`;

export function parseDemoArgs(argv: readonly string[], cwd: string = process.cwd()): DemoArgs {
  const args: DemoArgs = { out: resolve(cwd, "demo-output"), tenants: 20, quiet: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.indexOf("=");
    const flag = raw.startsWith("--") && eq > 0 ? raw.slice(0, eq) : raw;
    const inline = raw.startsWith("--") && eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "" || (inline === undefined && v.startsWith("--"))) {
        throw new DemoUsageError(`Flag ${flag} needs a value.`);
      }
      return v;
    };
    switch (flag) {
      case "--out":
        args.out = resolve(cwd, value());
        break;
      case "--tenants": {
        const text = value();
        const n = Number(text);
        if (!/^\d+$/.test(text) || n < MIN_TENANTS || n > MAX_TENANTS) {
          throw new DemoUsageError(
            `Flag --tenants must be a whole number from ${MIN_TENANTS} to ${MAX_TENANTS}, got '${text}'.`,
          );
        }
        args.tenants = n;
        break;
      }
      case "--quiet":
        args.quiet = true;
        break;
      case "--help":
      case "-h":
        args.help = true;
        break;
      default:
        throw new DemoUsageError(`Unknown flag '${raw}'; see --help.`);
    }
  }
  return args;
}
