// The README's "Quick start on a laptop" block, exactly as written, run in bash with the repository's
// qlik-sim and qlik-cicd on PATH (what the README tells a person to set up). The only addition is
// where the simulator keeps its state (`--state-dir`, through the qlik-sim on PATH), so that after the
// block stopped it the test can start it again and look at what the block deployed.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawn } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { startSimulator } from "@qlik-cicd/simulator";
import { repoRoot } from "../helpers/run-bundled-action.ts";
import { cleanEnv } from "./spawn.ts";

const HEADING = "## Quick start on a laptop (no Qlik account)";

/** The first ```sh block under the quick start heading, as a person copies it. */
export function quickStartBlock(readme: string): string {
  const start = readme.indexOf(`\n${HEADING}\n`);
  if (start < 0) throw new Error(`README.md has no '${HEADING}' section.`);
  const section = readme.slice(start + 1).split(/\n## /)[0];
  const block = /\n```sh\n([\s\S]*?)\n```\n/.exec(section);
  if (!block) throw new Error(`README.md's '${HEADING}' section has no sh block.`);
  return `${block[1]}\n`;
}

let root: string;
let stateDir: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "qlik-quick-start-"));
  stateDir = join(root, "sim-state");
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A PATH folder holding qlik-cicd (the repository's bin) and qlik-sim (its bin, keeping state). */
function binFolder(): string {
  const bin = join(root, "bin");
  mkdirSync(bin);
  symlinkSync(join(repoRoot, "packages", "cli", "bin", "qlik-cicd.js"), join(bin, "qlik-cicd"));
  const sim = join(repoRoot, "packages", "simulator", "bin", "qlik-sim.js");
  writeFileSync(join(bin, "qlik-sim"), `#!/bin/sh\nexec "${sim}" --state-dir "${stateDir}" "$@"\n`);
  chmodSync(join(bin, "qlik-sim"), 0o755);
  return bin;
}

/** Stops a simulator the block left running (it failed before its last line). */
function stopLeftover(tmp: string): void {
  for (const dir of readdirSync(tmp)) {
    try {
      const env = readFileSync(join(tmp, dir, "qlik-sim.env"), "utf8");
      const pid = Number(/QLIK_SIM_PID='(\d+)'/.exec(env)?.[1]);
      if (pid) process.kill(pid, "SIGTERM");
    } catch {
      // not the block's folder, or the simulator is already gone
    }
  }
}

describe("README quick start", () => {
  it("runs as written: unbuild, change, validate, plan, deploy, promote, stop", async () => {
    const block = quickStartBlock(readFileSync(join(repoRoot, "README.md"), "utf8"));
    expect(block).toContain("qlik-sim --env");
    expect(block).toContain('kill "$QLIK_SIM_PID"');

    const tmp = join(root, "tmp");
    mkdirSync(tmp);
    const env = cleanEnv({
      PATH: [binFolder(), dirname(process.execPath), process.env.PATH ?? ""].join(delimiter),
      TMPDIR: tmp,
    });
    const child = spawn("bash", ["--noprofile", "--norc", "-e", "-c", block], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 150_000);
    const exitCode = await new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
    clearTimeout(timer);
    stopLeftover(tmp);
    if (exitCode !== 0) throw new Error(`The quick start failed (exit ${exitCode}):\n${stderr.slice(-4000)}`);

    // What a person sees on the way.
    expect(stderr).toContain("Unbuilding 'Sales Analytics'");
    expect(stderr).toContain("Deploy plan (dry run: nothing was changed): Sales Analytics → test");
    expect(stderr).toMatch(/vSalesTarget +definition: 3000000/);
    for (const space of ["test", "acceptance", "production"]) {
      expect(stderr).toContain(`Deployed: Sales Analytics → ${space}`);
    }
    // Test's build became the artifact that acceptance and production run; the last dry run finds
    // production already running it.
    const built = /as artifact ([0-9a-f]{12}) \(\d+ bytes\)/.exec(stderr)?.[1];
    expect(built).toBeDefined();
    expect(stderr).toContain(`Verified: app`);
    expect(stderr.match(new RegExp(`runs artifact ${built}\\.`, "g"))).toHaveLength(2);
    expect(stderr.trimEnd()).toMatch(
      new RegExp(
        `'Sales Analytics' in 'production' already runs artifact ${built}: nothing to do\\.[\\s\\S]*deploy-to-space: done\\.$`,
      ),
    );
    expect(stderr).not.toMatch(/^error: /m);

    // The simulator the block stopped, started again from its state: the app is in every managed space,
    // with the change.
    const sim = await startSimulator({ stateDir });
    try {
      const tenant = sim.description.tenants[0].name;
      const state = sim.control.state(tenant);
      for (const spaceName of ["test", "acceptance", "production"]) {
        const space = state.spaces.find((s) => s.name === spaceName);
        const apps = state.apps.filter((a) => a.spaceId === space?.id);
        expect(apps.map((a) => a.name)).toEqual(["Sales Analytics"]);
        const doc = sim.control.document(tenant, apps[0].id);
        expect(JSON.stringify(doc)).toContain('"3000000"');
      }
    } finally {
      await sim.stop();
    }
  }, 180_000);
});
