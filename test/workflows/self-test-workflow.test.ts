// The repository's own CI, self-test and release workflows keep their promises. The self-test workflow
// is also executed here: its `uses: ./actions/<name>` steps run as the runner runs them (the bundles,
// with INPUT_* and the QLIK_* fallbacks the "Start the simulator" step exports) against a simulator
// started in-process, and its `run:` checks run in bash with the step outputs they read. What only
// GitHub can run (checkout, npm ci, the background simulator) is the part left out.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { startSimulator } from "@qlik-cicd/simulator";
import { runBundledAction } from "../helpers/run-bundled-action.ts";
import { evaluateTemplate, type Value } from "./expressions.ts";
import { repoRoot } from "./runner.ts";

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const read = (file: string) => {
  const text = readFileSync(join(repoRoot, ".github", "workflows", file), "utf8");
  return { text, wf: parseYaml(text) as Workflow };
};

describe("ci.yml", () => {
  const { wf } = read("ci.yml");

  it("runs .ci/run on ubuntu-latest for pushes to main and pull requests", () => {
    expect(Object.keys(wf.on).sort()).toEqual(["pull_request", "push"]);
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
    expect(steps.map((s) => s.run).filter(Boolean)).toEqual(["bash .ci/run"]);
    expect(wf.permissions).toEqual({ contents: "read" });
  });
});

describe("release.yml", () => {
  const { wf } = read("release.yml");
  const check = wf.jobs.check;
  const tag = wf.jobs.tag;

  it("runs CI before it tags, and only the tagging job may write", () => {
    expect(tag.needs).toBe("check");
    expect(check.steps.some((s) => s.run === "bash .ci/run")).toBe(true);
    expect(wf.permissions).toEqual({ contents: "read" });
    expect(tag.permissions).toEqual({ contents: "write" });
  });

  it("reads the version through env, never interpolated into a script", () => {
    for (const s of [...check.steps, ...tag.steps]) {
      expect(s.run ?? "").not.toMatch(/\$\{\{/);
      if (s.run?.includes("VERSION")) expect(s.env?.VERSION).toBe("${{ inputs.version }}");
    }
  });

  const script = (name: RegExp) => check.steps.find((s) => name.test(s.name ?? ""))?.run as string;
  const runCheck = (version: string, changelog: string) => {
    const dir = mkdtempSync(join(tmpdir(), "release-check-"));
    try {
      spawnSync("bash", ["-c", `cat > CHANGELOG.md`], { cwd: dir, input: changelog });
      return spawnSync("bash", ["-e", "-c", script(/CHANGELOG/)], {
        cwd: dir,
        env: { PATH: process.env.PATH, VERSION: version },
        encoding: "utf8",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("refuses a version that is not X.Y.Z, and one the CHANGELOG does not have", () => {
    const changelog = "# Changelog\n\n## Unreleased\n\n## 1.2.0\n\n- things\n";
    expect(runCheck("1.2.0", changelog).status).toBe(0);
    const bad = runCheck("1.2", changelog);
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toContain("must be X.Y.Z");
    const missing = runCheck("1.3.0", changelog);
    expect(missing.status).not.toBe(0);
    expect(missing.stdout).toContain("CHANGELOG.md has no '## 1.3.0' section");
  });

  it("tags vX.Y.Z and moves the major tag to it", () => {
    const run = tag.steps.map((s) => s.run ?? "").join("\n");
    expect(run).toContain('git tag -a "v$VERSION"');
    expect(run).toContain('git tag -f "$major" "v$VERSION"');
    expect(run).toContain('git push -f origin "$major"');
  });
});

describe("self-test.yml", () => {
  const { wf } = read("self-test.yml");
  const steps = wf.jobs.actions.steps;
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let workspace: string;

  beforeAll(async () => {
    sim = await startSimulator({
      tenants: 1,
      seed: "demo",
      timings: { reloadMs: 20, publishAccessWindowMs: 0 },
    });
    workspace = mkdtempSync(join(tmpdir(), "self-test-"));
    cpSync(join(repoRoot, "test", "live", "sample-app"), join(workspace, "test", "live", "sample-app"), {
      recursive: true,
    });
  });

  afterAll(async () => {
    await sim?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it("masks the simulator's API key before it writes it anywhere", () => {
    const start = steps.find((s) => /simulator/i.test(s.name ?? ""))?.run ?? "";
    const mask = start.indexOf('echo "::add-mask::$key"');
    expect(mask).toBeGreaterThan(-1);
    expect(start.indexOf("QLIK_API_KEY=$key")).toBeGreaterThan(mask);
  });

  it("uses only this checkout's actions", () => {
    const uses = steps
      .map((s) => s.uses)
      .filter((u): u is string => !!u && !u.startsWith("actions/checkout"));
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/^\.\/actions\/[a-z-]+$/);
  });

  it("passes when its action steps and checks run against a simulator", async () => {
    const tenant = sim.description.tenants[0];
    const outputs: Record<string, { outputs: Record<string, string> }> = {};
    const context = () => ({
      contexts: { steps: outputs as unknown as Value, env: {} as Value },
      status: "success" as const,
    });
    for (const step of steps) {
      if (step.uses?.startsWith("./actions/")) {
        const inputs = Object.fromEntries(
          Object.entries(step.with ?? {}).map(([k, v]) => [
            k,
            String(evaluateTemplate(String(v), context())),
          ]),
        );
        const run = await runBundledAction(step.uses.slice("./actions/".length), {
          inputs,
          workspace,
          env: { QLIK_TENANT_URL: tenant.url, QLIK_API_KEY: tenant.apiKey },
          timeoutMs: 120_000,
        });
        expect({ step: step.name, exitCode: run.exitCode, errors: run.errors }).toEqual({
          step: step.name,
          exitCode: 0,
          errors: [],
        });
        if (step.id) outputs[step.id] = { outputs: run.outputs };
      } else if (step.env && step.run) {
        // A check: the step's env, evaluated with the outputs so far, and its script in bash.
        const env = Object.fromEntries(
          Object.entries(step.env).map(([k, v]) => [k, String(evaluateTemplate(v, context()))]),
        );
        const result = spawnSync("bash", ["-e", "-c", step.run], {
          env: { PATH: process.env.PATH, ...env },
          encoding: "utf8",
        });
        expect({ step: step.name, status: result.status, env }).toEqual({
          step: step.name,
          status: 0,
          env,
        });
      }
    }
    expect(Object.keys(outputs).sort()).toEqual(["again", "deploy", "plan"]);
  }, 240_000);
});
