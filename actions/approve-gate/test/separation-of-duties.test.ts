// Issue #20: approve-gate's environment mode run as the runner runs it, against the GitHub double. A listed
// approver's rejection denies (deny-wins, recorded); the authors and committers of every commit the run
// deploys are barred (a push's before..after through compare, paged past 250 commits); bots do not
// count; a compare that fails fails the gate closed with one sentence.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, runBundledAction, type ActionRun } from "../../../test/helpers/run-bundled-action.ts";
import {
  startGitHubDouble,
  type GitHubDouble,
  type GitHubRepo,
} from "../../../test/helpers/github-double.ts";

const TOKEN = "ghs_separationtoken42";
let github: GitHubDouble;
let repo: GitHubRepo;
let runId = 9000;
let dir: string;

beforeAll(async () => {
  if (!existsSync(join(repoRoot, "actions", "approve-gate", "dist", "index.js"))) {
    throw new Error("Build the action first: node scripts/build-actions.ts approve-gate");
  }
  github = await startGitHubDouble({ tokens: [TOKEN] });
  dir = mkdtempSync(join(tmpdir(), "gate-events-"));
});

afterAll(async () => {
  await github.close();
});

beforeEach(() => {
  repo = github.repo(`acme/app-${runId}`);
  runId++;
});

/** Runs the gate for a push of `before..after` (the event the runner would write). */
async function gate(
  event: { name: string; payload: Record<string, unknown> },
  sha: string,
  inputs: Record<string, string | number>,
): Promise<ActionRun & { record: Record<string, unknown> }> {
  const eventPath = join(dir, `event-${runId}.json`);
  writeFileSync(eventPath, JSON.stringify(event.payload));
  const run = await runBundledAction("approve-gate", {
    env: {
      GITHUB_API_URL: github.url,
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_REPOSITORY: repo.fullName,
      GITHUB_RUN_ID: String(runId),
      GITHUB_ACTOR: "releaser",
      GITHUB_TRIGGERING_ACTOR: undefined,
      GITHUB_SHA: sha,
      GITHUB_EVENT_NAME: event.name,
      GITHUB_EVENT_PATH: eventPath,
    },
    inputs: { "github-token": TOKEN, ...inputs },
  });
  return { ...run, record: run.outputs["audit-record"] ? JSON.parse(run.outputs["audit-record"]) : {} };
}

const push = (before: string, after: string) => ({ name: "push", payload: { before, after } });

/** A push of two commits by dev; alice and bob approved, carol rejected production. */
function twoApprovalsAndARejection() {
  const base = repo.commit({ author: "dev" });
  const head = repo.commit({ author: "dev" });
  repo.recordApproval(runId, "acceptance", "alice");
  repo.recordApproval(runId, "production", "bob");
  repo.recordApproval(runId, "production", "carol", "rejected");
  return { base, head };
}

describe("a rejection denies (deny-wins in environment mode)", () => {
  it("denies when a listed approver rejected one of the run's environments, although two others approved", async () => {
    const { base, head } = twoApprovalsAndARejection();
    const run = await gate(push(base, head), head, { approvers: "alice bob carol", "minimum-approvals": 2 });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.approved).toBe("false");
    expect(run.errors).toEqual([
      `approve-gate failed: Denied by @carol (rejected production) in https://github.com/${repo.fullName}/actions/runs/${runId}.`,
    ]);
    expect(run.record).toMatchObject({
      outcome: "denied",
      policy: { denyWins: true },
      deniedBy: [expect.objectContaining({ login: "carol", environment: "production" })],
    });
  });

  it("with deny-wins false, a single rejection does not stop the quorum, and the record says so", async () => {
    const { base, head } = twoApprovalsAndARejection();
    const run = await gate(push(base, head), head, {
      approvers: "alice bob carol",
      "minimum-approvals": 2,
      "deny-wins": "false",
    });
    expect(run.errors).toEqual([]);
    expect(run.outputs.approved).toBe("true");
    expect(run.record).toMatchObject({
      outcome: "approved",
      policy: { denyWins: false },
      deniedBy: [expect.objectContaining({ login: "carol" })],
    });
  });
});

describe("no author or committer of a deployed commit may approve", () => {
  it("bars the author of the first of two pushed commits", async () => {
    const before = repo.commit({ author: "dev" });
    const first = repo.commit({ author: "dana" });
    const head = repo.commit({ author: "dev" });
    repo.recordApproval(runId, "production", "dana");
    repo.recordApproval(runId, "production", "alice");
    const run = await gate(push(before, head), head, { approvers: "alice dana", "minimum-approvals": 2 });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      `approve-gate failed: Only 1 of the required 2 distinct approvers approved this run's deployment environments (@alice); not counted: @dana (may not approve: authored commit ${first.slice(0, 7)}).`,
    ]);
    expect(run.record).toMatchObject({
      outcome: "insufficient",
      commitsChecked: [expect.objectContaining({ method: "push", base: before, head, count: 2 })],
    });
  });

  it("bars the people whose commits a merge commit brings in, and a committer who is not the author", async () => {
    const before = repo.commit({ author: "dev" });
    const feature = repo.commit({ author: "dana", branch: "feature", parents: [before] });
    const applied = repo.commit({ author: "erin", committer: "frank", branch: "feature" });
    const merge = repo.commit({ author: "maintainer", parents: [before, applied] });
    repo.recordApproval(runId, "production", "dana");
    repo.recordApproval(runId, "production", "frank");
    repo.recordApproval(runId, "production", "alice");
    const run = await gate(push(before, merge), merge, {
      approvers: "alice dana frank",
      "minimum-approvals": 2,
    });
    expect(run.exitCode).toBe(1);
    const excluded = (run.record.excluded as { login: string; reason: string }[]).map(
      (e) => `${e.login}: ${e.reason}`,
    );
    expect(excluded).toEqual(
      expect.arrayContaining([
        `dana: authored commit ${feature.slice(0, 7)}`,
        `erin: authored commit ${applied.slice(0, 7)}`,
        `frank: committed commit ${applied.slice(0, 7)}`,
        `maintainer: authored commit ${merge.slice(0, 7)}`,
      ]),
    );
    expect(run.record.approvers).toEqual([expect.objectContaining({ login: "alice" })]);
  });

  it("pages through a push larger than one compare page (over 250 commits)", async () => {
    const before = repo.commit({ author: "dev" });
    const first = repo.commit({ author: "dana" });
    let head = first;
    for (let i = 0; i < 259; i++) head = repo.commit({ author: "dev" });
    repo.recordApproval(runId, "production", "dana");
    repo.recordApproval(runId, "production", "alice");
    const run = await gate(push(before, head), head, { approvers: "alice dana", "minimum-approvals": 2 });
    expect(run.exitCode).toBe(1);
    expect(run.record).toMatchObject({
      outcome: "insufficient",
      commitsChecked: [expect.objectContaining({ method: "push", count: 260 })],
      ignored: [
        expect.objectContaining({
          login: "dana",
          reason: `may not approve: authored commit ${first.slice(0, 7)}`,
        }),
      ],
    });
    const compares = github.requests.filter((r) => r.path.startsWith(`/repos/${repo.fullName}/compare/`));
    expect(compares.length).toBeGreaterThanOrEqual(3);
  });

  it("fails closed with one sentence when the compare fails", async () => {
    const head = repo.commit({ author: "dev" });
    const gone = "f".repeat(40); // e.g. force-pushed away
    repo.recordApproval(runId, "production", "alice");
    const run = await gate(push(gone, head), head, { approvers: "alice", "minimum-approvals": 1 });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.approved).toBe("false");
    expect(run.errors).toEqual([
      `approve-gate failed: Could not list the commits this run deploys (${gone.slice(0, 7)}...${head.slice(0, 7)} in ${repo.fullName}: GitHub answered 404), so their authors cannot be barred from approving; the gate fails closed.`,
    ]);
  });

  it("does not count a bot's review in environment mode", async () => {
    const before = repo.commit({ author: "dev" });
    const head = repo.commit({ author: "dev" });
    repo.recordApproval(runId, "production", "deploy-bot", "approved", "Bot");
    repo.recordApproval(runId, "production", "alice");
    const run = await gate(push(before, head), head, {
      approvers: "alice deploy-bot",
      "minimum-approvals": 2,
    });
    expect(run.exitCode).toBe(1);
    expect(run.record.ignored).toEqual([
      expect.objectContaining({ login: "deploy-bot", reason: "review by a bot" }),
    ]);
  });
});
