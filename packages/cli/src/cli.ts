/**
 * `qlik-cicd <action> --<input> value … [--json] [--summary-file F] [--output-file F] [--verbose]`
 * `qlik-cicd --help`, `qlik-cicd <action> --help`, `qlik-cicd simulator [qlik-sim flags]`.
 * Exit codes: 0 ok, 1 the action failed, 2 bad usage. Logs on stderr; stdout only carries --json.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { FileFinding } from "@qlik-cicd/common";
import { checkRequiredInputs, parseActionArgs, suggestion, UsageError } from "./args.ts";
import { listActionNames, loadAction } from "./catalog.ts";
import { renderActionHelp, renderGlobalHelp, type ExtraCommand } from "./help.ts";
import { loadOperation } from "./operations.ts";
import { runOperationInTerminal } from "./run.ts";
import { markdownToText } from "./terminal-text.ts";
import { startRelayCommand } from "./webhook-relay.ts";

export const EXTRA_COMMANDS: ExtraCommand[] = [
  {
    name: "simulator",
    description: "Start the local Qlik Cloud simulator (qlik-sim flags: --port, --tenants, --seed, …).",
  },
  {
    name: "webhook-relay",
    description: "Forward signed Qlik webhooks to GitHub repository_dispatch events (see --help).",
  },
];

/** What `main` asks the process to do: exit with a code, or keep serving (the simulator). */
export type CliOutcome = { exitCode: 0 | 1 | 2 } | { keepRunning: true };

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

/** `KEY=value` lines for dotenv consumers (GitLab `artifacts:reports:dotenv`): names upper case, `_`. */
export function toDotenv(outputs: Record<string, string>): string {
  return Object.entries(outputs)
    .map(([name, value]) => {
      const key = name.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
      return `${key}=${/[\r\n]/.test(value) ? JSON.stringify(value) : value}\n`;
    })
    .join("");
}

/** A structured (JSON) output: named in the table, printed whole with --json or --output-file. */
function isJsonText(value: string): boolean {
  if (!/^[[{]/.test(value)) return false;
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}

function renderOutputTable(outputs: Record<string, string>): string {
  const entries = Object.entries(outputs);
  if (!entries.length) return "";
  const width = Math.max(...entries.map(([n]) => n.length));
  const limit = 160;
  const rows = entries.map(([name, value]) => {
    let shown = value.replace(/\r?\n/g, " ⏎ ");
    if (isJsonText(value) && value.length > 60)
      shown = `(JSON, ${value.length} characters: --json or --output-file)`;
    else if (shown.length > limit)
      shown = `${shown.slice(0, limit)}… (${value.length} characters; use --json)`;
    return `  ${name.padEnd(width)}  ${shown}`.trimEnd();
  });
  return `\nOutputs:\n${rows.join("\n")}\n`;
}

const SEVERITIES = [
  ["error", "Errors"],
  ["warning", "Warnings"],
  ["notice", "Notices"],
] as const;

/** Findings as `file:line:col rule message`, errors first. */
export function renderFindings(findings: readonly FileFinding[]): string {
  const blocks: string[] = [];
  for (const [severity, title] of SEVERITIES) {
    const list = findings.filter((f) => f.severity === severity);
    if (!list.length) continue;
    const lines = list.map((f) => {
      const where = [f.file, f.line, f.column].filter((p) => p !== undefined).join(":");
      return `${where} ${f.rule} ${f.message.replace(/\r?\n/g, " ")}`;
    });
    blocks.push(`${title} (${list.length}):\n${lines.join("\n")}\n`);
  }
  return blocks.join("\n");
}

async function startSimulator(args: string[]): Promise<CliOutcome> {
  // The simulator's own CLI reads process.argv.slice(2) and serves until SIGTERM/SIGINT.
  const simCli = new URL("./cli.ts", import.meta.resolve("@qlik-cicd/simulator"));
  process.argv = [process.argv[0], simCli.pathname, ...args];
  await import(simCli.href);
  return { keepRunning: true };
}

export async function main(argv: string[]): Promise<CliOutcome> {
  const names = listActionNames();
  let index = 0;
  while (index < argv.length && argv[index].startsWith("-")) index++;
  const leading = argv.slice(0, index);
  const command = argv[index];
  const rest = argv.slice(index + 1);
  const wantsHelp = leading.includes("--help") || leading.includes("-h");

  if (command === undefined || command === "help") {
    if (leading.includes("--version")) {
      process.stdout.write(`${version()}\n`);
      return { exitCode: 0 };
    }
    const unknown = leading.find((a) => !["--help", "-h"].includes(a));
    if (unknown) throw new UsageError(`Unknown option '${unknown}'; run 'qlik-cicd --help'.`);
    const topic = command === "help" ? rest[0] : undefined;
    if (topic !== undefined) return main([topic, "--help"]);
    const text = renderGlobalHelp(
      names.map((n) => loadAction(n)),
      EXTRA_COMMANDS,
    );
    if (!wantsHelp && command === undefined) {
      process.stderr.write(text);
      throw new UsageError("No action given; run 'qlik-cicd --help' for the list.");
    }
    process.stdout.write(text);
    return { exitCode: 0 };
  }

  if (command === "simulator") return startSimulator([...leading, ...rest]);
  if (command === "webhook-relay") {
    const started = await startRelayCommand([...leading, ...rest]);
    return started === "help" ? { exitCode: 0 } : { keepRunning: true };
  }

  if (!names.includes(command)) {
    const candidates = [...names, ...EXTRA_COMMANDS.map((e) => e.name)];
    throw new UsageError(
      `Unknown action '${command}'${suggestion(command, candidates)}; run 'qlik-cicd --help' for the list.`,
    );
  }
  const action = loadAction(command);
  const { inputs, options } = parseActionArgs(action, [...leading, ...rest]);
  if (options.help) {
    process.stdout.write(renderActionHelp(action));
    return { exitCode: 0 };
  }
  checkRequiredInputs(action, inputs);
  const operation = await loadOperation(command);
  if (!operation) throw new Error(`The action ${command} has no library operation to run.`);

  const result = await runOperationInTerminal(operation, { inputs, verbose: options.verbose });
  const err = (text: string) => void process.stderr.write(text);
  if (result.findings.length) err(`\n${renderFindings(result.findings)}`);
  const text = markdownToText(result.text);
  if (text) err(`\n${text}`);
  if (result.error) err(`error: ${action.name} failed: ${result.error.replace(/\r?\n/g, " ")}\n`);

  if (options.summaryFile) {
    const file = resolve(options.summaryFile);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, result.summary);
  }
  if (options.outputFile) {
    const file = resolve(options.outputFile);
    mkdirSync(dirname(file), { recursive: true });
    const outputs = result.outputs;
    writeFileSync(file, file.endsWith(".env") ? toDotenv(outputs) : `${JSON.stringify(outputs, null, 2)}\n`);
  }
  if (options.json) process.stdout.write(`${JSON.stringify(result.outputs)}\n`);
  else err(renderOutputTable(result.outputs));
  err(result.exitCode === 0 ? `${action.name}: done.\n` : `${action.name}: failed (exit code 1).\n`);
  return { exitCode: result.exitCode };
}

/** Flushes stdout and stderr, then exits (open keep-alive sockets must not hold the process). */
function exitAfterFlush(code: number): void {
  process.exitCode = code;
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

/** The `qlik-cicd` executable: runs `main` on process.argv and exits with its code. */
export async function cli(): Promise<void> {
  let outcome: CliOutcome;
  try {
    outcome = await main(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n`);
      exitAfterFlush(2);
      return;
    }
    process.stderr.write(`error: ${(error as Error).message ?? String(error)}\n`);
    exitAfterFlush(1);
    return;
  }
  if ("exitCode" in outcome) exitAfterFlush(outcome.exitCode);
}
