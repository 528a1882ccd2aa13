// configure-tenant end to end: the bundled action run as the runner runs it against the simulator, with
// the GitHub double for GitHub's secrets API. A new OAuth client secret must reach GitHub sealed and the next steps
// of the job masked, and appear nowhere else: not in stdout (except the runner's own ::add-mask:: line),
// outputs, the summary or the audit file.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "@qlik-cicd/simulator";
import { runBundledAction } from "../../../test/helpers/run-bundled-action.ts";
import { startGitHubDouble, type GitHubDouble } from "../../../test/helpers/github-double.ts";

type Sim = Awaited<ReturnType<typeof startSimulator>>;
let sim: Sim;
let github: GitHubDouble;
let work: string;

const BLUEPRINT = `version: 1
serviceAccounts: ["qlik-sim|tenant-1-admin"]
users:
  - subject: qlik-sim|tenant-1-admin
    roles: [TenantAdmin, AnalyticsAdmin]
  - subject: acme|ann
    roles: [SharedSpaceCreator]
spaces:
  - name: customer-reports
    type: shared
    members:
      - user: acme|ann
        roles: [producer]
oauthClients:
  - name: acme-backend
    appType: web
    secret:
      githubSecret: { name: ACME_BACKEND_SECRET }
      exportVariable: ACME_BACKEND_SECRET
`;

beforeAll(async () => {
  sim = await startSimulator({ tenants: 1, seed: "demo" });
  github = await startGitHubDouble({ tokens: ["ghs_fake_token_123456"] });
  github.repo("acme/ops");
  work = mkdtempSync(join(tmpdir(), "configure-tenant-"));
  writeFileSync(join(work, "tenant.yml"), BLUEPRINT);
});

afterAll(async () => {
  await github?.close();
  await sim?.stop();
});

function connection() {
  const t = sim.description.tenants[0];
  return { "tenant-url": t.url, "api-key": t.apiKey };
}

describe("configure-tenant (bundled)", () => {
  it("plans without changing anything", async () => {
    const before = JSON.stringify(sim.control.state(sim.description.tenants[0].name).spaces);
    const run = await runBundledAction("configure-tenant", {
      inputs: { ...connection(), blueprint: "tenant.yml", mode: "plan" },
      workspace: work,
    });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.changed).toBe("true");
    const plan = JSON.parse(run.outputs.plan) as { kind: string }[];
    expect(plan.map((p) => p.kind)).toEqual([
      "create-user",
      "create-space",
      "add-space-member",
      "create-oauth-client",
    ]);
    expect(run.summary).toContain("Plan for");
    expect(JSON.stringify(sim.control.state(sim.description.tenants[0].name).spaces)).toBe(before);
  });

  it("applies, storing the new client secret sealed in GitHub and masked for later steps only", async () => {
    const envFile = join(work, "github_env");
    writeFileSync(envFile, "");
    const auditFile = join(work, "audit.jsonl");
    const run = await runBundledAction("configure-tenant", {
      inputs: { ...connection(), blueprint: "tenant.yml", "github-token": "ghs_fake_token_123456" },
      env: {
        GITHUB_API_URL: github.url,
        GITHUB_REPOSITORY: "acme/ops",
        GITHUB_ENV: envFile,
        QLIK_AUDIT_FILE: auditFile,
      },
      workspace: work,
    });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.changed).toBe("true");
    const sealed = github.repo("acme/ops").secrets.find((x) => x.name === "ACME_BACKEND_SECRET");
    expect(sealed).toMatchObject({ scope: "repo" });
    const secret = (await github.decryptSecret("acme/ops", "ACME_BACKEND_SECRET"))!;
    expect(secret.length).toBeGreaterThan(10);
    // Later steps of the job get it through GITHUB_ENV.
    expect(readFileSync(envFile, "utf8")).toContain(secret);
    // Only the runner's mask command carries the value.
    const lines = run.stdout.split("\n").filter((l) => l.includes(secret));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toBe(`::add-mask::${secret}`);
    expect(run.stderr).not.toContain(secret);
    expect(JSON.stringify(run.outputs)).not.toContain(secret);
    expect(run.summary).not.toContain(secret);
    expect(readFileSync(auditFile, "utf8")).not.toContain(secret);
    expect(readFileSync(auditFile, "utf8")).toContain("github:acme/ops");
    const subjects = [...sim.tenant(sim.description.tenants[0].name).users.values()].map((u) => u.subject);
    expect(subjects).toContain("acme|ann");
  });

  it("reports drift and flags a person with an admin role, writing the reports", async () => {
    const t = sim.description.tenants[0];
    const res = await fetch(`${t.url}/api/v1/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ subject: "acme|eve", name: "Eve", assignedRoles: [{ name: "TenantAdmin" }] }),
    });
    expect(res.status).toBe(201);
    const run = await runBundledAction("configure-tenant", {
      inputs: {
        ...connection(),
        blueprint: "tenant.yml",
        mode: "drift",
        "drift-report-dir": "drift",
        "fail-on-drift": true,
      },
      workspace: work,
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors.join("\n")).toMatch(
      /has drifted from its blueprint: 1 difference\(s\), 1 person\(s\) with admin roles/,
    );
    const drift = JSON.parse(run.outputs.drift) as { interactiveAdmins: { subject: string }[] };
    expect(drift.interactiveAdmins.map((p) => p.subject)).toEqual(["acme|eve"]);
    expect(run.outputs["drift-report"]).toBe(join(work, "drift", "drift-tenant-1.md"));
    expect(readFileSync(run.outputs["drift-report"], "utf8")).toContain("People with admin roles");
    expect(run.summary).toContain("Drift report");
  });

  it("names the YAML path of a bad blueprint and changes nothing", async () => {
    writeFileSync(join(work, "bad.yml"), "version: 1\nspaces:\n  - name: x\n    type: public\n");
    const run = await runBundledAction("configure-tenant", {
      inputs: { ...connection(), blueprint: "bad.yml" },
      workspace: work,
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^configure-tenant failed: Blueprint bad.yml:4: 'spaces\[0\]\.type' must be one of shared, managed, data\./,
      ),
    ]);
  });
});
