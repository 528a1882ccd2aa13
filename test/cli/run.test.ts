// qlik-cicd running real actions in-process against the simulator (started here): outputs as JSON,
// files, live log lines on stderr, failures as `error: …`, and no secret printed anywhere.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "@qlik-cicd/simulator";
import { repoRoot } from "../helpers/run-bundled-action.ts";
import { cleanEnv, cliBin, runCli, spawnNode, type Spawned } from "./spawn.ts";

type Sim = Awaited<ReturnType<typeof startSimulator>>;

const source = join(repoRoot, "packages", "app-files", "test", "fixtures", "qlik-cli-unbuild");
let sim: Sim;
let url: string;
let apiKey: string;
let work: string;

beforeAll(async () => {
  sim = await startSimulator({ tenants: 1, seed: "demo" });
  url = sim.description.tenants[0].url;
  apiKey = sim.description.tenants[0].apiKey;
  work = mkdtempSync(join(tmpdir(), "qlik-cicd-cli-test-"));
});

afterAll(async () => {
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

function expectNoRunnerCommands(r: Spawned): void {
  for (const text of [r.stdout, r.stderr]) expect(text).not.toMatch(/^::[a-z-]+/m);
}

function expectNoSecret(r: Spawned, secret: string): void {
  expect(r.stdout).not.toContain(secret);
  expect(r.stderr).not.toContain(secret);
}

describe("qlik-cicd runs actions", () => {
  it("deploy-to-space --dry-run: exit 0, outputs as one JSON object on stdout, summary file", async () => {
    const summaryFile = join(work, "dry-run-summary.md");
    const r = await runCli(
      [
        "deploy-to-space",
        "--tenant-url",
        url,
        `--api-key=${apiKey}`,
        "--space",
        "test",
        "--source",
        source,
        "--dry-run",
        "--json",
        "--summary-file",
        summaryFile,
      ],
      { cwd: work },
    );
    expect(r.stderr).not.toMatch(/^error:/m);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const outputs = JSON.parse(lines[0]) as Record<string, string>;
    expect(outputs.changed).toBe("true");
    const plan = JSON.parse(outputs.plan) as { dryRun: boolean; changes: unknown[] };
    expect(plan.dryRun).toBe(true);
    expect(plan.changes.length).toBeGreaterThan(0);
    expect(r.stderr).toContain("Dry run:");
    expect(r.stderr).toContain("deploy-to-space: done.");
    expect(r.stderr).not.toMatch(/debug/); // debug lines stay hidden without --verbose
    const summary = readFileSync(summaryFile, "utf8");
    expect(summary.length).toBeGreaterThan(50);
    expect(summary).not.toContain(apiKey);
    expectNoRunnerCommands(r);
    expectNoSecret(r, apiKey);
  });

  it("a real deploy streams progress to stderr, prints the output table and writes a .env file", async () => {
    const outputFile = join(work, "deploy.env");
    const r = await runCli(
      ["deploy-to-space", "--space", "test", "--source", source, "--output-file", outputFile, "--verbose"],
      { cwd: work, env: { QLIK_TENANT_URL: url, QLIK_API_KEY: apiKey } },
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("");
    // Progress lines come before the outputs table, in the order the library logged them.
    const published = r.stderr.indexOf("Published 'Sales (migrated)' to 'test'");
    const reloaded = r.stderr.search(/Reload \S+ succeeded/);
    const table = r.stderr.indexOf("\nOutputs:\n");
    expect(published).toBeGreaterThan(-1);
    expect(reloaded).toBeGreaterThan(published);
    expect(table).toBeGreaterThan(reloaded);
    expect(r.stderr).toMatch(/^ {2}reload-status +SUCCEEDED$/m);
    // --verbose shows the debug lines, translated.
    expect(r.stderr).toMatch(/^debug: GET \/api\/v1\/spaces/m);
    const env = readFileSync(outputFile, "utf8");
    expect(env).toMatch(/^RELOAD_STATUS=SUCCEEDED$/m);
    expect(env).toMatch(/^PUBLISHED_APP_ID=[0-9a-f-]{36}$/m);
    expectNoRunnerCommands(r);
    expectNoSecret(r, apiKey);
    expect(env).not.toContain(apiKey);
  });

  it("a failing run exits 1 with `error: …` on stderr and no runner commands", async () => {
    const r = await runCli(
      ["deploy-to-space", "--tenant-url", url, "--api-key", apiKey, "--space", "nowhere", "--source", source],
      { cwd: work },
    );
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: deploy-to-space failed: Space 'nowhere' was not found/m);
    expect(r.stderr).toContain("deploy-to-space: failed (exit code 1).");
    expectNoRunnerCommands(r);
    expectNoSecret(r, apiKey);
  });

  it("a malformed input value is bad usage: exit 2, one sentence naming the field, nothing contacted", async () => {
    const r = await runCli(["deploy-to-space", "--space", "test", "--source", source, "--dry-run", "maybe"], {
      cwd: work,
      env: { QLIK_TENANT_URL: url, QLIK_API_KEY: apiKey },
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe("error: Input 'dry-run' must be true or false, got 'maybe'.");
  });

  it("a secret given as --api-key is redacted even where the action echoes it back", async () => {
    // The key is also used as the app name, so the plan, logs and summary would carry it verbatim.
    const summaryFile = join(work, "secret-summary.md");
    const outputFile = join(work, "secret-outputs.json");
    const r = await runCli(
      [
        "deploy-to-space",
        "--tenant-url",
        url,
        "--api-key",
        apiKey,
        "--space",
        "test",
        "--source",
        source,
        "--app-name",
        apiKey,
        "--dry-run",
        "--json",
        "--summary-file",
        summaryFile,
        "--output-file",
        outputFile,
        "--verbose",
      ],
      { cwd: work },
    );
    expect(r.exitCode).toBe(0);
    expectNoSecret(r, apiKey);
    expect(readFileSync(summaryFile, "utf8")).not.toContain(apiKey);
    expect(readFileSync(outputFile, "utf8")).not.toContain(apiKey);
    const outputs = JSON.parse(r.stdout) as Record<string, string>;
    expect(JSON.parse(outputs.plan).appName).toBe("***");
  });

  it("a wrong api key fails with exit 1 and the key never shows", async () => {
    const wrongKey = "not-a-real-api-key-4f9a1c77d2";
    const r = await runCli(
      ["deploy-to-space", "--tenant-url", url, "--api-key", wrongKey, "--space", "test", "--source", source],
      { cwd: work, env: {} },
    );
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: deploy-to-space failed: /m);
    expectNoSecret(r, wrongKey);
  });
});

describe("qlik-cicd validate-app (no tenant)", () => {
  it("passes on clean files and fails listing findings as `file:line:col rule message`", async () => {
    const lint = join(repoRoot, "packages", "app-files", "test", "fixtures", "lint");
    const ws = mkdtempSync(join(tmpdir(), "qlik-cicd-validate-"));
    try {
      cpSync(join(lint, "clean"), join(ws, "apps", "sales"), { recursive: true });
      cpSync(join(lint, "script-hardcoded-credentials"), join(ws, "apps", "bad"), { recursive: true });
      const clean = await runCli(["validate-app", "--path", "apps/sales", "--json"], { cwd: ws });
      expect(clean.exitCode).toBe(0);
      expect(JSON.parse(clean.stdout)).toMatchObject({ errors: "0", apps: '["apps/sales"]' });
      const bad = await runCli(["validate-app", "--path", "apps/*"], { cwd: ws });
      expect(bad.exitCode).toBe(1);
      expect(bad.stderr).toMatch(/^Errors \(\d+\):$/m);
      expect(bad.stderr).toMatch(/^apps\/bad\/\S*script\.qvs:\d+:\d+ script-hardcoded-credentials \S/m);
      expect(bad.stderr).toMatch(/^error: validate-app failed: /m);
      expect(bad.stderr).toMatch(/^ {2}errors +[1-9]/m);
      expectNoRunnerCommands(bad);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });
});

describe("qlik-cicd simulator", () => {
  it("starts the simulator, prints its JSON line and stops on SIGTERM sent the moment it arrives", async () => {
    const child = spawn(process.execPath, [cliBin, "simulator", "--tenants", "1"], {
      env: cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const closed = new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
    const line: string = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no JSON line from the simulator: ${stderr}`)), 25_000);
      child.stdout.on("data", (d) => {
        stdout += d;
        if (stdout.includes("\n")) {
          clearTimeout(timer);
          // No grace period: the simulator must already handle the signal when its line is out.
          child.kill("SIGTERM");
          resolve(stdout.split("\n")[0]);
        }
      });
    });
    const description = JSON.parse(line) as { url: string; tenants: unknown[] };
    expect(description.url).toMatch(/^http:\/\/127\./);
    expect(description.tenants).toHaveLength(1);
    // stderr is part of the comparison so a failure shows why the simulator did not stop cleanly.
    expect({ exit: await closed, stderr }).toEqual({ exit: { code: 0, signal: null }, stderr: "" });
  }, 45_000);

  it("passes bad simulator flags through to qlik-sim's usage error", async () => {
    const r = await spawnNode(cliBin, ["simulator", "--tenants", "zero"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).not.toBe("");
  });
});
