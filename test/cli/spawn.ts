// Spawns a Node 24 script the way a user or a CI job would, with a clean environment: no inherited
// INPUT_*, QLIK_* or GITHUB_* variables, so runs behave as they would outside GitHub Actions.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../helpers/run-bundled-action.ts";

export const cliBin = join(repoRoot, "packages", "cli", "bin", "qlik-cicd.js");

export interface Spawned {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(INPUT_|QLIK_|GITHUB_|RUNNER_|ACTIONS_)/.test(k)) continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export async function spawnNode(
  script: string,
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {},
): Promise<Spawned> {
  const child = spawn(process.execPath, [script, ...args], {
    env: cleanEnv(options.env),
    cwd: options.cwd ?? repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
  const exitCode: number = await new Promise((resolve) => child.on("close", (code) => resolve(code ?? -1)));
  clearTimeout(timer);
  return { exitCode, stdout, stderr };
}

export function runCli(
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {},
): Promise<Spawned> {
  return spawnNode(cliBin, args, options);
}
