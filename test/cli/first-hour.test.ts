// What a person meets in their first hour with qlik-cicd in a terminal: sentences that say what to do
// (no internal names, no ByteString errors, did-you-mean), exit code 2 for bad usage, and runs that leave
// nothing in the current folder unless asked, with the OS user as the audit actor.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { startSimulator, type RunningSimulator } from "@qlik-cicd/simulator";
import { writeInventory, writeSources } from "../../packages/delivery/test/rollout-helpers.ts";
import { repoRoot } from "../helpers/run-bundled-action.ts";
import { runCli } from "./spawn.ts";

const source = join(repoRoot, "packages", "app-files", "test", "fixtures", "qlik-cli-unbuild");
let sim: RunningSimulator;
let url: string;
let apiKey: string;
let root: string;

beforeAll(async () => {
  sim = await startSimulator({
    tenants: 2,
    seed: "demo",
    timings: { reloadMs: 20, publishAccessWindowMs: 0 },
  });
  url = sim.description.tenants[0].url;
  apiKey = sim.description.tenants[0].apiKey;
  root = mkdtempSync(join(tmpdir(), "qlik-cicd-first-hour-"));
}, 30_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** An empty folder to run in, so anything a run leaves behind shows. */
function emptyFolder(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function errorLine(stderr: string): string {
  const lines = stderr.split("\n").filter((l) => l.startsWith("error: "));
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe("messages that say what to do", () => {
  it("a tenant URL without a scheme that cannot be reached says https:// was assumed", async () => {
    const bare = url.replace(/^http:\/\//, "");
    const r = await runCli(["deploy-to-space", "--tenant-url", bare, "--space", "test", "--source", source], {
      cwd: emptyFolder("no-scheme"),
      env: { QLIK_API_KEY: apiKey },
      timeoutMs: 60_000,
    });
    expect(r.exitCode).toBe(1);
    const line = errorLine(r.stderr);
    expect(line).toContain(`The tenant URL '${bare}' has no scheme, so https:// was assumed`);
    expect(line).toContain(`http://${bare}`);
    expect(line).not.toMatch(/tenantUrl|ByteString/);
  }, 60_000);

  it("a placeholder pasted as the API key is one sentence, not a ByteString error (exit 2)", async () => {
    const r = await runCli(["deploy-to-space", "--space", "test", "--source", source, "--dry-run"], {
      cwd: emptyFolder("placeholder"),
      env: { QLIK_TENANT_URL: url, QLIK_API_KEY: "‹paste your API key here›" },
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(
      "error: The API key has a character an API key never contains (character 1 is not plain ASCII): paste the key itself, not a placeholder or quoted text.",
    );
  });

  it("a missing or malformed input is bad usage (exit 2) naming the input, never an internal name", async () => {
    const missing = await runCli(["deploy-to-space", "--space", "test", "--source", source], {
      cwd: emptyFolder("missing"),
    });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.trim()).toBe("error: Input 'tenant-url' is required (or set QLIK_TENANT_URL).");
    const malformed = await runCli(
      ["deploy-to-space", "--tenant-url", "https://acme.eu.qlikcloud.com/sense/hub", "--space", "test"],
      { cwd: emptyFolder("malformed"), env: { QLIK_API_KEY: apiKey } },
    );
    expect(malformed.exitCode).toBe(2);
    expect(malformed.stderr.trim()).toMatch(
      /^error: The tenant URL '.+' in 'tenant-url' must be the tenant's address only/,
    );
    const number = await runCli(["evaluate-app", "--app-id", "x", "--passes", "many"], {
      cwd: emptyFolder("number"),
      env: { QLIK_TENANT_URL: url, QLIK_API_KEY: apiKey },
    });
    expect(number.exitCode).toBe(2);
    expect(number.stderr.trim()).toBe("error: Input 'passes' must be a whole number, got 'many'.");
  });

  it("an app name that is not in the space suggests the near one", async () => {
    const r = await runCli(
      ["unbuild-app", "--app-name", "Sales Analytic", "--space", "development", "--path", "apps/sales"],
      { cwd: emptyFolder("did-you-mean"), env: { QLIK_TENANT_URL: url, QLIK_API_KEY: apiKey } },
    );
    expect(r.exitCode).toBe(1);
    expect(errorLine(r.stderr)).toBe(
      "error: unbuild-app failed: App 'Sales Analytic' in 'app-name' was not found in space 'development'. Did you mean 'Sales Analytics'?",
    );
  });

  it("a rollback without a kept store says how to keep one (rollback-dir)", async () => {
    const r = await runCli(
      ["deploy-to-space", "--space", "test", "--app-name", "Sales (migrated)", "--rollback"],
      {
        cwd: emptyFolder("rollback"),
        env: { QLIK_TENANT_URL: url, QLIK_API_KEY: apiKey },
      },
    );
    expect(r.exitCode).toBe(1);
    const line = errorLine(r.stderr);
    expect(line).toContain("No stored version of 'Sales (migrated)' in space 'test' to roll back to");
    expect(line).toContain("give the deploy and the rollback the same 'rollback-dir'");
  });
});

describe("runs leave the current folder alone", () => {
  it("a rollout keeps its state, rollback copies and work files out of the current folder", async () => {
    const inputs = join(root, "rollout-inputs");
    await writeSources(sim, join(inputs, "apps"));
    const { env } = writeInventory(sim, join(inputs, "tenants.yml"));
    const cwd = emptyFolder("rollout");
    const rollout = (...more: string[]) =>
      runCli(
        [
          "rollout-canary",
          ...["--tenants-file", join(inputs, "tenants.yml"), "--source", join(inputs, "apps", "v1")],
          ...["--space", "production", "--app-name", "First Hour", ...more],
        ],
        { cwd, env, timeoutMs: 90_000 },
      );
    const r = await rollout("--json");
    expect(r.stderr).not.toMatch(/^error:/m);
    expect(r.exitCode).toBe(0);
    expect(readdirSync(cwd)).toEqual([]);
    const outputs = JSON.parse(r.stdout) as Record<string, string>;
    expect(outputs["state-file"].startsWith(join(tmpdir(), "qlik-cicd"))).toBe(true);
    expect(existsSync(outputs["state-file"])).toBe(true);
    expect(JSON.parse(outputs.succeeded)).toHaveLength(2);

    // Asked for: --state-file puts it where the user says.
    const asked = await rollout("--state-file", "state/rollout.json", "--dry-run");
    expect(asked.exitCode).toBe(0);
    // A plan writes no state, only its report beside where the state would go.
    expect(readdirSync(cwd)).toEqual(["state"]);
    expect(readdirSync(join(cwd, "state"))).toEqual(["rollout-report.json"]);
  }, 120_000);

  it("the audit trail names the person at the terminal, even with a GITHUB_ACTOR copied in", async () => {
    const cwd = emptyFolder("audit");
    cpSync(source, join(cwd, "apps", "sales"), { recursive: true });
    const r = await runCli(
      ["deploy-to-space", "--space", "test", "--source", "apps/sales", "--app-name", "Audit Actor", "--json"],
      { cwd, env: { QLIK_TENANT_URL: url, QLIK_API_KEY: apiKey, GITHUB_ACTOR: "someone-else" } },
    );
    expect(r.exitCode).toBe(0);
    expect(readdirSync(cwd)).toEqual(["apps"]);
    const outputs = JSON.parse(r.stdout) as Record<string, string>;
    const records = readFileSync(outputs["audit-file"], "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { actor: string });
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) expect(record.actor).toBe(userInfo().username);
  }, 60_000);
});
