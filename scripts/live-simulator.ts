// Runs the live suite (test/live) against a simulator started here, through the same QLIK_LIVE_*
// variables a real tenant is given, so the suite cannot rot unnoticed between runs on a real tenant.
// Starts `qlik-sim`, reads its one JSON line for the tenant's URL and API key, runs every live check
// (the read-only ones on the seeded app, and the writing ones in a scratch space), stops the simulator,
// and fails when a live check failed or was skipped. `.ci/run` runs it; so can `npm run test:live-sim`.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const root = join(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "live-simulator-"));

interface Description {
  tenants: { url: string; apiKey: string }[];
}

function exited(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

/** The simulator's first stdout line, or an error when it exits or stays silent first. */
function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(
      () => reject(new Error(`qlik-sim printed nothing within ${timeoutMs / 1000} s.`)),
      timeoutMs,
    );
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`qlik-sim exited (code ${code}) before describing itself.`));
    });
  });
}

const simulator = spawn(
  process.execPath,
  [join(root, "packages", "simulator", "bin", "qlik-sim.js"), "--seed", "live"],
  {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  },
);
let code: number;
try {
  const description = JSON.parse(await firstLine(simulator, 30_000)) as Description;
  const tenant = description.tenants[0];
  // The seeded app, for the read-only checks (unbuilt twice, a deploy planned into `test`).
  const items = await fetch(`${tenant.url}/api/v1/items?resourceType=app`, {
    headers: { authorization: `Bearer ${tenant.apiKey}` },
  });
  const appId = ((await items.json()) as { data: { resourceId: string }[] }).data[0]?.resourceId;
  if (!items.ok || !appId)
    throw new Error(`The simulator's tenant has no seeded app (items: ${items.status}).`);

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("QLIK_LIVE_")) env[k] = v;
  Object.assign(env, {
    QLIK_LIVE_TENANT_URL: tenant.url,
    QLIK_LIVE_API_KEY: tenant.apiKey,
    QLIK_LIVE_WRITE: "true",
    QLIK_LIVE_RUN_ID: "simulator",
    QLIK_LIVE_APP_ID: appId,
    QLIK_LIVE_SPACE: "test",
    QLIK_LIVE_TIMEOUT_MINUTES: "1",
  });
  const results = join(work, "results.json");
  const jest = spawn(
    process.execPath,
    [
      "--experimental-vm-modules",
      "--no-warnings=ExperimentalWarning",
      join(root, "node_modules", "jest", "bin", "jest.js"),
      "test/live",
      "--maxWorkers=1",
      "--json",
      `--outputFile=${results}`,
    ],
    { cwd: root, env, stdio: "inherit" },
  );
  code = await exited(jest);
  const summary = JSON.parse(readFileSync(results, "utf8")) as {
    numTotalTests: number;
    numPassedTests: number;
    numPendingTests: number;
  };
  if (code === 0 && (summary.numPendingTests > 0 || summary.numPassedTests !== summary.numTotalTests)) {
    console.error(
      `The live suite skipped ${summary.numPendingTests} of ${summary.numTotalTests} checks against the simulator; every check must run here.`,
    );
    code = 1;
  }
} catch (error) {
  console.error(`Live checks against the simulator could not run: ${(error as Error).message}`);
  code = 1;
} finally {
  simulator.kill("SIGTERM");
  await exited(simulator);
  rmSync(work, { recursive: true, force: true });
}
process.exit(code);
