/** Test helpers: a simulator per test file, @qlik/api host configs for its tenants. */
import { startSimulator } from "../src/index.ts";
import type { RunningSimulator, SimulatorOptions } from "../src/index.ts";

export type HostConfig = { authType: "apikey"; host: string; apiKey: string };

export async function startTestSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ seed: "demo", ...options });
}

export function apiKeyHost(sim: RunningSimulator, index = 0): HostConfig {
  const t = sim.description.tenants[index];
  return { authType: "apikey", host: t.url, apiKey: t.apiKey };
}

/** Options for @qlik/api calls: per-call host config, never cached (tests re-read state). */
export function opts(hostConfig: object) {
  return { hostConfig, noCache: true } as const;
}

/** The error @qlik/api throws for a status >= 300. */
export async function httpError(
  p: Promise<unknown>,
): Promise<{ status: number; headers: Headers; data: unknown }> {
  try {
    await p;
  } catch (e) {
    return e as { status: number; headers: Headers; data: unknown };
  }
  throw new Error("expected the call to fail");
}

export function errorCode(data: unknown): string | undefined {
  return (data as { errors?: { code?: string }[] })?.errors?.[0]?.code;
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 5000,
  stepMs = 25,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
