// Runs an action's own `run()` in this process, the way the GitHub runner would run its bundle:
// inputs as INPUT_* variables, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, and stdout read as
// workflow commands. Only the output changes: plain log lines on stderr instead of runner commands.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describeError, secrets } from "@qlik-cicd/common";
import { inputEnvName, isExpression, type ActionInfo } from "./catalog.ts";
import { WorkflowCommandTranslator } from "./workflow-commands.ts";

export interface RunActionOptions {
  /** Input values by input name (as in action.yml). */
  inputs: Record<string, string>;
  /** Where log lines go; default process.stderr. */
  log?: (text: string) => void;
  verbose?: boolean;
  /** Values to hide from everything printed, in addition to what the action masks itself. */
  secretValues?: string[];
}

export interface ActionRunResult {
  /** 0 when the action succeeded, 1 when it failed (core.setFailed or an exception). */
  exitCode: 0 | 1;
  outputs: Record<string, string>;
  /** The job summary (markdown) the action wrote. */
  summary: string;
  /** Error messages the action reported (already redacted). */
  errors: string[];
  /** Redacts every value masked during the run (use on anything printed afterwards). */
  redact: (text: string) => string;
}

/** Parses the GITHUB_OUTPUT file (`name=value` lines and `name<<delimiter` blocks). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i]);
      out[name] = body.join("\n");
    } else if (lines[i].includes("=")) {
      const idx = lines[i].indexOf("=");
      out[lines[i].slice(0, idx)] = lines[i].slice(idx + 1);
    }
  }
  return out;
}

/** Input names whose values are credentials (masked before the action even starts). */
export function isSecretInputName(name: string): boolean {
  return /(^|-)(api-key|key|secret|token|password|passphrase)$/i.test(name) || /secret|password/i.test(name);
}

/**
 * The INPUT_* variables the runner would set: every literal default from action.yml, then the given
 * values. `${{ github.token }}` defaults take GITHUB_TOKEN when it is set; other expressions stay unset
 * (the action's own fallback applies).
 */
export function inputEnvironment(
  action: ActionInfo,
  inputs: Record<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) {
    if (spec.default === undefined) continue;
    if (isExpression(spec.default)) {
      if (/^\$\{\{\s*github\.token\s*\}\}$/.test(String(spec.default)) && env.GITHUB_TOKEN) {
        vars[inputEnvName(name)] = env.GITHUB_TOKEN;
      }
      continue;
    }
    vars[inputEnvName(name)] = String(spec.default);
  }
  for (const [name, value] of Object.entries(inputs)) vars[inputEnvName(name)] = value;
  return vars;
}

type Write = typeof process.stdout.write;

export async function runActionInProcess(
  action: ActionInfo,
  options: RunActionOptions,
): Promise<ActionRunResult> {
  const log = options.log ?? ((text: string) => void process.stderr.write(text));
  const translator = new WorkflowCommandTranslator({
    write: log,
    verbose: options.verbose,
    redact: (text) => secrets.redact(text),
  });
  for (const value of options.secretValues ?? []) translator.mask(value);
  const redact = (text: string) => translator.redact(text);

  const mainFile = join(action.dir, "src", "main.ts");
  const ioDir = mkdtempSync(join(tmpdir(), `qlik-cicd-${action.name}-io-`));
  const outputFile = join(ioDir, "output");
  const summaryFile = join(ioDir, "summary");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");

  const savedEnv = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith("INPUT_")) delete process.env[key];
  Object.assign(process.env, inputEnvironment(action, options.inputs, savedEnv));
  process.env.GITHUB_OUTPUT = outputFile;
  process.env.GITHUB_STEP_SUMMARY = summaryFile;
  process.env.GITHUB_WORKSPACE ||= process.cwd();
  if (!process.env.RUNNER_TEMP) {
    // Kept after the run: files the action leaves there (audit trail, reports) are named in its outputs.
    const runnerTemp = join(tmpdir(), "qlik-cicd");
    mkdirSync(runnerTemp, { recursive: true });
    process.env.RUNNER_TEMP = mkdtempSync(join(runnerTemp, `${action.name}-`));
  }
  if (options.verbose) process.env.RUNNER_DEBUG = "1";

  const originalStdout = process.stdout.write;
  const originalStderr = process.stderr.write;
  const stdoutWrite = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    translator.write(chunk);
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    callback?.();
    return true;
  };
  const stderrWrite = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return (originalStderr as (...args: unknown[]) => boolean).call(process.stderr, redact(text), ...rest);
  };

  let failed = false;
  process.exitCode = undefined;
  process.stdout.write = stdoutWrite as Write;
  process.stderr.write = stderrWrite as Write;
  try {
    if (!existsSync(mainFile)) {
      throw new Error(`The action ${action.name} has no src/main.ts to run.`);
    }
    const mod = (await import(pathToFileURL(mainFile).href)) as { run?: () => Promise<void> };
    if (typeof mod.run !== "function")
      throw new Error(`actions/${action.name}/src/main.ts exports no run().`);
    await mod.run();
  } catch (error) {
    failed = true;
    translator.write(`::error::${action.name} failed: ${describeError(error).replace(/\r?\n/g, " ")}\n`);
  } finally {
    translator.flush();
    process.stdout.write = originalStdout;
    process.stderr.write = originalStderr;
  }
  const code = process.exitCode;
  if (code !== undefined && code !== 0 && code !== "0") failed = true;
  process.exitCode = undefined;

  const outputs = parseOutputFile(readFileSync(outputFile, "utf8"));
  const summary = readFileSync(summaryFile, "utf8");
  rmSync(ioDir, { recursive: true, force: true });
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);

  return { exitCode: failed ? 1 : 0, outputs, summary, errors: translator.errors, redact };
}
