// The workflow runner's own behaviour: the stated expression subset (and loud failures outside it),
// matrix expansion, trigger filters, the run-step allow-list, stand-ins, and the structural lint catching
// what the examples must not do.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  evaluateExpression,
  evaluateTemplate,
  UnsupportedExpressionError,
  type ExpressionContext,
} from "./expressions.ts";
import {
  ActionNotBuiltError,
  checkRunScript,
  globToRegExp,
  resolveAction,
  runWorkflow,
  WorkflowError,
} from "./runner.ts";
import { lintWorkflow } from "./workflow-lint.ts";
import { createWorld, type TestWorld } from "./world.ts";

const ctx: ExpressionContext = {
  status: "success",
  contexts: {
    github: { event_name: "push", ref: "refs/heads/main", run_attempt: "2" },
    steps: { plan: { outputs: { matrix: '{"include":[{"wave":1}]}', "app-id": "A1" }, outcome: "success" } },
    needs: { build: { result: "success", outputs: { list: '["a","b"]' } } },
    matrix: { tenant: { name: "acme", key: "QLIK_KEY_ACME" } },
    secrets: { QLIK_KEY_ACME: "s3cret", QLIK_US_CLIENT_ID: "cid" },
    env: { REGION: "us" },
    inputs: { customer: "" },
    vars: {},
  },
};
const ev = (e: string) => evaluateExpression(e, ctx);

describe("expressions", () => {
  it("evaluates the supported subset", () => {
    expect(ev("steps.plan.outputs.app-id")).toBe("A1");
    expect(ev("fromJSON(steps.plan.outputs.matrix).include[0].wave")).toBe(1);
    expect(ev("github.event_name == 'PUSH'")).toBe(true);
    expect(ev("github.run_attempt != '1' && !failure()")).toBe(true);
    expect(ev("inputs.customer || 'fallback'")).toBe("fallback");
    expect(ev("secrets[matrix.tenant.key]")).toBe("s3cret");
    expect(ev("secrets[format('QLIK_{0}_CLIENT_ID', env.REGION)]")).toBe("cid");
    expect(
      ev("contains(fromJSON(needs.build.outputs.list), 'b') && startsWith(github.ref, 'refs/heads/')"),
    ).toBe(true);
    expect(ev("format('{0}-{{x}}', 1)")).toBe("1-{x}");
    expect(ev("toJSON(matrix.tenant)")).toBe('{\n  "name": "acme",\n  "key": "QLIK_KEY_ACME"\n}');
    expect(ev("(1 == '1') && null == 0 && always()")).toBe(true);
    expect(evaluateTemplate("rollout-${{ matrix.tenant.name }}.json", ctx)).toBe("rollout-acme.json");
    expect(evaluateTemplate("${{ fromJSON(needs.build.outputs.list) }}", ctx)).toEqual(["a", "b"]);
  });

  it.each([
    ["github.run_attempt > 1", /comparison operator '>'/],
    ["hashFiles('**/x')", /function 'hashFiles\(\)' is not in the supported list/],
    ["cancelled()", /function 'cancelled\(\)'/],
    ["runner.temp", /context 'runner' is not in the supported list/],
    ["steps.*.outputs", /object filters/],
    ["endsWith(github.ref, 'main')", /endsWith/],
  ])("fails loudly on %s, quoting it", (expression, reason) => {
    expect(() => ev(expression)).toThrow(UnsupportedExpressionError);
    expect(() => ev(expression)).toThrow(reason);
    expect(() => ev(expression)).toThrow(expression);
  });

  it("refuses to write an object into a string", () => {
    expect(() => evaluateTemplate("x ${{ matrix.tenant }}", ctx)).toThrow(/use toJSON/);
  });
});

describe("runner pieces", () => {
  it("matches GitHub's path filter globs", () => {
    expect(globToRegExp("apps/**").test("apps/sales/objects/a.json")).toBe(true);
    expect(globToRegExp("apps/*").test("apps/sales/x")).toBe(false);
    expect(globToRegExp("docs/**/*.md").test("docs/a.md")).toBe(true);
  });

  it("allows only simple run steps", () => {
    expect(() =>
      checkRunScript('echo "a=$(jq -c \'.x | length\' f.json)" >> "$GITHUB_OUTPUT"'),
    ).not.toThrow();
    expect(() => checkRunScript("curl https://example.com | sh")).toThrow(/'curl'/);
    expect(() => checkRunScript("echo $(rm -rf /)")).toThrow(/'rm'/);
  });

  it("names missing actions and unpinned or unknown third-party actions", () => {
    expect(() => resolveAction("your-org/qlik-cloud-cicd/actions/no-such-action@v1")).toThrow(
      ActionNotBuiltError,
    );
    expect(() => resolveAction("your-org/qlik-cloud-cicd/actions/no-such-action@v1")).toThrow(
      "action no-such-action not built yet",
    );
    expect(() => resolveAction("actions/checkout@v5")).toThrow(/must pin actions\/checkout to 3d3c42e5/);
    expect(() => resolveAction("someone/else@0123456789012345678901234567890123456789")).toThrow(
      WorkflowError,
    );
  });
});

describe("runWorkflow on small workflows", () => {
  let world: TestWorld;
  let dir: string;
  beforeAll(async () => {
    world = await createWorld({ simulator: { tenants: 1 } });
    dir = mkdtempSync(join(tmpdir(), "runner-wf-"));
  }, 30_000);
  afterAll(async () => {
    await world?.close();
  });

  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it("runs jobs in needs order with matrix, outputs, env files, artifacts and status functions", async () => {
    const file = write(
      "ok.yml",
      `name: t
on: { workflow_dispatch: { inputs: { who: { type: string, default: world } } } }
permissions: {}
jobs:
  second:
    needs: first
    runs-on: x
    strategy:
      matrix: \${{ fromJSON(needs.first.outputs.m) }}
    steps:
      - uses: actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c # v8.0.1
        with: { name: greeting }
      - id: s
        env: { N: "\${{ matrix.n }}" }
        run: echo "v=$(cat greeting.txt)-$N-$FROM_ENV_FILE" >> "$GITHUB_OUTPUT"
    outputs:
      v: \${{ steps.s.outputs.v }}
  first:
    runs-on: x
    outputs:
      m: \${{ steps.m.outputs.m }}
    steps:
      - id: m
        run: |
          echo 'm={"n":[1,2]}' >> "$GITHUB_OUTPUT"
          echo "FROM_ENV_FILE=ignored-in-other-jobs" >> "$GITHUB_ENV"
          echo "hello \${{ inputs.who }}" > greeting.txt
      - uses: actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0
        with: { name: greeting, path: greeting.txt }
      - run: exit 3
        continue-on-error: true
      - if: failure()
        run: echo never
  after:
    needs: second
    if: always()
    runs-on: x
    steps:
      - run: echo "\${{ needs.second.outputs.v }}"
`,
    );
    const r = await runWorkflow({
      workflow: file,
      world,
      event: { name: "workflow_dispatch", payload: { inputs: {} } },
    });
    expect(r.conclusion).toBe("success");
    expect(r.jobs.map((j) => j.key)).toEqual(["first", "second (n: 1)", "second (n: 2)", "after"]);
    expect(r.job("second").map((j) => j.steps[1].outputs.v)).toEqual(["hello world-1-", "hello world-2-"]);
    expect(r.job("first")[0].steps[2]).toMatchObject({ outcome: "failure", conclusion: "success" });
    expect(r.job("first")[0].steps[3].outcome).toBe("skipped");
    expect(r.job("after")[0].steps[0].stdout).toBe("hello world-2-\n");
  });

  it("skips dependants of a failed job, rejects environments, and does not trigger on other events", async () => {
    const file = write(
      "fail.yml",
      `name: t
on: { push: { branches: [main], paths: ["apps/**"] }, repository_dispatch: { types: [go] } }
permissions: {}
jobs:
  a:
    runs-on: x
    environment: gate
    steps: [{ run: echo a }]
  b:
    needs: a
    runs-on: x
    steps: [{ run: echo b }]
`,
    );
    const r = await runWorkflow({
      workflow: file,
      world,
      event: { name: "repository_dispatch", payload: { action: "go" } },
      environments: { gate: { reject: "mallory" } },
      runId: 42,
    });
    expect(r.conclusion).toBe("failure");
    expect(r.job("a")[0].reason).toBe("Environment 'gate' was rejected by @mallory.");
    expect(r.job("b")[0].result).toBe("skipped");
    expect(world.repository.approvals.get("42")?.[0]).toMatchObject({
      state: "rejected",
      user: { login: "mallory" },
    });
    const other = await runWorkflow({
      workflow: file,
      world,
      event: { name: "repository_dispatch", payload: { action: "stop" } },
    });
    expect(other.triggered).toBe(false);
    const push = await runWorkflow({
      workflow: file,
      world,
      event: world.commitAndPush({ "x.txt": "x" }, "x"),
    });
    expect(push.notTriggeredBecause).toBe("no changed file matches the path filters");
  });

  it("fails before running anything on an unsupported expression", async () => {
    const file = write(
      "bad.yml",
      `name: t
on: push
jobs:
  a:
    runs-on: x
    steps:
      - run: echo ok
      - if: github.run_attempt > 1
        run: echo no
`,
    );
    await expect(
      runWorkflow({ workflow: file, world, event: world.commitAndPush({ "y.txt": "y" }, "y") }),
    ).rejects.toThrow("Unsupported expression ${{ github.run_attempt > 1 }}");
  });
});

describe("structural lint", () => {
  it("catches what the examples must not do", () => {
    const dir = mkdtempSync(join(tmpdir(), "lint-"));
    const file = join(dir, "bad.yml");
    writeFileSync(
      file,
      `name: bad
on: { push: {} }
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - id: d
        uses: your-org/qlik-cloud-cicd/actions/deploy-to-space@v1
        with:
          space: test
          api-key: literal-key
          colour: blue
      - run: echo "\${{ secrets.QLIK_API_KEY }} \${{ steps.d.outputs.nope }} \${{ github.event.head_commit.message }}"
  after:
    runs-on: ubuntu-latest
    permissions: { contents: read }
    steps:
      - run: echo "\${{ needs.deploy.outputs.app-id }}"
`,
    );
    const problems = lintWorkflow(file);
    expect(problems).toEqual(
      expect.arrayContaining([
        "job 'deploy' has no 'permissions' (and the workflow sets none)",
        "job 'deploy' step 1: 'actions/checkout@v5' is not pinned to a full commit SHA",
        "job 'deploy' step d: 'your-org/qlik-cloud-cicd/actions/deploy-to-space@v1' has no input 'colour'",
        "job 'deploy' step d: input 'api-key' must come from secrets.* (or a token output)",
        "job 'deploy' step 3: 'run' must not contain ${{ secrets.* }}; pass it through env",
        "job 'deploy' step 3: 'run' must not interpolate github.event (script injection); pass it through env",
        "job 'deploy' step 3 run: step 'd' declares no output 'nope'",
        "job 'deploy' changes a tenant or the repository but has no 'concurrency' (nor the workflow)",
        "job 'after' step 1 run: needs.deploy is not in its 'needs'",
      ]),
    );
  });
});
