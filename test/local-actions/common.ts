// What every stand-in needs from the runner's protocol: inputs from INPUT_*, outputs to GITHUB_OUTPUT.
import { appendFileSync } from "node:fs";

export function input(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
}

export function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT;
  if (!file) throw new Error("GITHUB_OUTPUT is not set.");
  const delimiter = `ghadelimiter_${Math.random().toString(36).slice(2)}`;
  appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

export function fail(message: string): never {
  process.stdout.write(`::error::${message}\n`);
  process.exit(1);
}

export function requiredEnv(name: string): string {
  const v = process.env[name];
  if (!v) fail(`${name} is not set (the stand-in only runs under test/workflows/runner.ts).`);
  return v;
}
