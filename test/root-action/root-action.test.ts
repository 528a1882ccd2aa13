// The root action: action.yml generated from every action (and up to date), and dist/index.js
// dispatching `command` to the sub-action's bundle the way the runner would run it.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { expressionInputName, loadActions, type ActionInfo } from "@qlik-cicd/cli";
import { startSimulator } from "@qlik-cicd/simulator";
import { bridgeExpressionDefaults } from "../../actions/_shared/src/dispatch.ts";
import { parseOutputFile, repoRoot } from "../helpers/run-bundled-action.ts";
import { renderRootAction } from "../../scripts/root-action.ts";
import { spawnNode } from "../cli/spawn.ts";

interface RootMeta {
  inputs: Record<string, { description: string; required: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

const actions = loadActions();

describe("root action.yml", () => {
  it("is up to date with actions/*/action.yml (generator in --check mode)", async () => {
    const r = await spawnNode(join(repoRoot, "scripts", "root-action.ts"), ["--check"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
  });

  it("--check fails when action.yml is stale, and passes once regenerated", async () => {
    const root = mkdtempSync(join(tmpdir(), "root-action-check-"));
    try {
      for (const action of actions.slice(0, 2)) {
        mkdirSync(join(root, "actions", action.name), { recursive: true });
        cpSync(join(action.dir, "action.yml"), join(root, "actions", action.name, "action.yml"));
      }
      mkdirSync(join(root, "actions", "_shared"));
      writeFileSync(join(root, "action.yml"), readFileSync(join(repoRoot, "action.yml")));
      const script = join(repoRoot, "scripts", "root-action.ts");
      const stale = await spawnNode(script, ["--check", "--root", root]);
      expect(stale.exitCode).toBe(1);
      expect(stale.stderr).toContain("action.yml is out of date");
      expect((await spawnNode(script, ["--root", root])).exitCode).toBe(0);
      expect((await spawnNode(script, ["--check", "--root", root])).exitCode).toBe(0);
      const meta = parse(readFileSync(join(root, "action.yml"), "utf8")) as RootMeta;
      expect(meta.inputs.command.description).toContain(actions[1].name);
      expect(meta.inputs.command.description).not.toContain(actions[2].name);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("has `command` plus the union of every action's inputs and outputs, none required", () => {
    const meta = parse(readFileSync(join(repoRoot, "action.yml"), "utf8")) as RootMeta;
    expect(meta.runs).toEqual({ using: "node24", main: "dist/index.js" });
    expect(meta.inputs.command.required).toBe(true);
    for (const action of actions) {
      expect(meta.inputs.command.description).toContain(action.name);
      for (const input of Object.keys(action.inputs)) {
        expect(meta.inputs[input]).toBeDefined();
        expect(meta.inputs[input].required).toBe(false);
        expect(meta.inputs[input].description).toMatch(new RegExp(`\\[[^\\]]*${action.name}`));
      }
      for (const output of Object.keys(action.outputs)) expect(meta.outputs[output]).toBeDefined();
    }
  });

  it("keeps a default only when every action declaring the input agrees on it", () => {
    const mk = (name: string, inputs: ActionInfo["inputs"]): ActionInfo => ({
      name,
      dir: "/x",
      title: name,
      description: `${name} does things.`,
      inputs,
      outputs: { done: { description: "d" } },
    });
    const yml = renderRootAction([
      mk("a", {
        same: { description: "s", default: "true" },
        differ: { description: "d", default: "30" },
        partly: { description: "p", default: "x" },
        token: { description: "t", default: "${{ github.token }}" },
      }),
      mk("b", {
        same: { description: "s", default: "true" },
        differ: { description: "d", default: "60" },
        partly: { description: "p2", required: true },
        token: { description: "t" },
      }),
    ]);
    const meta = parse(yml) as RootMeta;
    expect(meta.inputs.same.default).toBe("true");
    expect(meta.inputs.same.description).toBe("[a, b] s");
    expect(meta.inputs.differ.default).toBeUndefined();
    expect(meta.inputs.differ.description).toContain("Default per command: a 30, b 60.");
    expect(meta.inputs.partly.default).toBeUndefined();
    expect(meta.inputs.partly.description).toBe("[a] p [b] p2 Required by b. Default per command: a x.");
    expect(meta.inputs.token.default).toBeUndefined();
    expect(meta.inputs.token.description).not.toContain("${{");
    expect(meta.inputs[expressionInputName("${{ github.token }}")]).toEqual({
      description: expect.stringContaining("a token"),
      required: false,
      default: "${{ github.token }}",
    });
    expect(() => renderRootAction([mk("c", { command: { description: "no" } })])).toThrow(/collides/);
  });

  it("the dispatcher hands expression defaults over from default-* inputs, and nothing else", () => {
    // Literal defaults are the sub-action's own (its operation applies them to empty inputs, see
    // test/contracts/action-metadata.test.ts); only `${{ … }}` defaults need the root's help.
    const action = actions.find((a) => a.name === "approve-gate")!;
    const env: NodeJS.ProcessEnv = {
      "INPUT_MINIMUM-APPROVALS": "",
      "INPUT_DENY-WINS": "false",
      "INPUT_DEFAULT-GITHUB-TOKEN": "ghs_workflow",
    };
    bridgeExpressionDefaults(action, env);
    expect(env["INPUT_MINIMUM-APPROVALS"]).toBe("");
    expect(env["INPUT_DENY-WINS"]).toBe("false");
    expect(env["INPUT_GITHUB-TOKEN"]).toBe("ghs_workflow");
    expect(env.INPUT_APPROVERS).toBeUndefined();
    const given: NodeJS.ProcessEnv = {
      "INPUT_GITHUB-TOKEN": "ghs_own",
      "INPUT_DEFAULT-GITHUB-TOKEN": "ghs_x",
    };
    bridgeExpressionDefaults(action, given);
    expect(given["INPUT_GITHUB-TOKEN"]).toBe("ghs_own");
  });
});

describe("root dist/index.js", () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let dir: string;
  beforeAll(async () => {
    sim = await startSimulator({ tenants: 1, seed: "demo" });
    dir = mkdtempSync(join(tmpdir(), "root-action-"));
  });
  afterAll(async () => {
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function runnerEnv(inputs: Record<string, string>): Record<string, string> {
    writeFileSync(join(dir, "output"), "");
    writeFileSync(join(dir, "summary"), "");
    const env: Record<string, string> = {
      GITHUB_OUTPUT: join(dir, "output"),
      GITHUB_STEP_SUMMARY: join(dir, "summary"),
      GITHUB_WORKSPACE: dir,
      GITHUB_ACTIONS: "true",
      RUNNER_TEMP: dir,
    };
    for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
    return env;
  }

  it("dispatches `command` to the sub-action; its outputs land in GITHUB_OUTPUT", async () => {
    const tenant = sim.description.tenants[0];
    const fixture = join(repoRoot, "packages", "app-files", "test", "fixtures", "qlik-cli-unbuild");
    cpSync(fixture, join(dir, "apps", "sales"), { recursive: true });
    const r = await spawnNode(join(repoRoot, "dist", "index.js"), [], {
      cwd: dir,
      env: runnerEnv({
        command: "deploy-to-space",
        "tenant-url": tenant.url,
        "api-key": tenant.apiKey,
        space: "test",
        // Inside the workspace: on a runner path inputs may not point elsewhere.
        source: "apps/sales",
        "dry-run": "true",
        // What the runner passes for the root's inputs with a shared default (other commands ignore them).
        "fail-on": "error",
      }),
    });
    expect(r.stdout).not.toMatch(/^::error::/m);
    expect(r.exitCode).toBe(0);
    const outputs = parseOutputFile(readFileSync(join(dir, "output"), "utf8"));
    expect(outputs.changed).toBe("true");
    expect(JSON.parse(outputs.plan).dryRun).toBe(true);
    expect(readFileSync(join(dir, "summary"), "utf8").length).toBeGreaterThan(0);
    expect(r.stdout).toContain(`::add-mask::${tenant.apiKey}`);
  });

  it("dispatches to a sub-action that runs its engine in a worker thread (rollout-canary)", async () => {
    const tenant = sim.description.tenants[0];
    const fixture = join(repoRoot, "packages", "app-files", "test", "fixtures", "qlik-cli-unbuild");
    cpSync(fixture, join(dir, "apps", "sales"), { recursive: true });
    writeFileSync(
      join(dir, "tenants.yml"),
      `version: 1\ntenants:\n  - name: acme\n    url: ${tenant.url}\n    credentials: { apiKeyEnv: ACME_API_KEY }\n`,
    );
    const r = await spawnNode(join(repoRoot, "dist", "index.js"), [], {
      cwd: dir,
      env: {
        ...runnerEnv({
          command: "rollout-canary",
          "tenants-file": "tenants.yml",
          source: "apps/sales",
          space: "production",
          "app-name": "Sales",
          "dry-run": "true",
        }),
        ACME_API_KEY: tenant.apiKey,
      },
    });
    expect(r.stdout).not.toMatch(/^::error::/m);
    expect(r.exitCode).toBe(0);
    const outputs = parseOutputFile(readFileSync(join(dir, "output"), "utf8"));
    expect(outputs.status).toBe("planned");
    expect(r.stdout).toContain(`::add-mask::${tenant.apiKey}`);
    expect(readFileSync(join(dir, "summary"), "utf8")).toContain("acme");
  });

  it("a failing sub-action fails the step with its own ::error::", async () => {
    const r = await spawnNode(join(repoRoot, "dist", "index.js"), [], {
      cwd: dir,
      env: runnerEnv({ command: "deploy-to-space", space: "test" }),
    });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^::error::deploy-to-space failed: Input 'tenant-url' is required/m);
  });

  it("an unknown command exits 1 listing the commands", async () => {
    const r = await spawnNode(join(repoRoot, "dist", "index.js"), [], {
      cwd: dir,
      env: runnerEnv({ command: "deploy-to-spaces" }),
    });
    expect(r.exitCode).toBe(1);
    const errors = r.stdout.split("\n").filter((l) => l.startsWith("::error::"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("Unknown command 'deploy-to-spaces'. Available commands: ");
    for (const name of ["approve-gate", "deploy-to-space", "evaluate-app"]) expect(errors[0]).toContain(name);
  });

  it("a missing command exits 1 listing the commands", async () => {
    const r = await spawnNode(join(repoRoot, "dist", "index.js"), [], { cwd: dir, env: runnerEnv({}) });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^::error::Input 'command' is required\. Available commands: approve-gate, /m);
  });

  it("refuses a command that tries to leave actions/", async () => {
    const r = await spawnNode(join(repoRoot, "dist", "index.js"), [], {
      cwd: dir,
      env: runnerEnv({ command: "../dist" }),
    });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("::error::Unknown command '../dist'.");
  });
});
