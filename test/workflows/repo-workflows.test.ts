// The repository's own workflows (.github/workflows) pass the checks the examples pass (workflow-lint.ts),
// and the live-tenant workflow keeps its promises: scheduled and on demand, secrets only mapped into the
// job's env (a secret cannot be read in `if:`), every step after the first guarded on that env, no
// secret ever written by a `run` step, and the variables it maps are the ones the live suite reads.
import { describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { evaluateTemplate } from "./expressions.ts";
import { repoRoot } from "./runner.ts";
import { lintWorkflow } from "./workflow-lint.ts";

const dir = join(repoRoot, ".github", "workflows");
const workflows = readdirSync(dir)
  .filter((f) => f.endsWith(".yml"))
  .sort();

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Workflow {
  on: { schedule?: { cron: string }[]; workflow_dispatch?: unknown };
  env?: Record<string, string>;
  jobs: Record<string, { env?: Record<string, string>; steps: Step[] }>;
}

describe(".github/workflows", () => {
  it("holds CI, the self-test, the release and the live-tenant workflows", () => {
    expect(workflows).toEqual(["ci.yml", "live-tenant.yml", "release.yml", "self-test.yml"]);
  });

  // They run on GitHub only (the examples also run in the local runner), so they may call the tools a
  // GitHub runner has, and use this checkout's actions (`uses: ./actions/<name>`).
  it.each(workflows)("%s passes the structural checks of the examples", (file) => {
    const runCommands = ["npm", "bash", "node", "git", "grep", "head", "seq", "sleep"];
    expect(lintWorkflow(join(dir, file), { runCommands, localActions: true })).toEqual([]);
  });
});

describe("live-tenant.yml", () => {
  const text = readFileSync(join(dir, "live-tenant.yml"), "utf8");
  const wf = parseYaml(text) as Workflow;
  const jobs = Object.values(wf.jobs);
  const steps = jobs.flatMap((j) => j.steps);
  const SECRET_NAMES = [
    "QLIK_LIVE_TENANT_URL",
    "QLIK_LIVE_API_KEY",
    "QLIK_LIVE_CLIENT_ID",
    "QLIK_LIVE_CLIENT_SECRET",
  ];

  it("runs nightly and on demand", () => {
    expect(wf.on.schedule?.[0]?.cron).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(Object.keys(wf.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
  });

  it("maps the secrets into the job's env, and reads secrets nowhere else", () => {
    expect(jobs).toHaveLength(1);
    for (const name of SECRET_NAMES) expect(jobs[0].env?.[name]).toBe(`\${{ secrets.${name} }}`);
    const secretRefs = [...text.matchAll(/\bsecrets\.(\w+)/g)].map((m) => m[1]).sort();
    expect(secretRefs).toEqual([...SECRET_NAMES].sort());
    expect(wf.env).toBeUndefined();
    for (const s of steps) {
      expect(JSON.stringify({ if: s.if, env: s.env, with: s.with, run: s.run })).not.toMatch(/secrets/);
    }
  });

  it("guards every step on the tenant URL in env: without it only the notice runs, with it all but the notice", () => {
    const runs = (tenantUrl: string) =>
      steps.map((s) =>
        evaluateTemplate(`\${{ ${s.if ?? "true"} }}`, {
          contexts: { env: { ...jobs[0].env, QLIK_LIVE_TENANT_URL: tenantUrl } },
          status: "success",
        }),
      );
    expect(steps.every((s) => /\benv\.QLIK_LIVE_TENANT_URL\b/.test(s.if ?? ""))).toBe(true);
    expect(runs("")).toEqual(steps.map((_, i) => i === 0));
    expect(runs("https://acme.eu.qlikcloud.com")).toEqual(steps.map((_, i) => i !== 0));
  });

  it("never writes a credential from a run step", () => {
    for (const s of steps.filter((x) => x.run)) {
      expect(s.run).not.toMatch(/QLIK_LIVE_(API_KEY|CLIENT_SECRET|CLIENT_ID)|set -x|printenv|\benv\b\s*$/m);
    }
  });

  it("runs the live suite with its writing checks, and maps only variables the suite reads", () => {
    const run = steps.map((s) => s.run ?? "").join("\n");
    expect(run).toMatch(/npm test -- test\/live\b/);
    expect(jobs[0].env?.QLIK_LIVE_WRITE).toBe("true");
    const suite = readdirSync(join(repoRoot, "test", "live"))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => readFileSync(join(repoRoot, "test", "live", f), "utf8"))
      .join("\n");
    const read = new Set([...suite.matchAll(/\benv\.(QLIK_LIVE_\w+)/g)].map((m) => m[1]));
    const mapped = Object.keys(jobs[0].env ?? {}).filter((k) => k.startsWith("QLIK_LIVE_"));
    expect(mapped.filter((k) => !read.has(k))).toEqual([]);
    expect([...SECRET_NAMES, "QLIK_LIVE_WRITE"].filter((k) => !read.has(k))).toEqual([]);
  });
});
