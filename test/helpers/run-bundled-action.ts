// Runs a bundled action exactly as the runner does: `node actions/<name>/dist/index.js` with INPUT_*
// variables and the GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, then parses what it wrote.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

export const repoRoot = join(import.meta.dirname, "..", "..");

export interface ActionRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** Lines of the form `::error::…` the runner would show as annotations. */
  errors: string[];
}

export interface RunOptions {
  inputs?: Record<string, string | number | boolean | undefined>;
  env?: Record<string, string | undefined>;
  workspace?: string;
  timeoutMs?: number;
}

export async function runBundledAction(action: string, options: RunOptions = {}): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), `run-${action}-`));
  const outputFile = join(dir, "output");
  const summaryFile = join(dir, "summary");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Start from a clean slate: no inherited inputs or Qlik credentials leak into the run.
    if (v !== undefined && !k.startsWith("INPUT_") && !k.startsWith("QLIK_")) env[k] = v;
  }
  Object.assign(env, {
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: options.workspace ?? dir,
    GITHUB_ACTIONS: "true",
    RUNNER_TEMP: dir,
  });
  for (const [name, value] of Object.entries(options.inputs ?? {})) {
    if (value !== undefined) env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = String(value);
  }
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn(process.execPath, [join(repoRoot, "actions", action, "dist", "index.js")], {
    env,
    cwd: options.workspace ?? dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  const exitCode: number = await new Promise((resolve) => child.on("close", (code) => resolve(code ?? 1)));
  clearTimeout(timer);
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseOutputFile(readFileSync(outputFile, "utf8")),
    summary: readFileSync(summaryFile, "utf8"),
    errors: stdout
      .split("\n")
      .filter((l) => l.startsWith("::error"))
      .map((l) => l.replace(/^::error[^:]*::/, "")),
  };
}
