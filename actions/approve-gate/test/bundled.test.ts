// Runs the bundled action as the runner does, against the GitHub double on loopback.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, runBundledAction } from "../../../test/helpers/run-bundled-action.ts";
import {
  startGitHubDouble,
  type GitHubDouble,
  type GitHubRepo,
} from "../../../test/helpers/github-double.ts";

const SHA = "89abcdef0123456789abcdef0123456789abcdef";
const TOKEN = "ghs_bundledgatetoken42";

let github: GitHubDouble;
let repo: GitHubRepo;
let apiUrl: string;

beforeAll(async () => {
  if (!existsSync(join(repoRoot, "actions", "approve-gate", "dist", "index.js"))) {
    throw new Error("Build the action first: node scripts/build-actions.ts approve-gate");
  }
  github = await startGitHubDouble({ tokens: [TOKEN] });
  apiUrl = github.url;
  repo = github.repo("acme/app");
  repo.commit({ sha: SHA, author: "dev", committer: "web-flow" });
  repo.nextNumber = 7;
  // The approver answers as soon as the request exists.
  github.onRequest((r) => {
    if (r.method === "GET" && r.path === "/repos/acme/app/issues/7/comments" && repo.comments.length === 0) {
      const later = new Date(Date.now() + 1000).toISOString().replace(/\.\d+Z$/, "Z");
      repo.addComment(7, { login: "alice", body: "LGTM, evaluation looks good", created_at: later });
    }
  });
});

afterAll(async () => {
  await github.close();
});

const env = () => ({
  GITHUB_API_URL: apiUrl,
  GITHUB_SERVER_URL: "https://github.com",
  GITHUB_REPOSITORY: "acme/app",
  GITHUB_RUN_ID: "4242",
  GITHUB_ACTOR: "releaser",
  GITHUB_SHA: SHA,
  GITHUB_EVENT_PATH: undefined,
  GITHUB_TRIGGERING_ACTOR: undefined,
});

describe("approve-gate bundle", () => {
  it("approves in issue mode, writes the outputs and a summary table", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "gate-ws-"));
    writeFileSync(join(workspace, "evaluation.json"), JSON.stringify({ verdict: "pass", regressions: 0 }));
    const run = await runBundledAction("approve-gate", {
      workspace,
      env: env(),
      inputs: {
        mode: "issue",
        approvers: "alice, bob",
        "poll-seconds": 1,
        "timeout-minutes": 1,
        evidence: "evaluation.json",
        subject: "Sales app",
        target: "acceptance",
        "github-token": TOKEN,
      },
    });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.approved).toBe("true");
    const approvers = JSON.parse(run.outputs.approvers);
    expect(approvers).toEqual([
      expect.objectContaining({
        login: "alice",
        link: `https://github.com/acme/app/issues/7#issuecomment-${repo.comments[0].id}`,
      }),
    ]);
    const record = JSON.parse(run.outputs["audit-record"]);
    expect(record).toMatchObject({
      outcome: "approved",
      mode: "issue",
      requestedBy: "releaser",
      subject: { sha: SHA, name: "Sales app", target: "acceptance" },
      run: { id: 4242, url: "https://github.com/acme/app/actions/runs/4242" },
      issue: { number: 7 },
    });
    const issue = repo.issues.find((i) => i.number === 7);
    expect(issue?.body).toContain("| verdict | pass |");
    expect(issue).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(run.summary).toContain("| @alice | approved |");
    expect(github.requests.length).toBeGreaterThan(0);
    expect(github.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);
    // The only place the token may appear is the runner's mask command.
    const visible = run.stdout
      .split("\n")
      .filter((l) => !l.startsWith("::add-mask::"))
      .join("\n");
    expect(run.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(visible + run.stderr + run.summary + JSON.stringify(run.outputs)).not.toContain(TOKEN);
  });

  it("fails with one clear line and exit code 1 when environment reviews fall short", async () => {
    repo.recordApproval(4242, "production", "releaser");
    repo.recordApproval(4242, "production", "alice");
    const run = await runBundledAction("approve-gate", {
      env: env(),
      inputs: { approvers: "alice bob releaser", "minimum-approvals": 2, "github-token": TOKEN },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      "approve-gate failed: Only 1 of the required 2 distinct approvers approved this run's deployment environments (@alice); not counted: @releaser (may not approve: started the run).",
    ]);
    expect(run.outputs.approved).toBe("false");
    expect(JSON.parse(run.outputs["audit-record"]).outcome).toBe("insufficient");
    expect(run.summary).toContain("Not enough approvals");
  });

  it("refuses to run without a token, naming the input", async () => {
    const run = await runBundledAction("approve-gate", {
      env: env(),
      inputs: { approvers: "alice", "github-token": "" },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      "approve-gate failed: Input 'github-token' is required to read approvals from GitHub.",
    ]);
  });

  it("rejects a bad input with a sentence naming it", async () => {
    const run = await runBundledAction("approve-gate", {
      env: env(),
      inputs: { approvers: "alice", "minimum-approvals": 2, "github-token": TOKEN },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      "approve-gate failed: Input 'minimum-approvals' is 2 but 'approvers' lists only 1 person, so the gate could never pass.",
    ]);
  });
});
