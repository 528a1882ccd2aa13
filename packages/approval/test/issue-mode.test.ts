import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GitHubClient } from "@qlik-cicd/github";
import { ApprovalError, requestApproval, type ApprovalOptions } from "../src/index.ts";
import {
  OWNER,
  REPO,
  SHA,
  at,
  comment,
  fakeClock,
  setupGitHub,
  type GateSetupOptions,
} from "./github-setup.ts";

function options(extra: Partial<ApprovalOptions>, clock = fakeClock()): ApprovalOptions {
  return {
    mode: "issue",
    owner: OWNER,
    repo: REPO,
    runId: 777,
    actor: "releaser",
    sha: SHA,
    approvers: "alice, bob",
    minimumApprovals: 1,
    timeoutMinutes: 10,
    pollSeconds: 60,
    subject: "Sales app",
    target: "acceptance",
    now: clock.now,
    sleep: clock.sleep,
    ...extra,
  };
}

async function gateFails(client: GitHubClient, opts: ApprovalOptions): Promise<ApprovalError> {
  const error = await requestApproval(client, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApprovalError);
  return error as ApprovalError;
}

/** Comments appear at the given poll. */
function script(byPoll: Record<number, ReturnType<typeof comment>[]>): GateSetupOptions["onPoll"] {
  return (poll, add) => {
    for (const c of byPoll[poll] ?? []) add(c);
  };
}

describe("issue mode", () => {
  it("opens a request issue and approves when the quorum is reached, then closes the issue", async () => {
    const gh = await setupGitHub({
      onPoll: script({
        1: [comment("alice", "Approved, numbers look fine", 1)],
        2: [comment("Bob", "LGTM!", 2)],
      }),
    });
    const clock = fakeClock();
    const result = await requestApproval(gh.client, options({ minimumApprovals: 2 }, clock));
    expect(result.approved).toBe(true);
    expect(result.approvers.map((a) => a.login)).toEqual(["alice", "Bob"]);
    expect(result.approvers[0]).toMatchObject({
      time: at(1),
      link: expect.stringContaining("issuecomment-"),
    });
    expect(gh.createdIssue?.labels).toEqual(["approval-gate"]);
    expect(gh.createdIssue?.title).toBe("Approval: Sales app → acceptance (run 777)");
    expect(gh.createdIssue?.body).toContain("@alice, @bob");
    expect(gh.createdIssue?.body).toContain("<!-- qlik-cicd-approval run=777");
    expect(gh.assignees).toEqual(["alice", "bob"]);
    expect(gh.closed).toEqual({ state: "closed", state_reason: "completed" });
    expect(gh.posted[0]).toContain("Approved by @alice, @Bob");
    expect(clock.clock.sleeps).toEqual([60_000, 60_000]);
    const r = result.record;
    expect(r).toMatchObject({
      outcome: "approved",
      mode: "issue",
      requestedBy: "releaser",
      repository: "acme/app",
      subject: { sha: SHA, name: "Sales app", target: "acceptance" },
      run: { id: 777, url: "https://github.com/acme/app/actions/runs/777" },
      issue: { number: 42, url: "https://github.com/acme/app/issues/42" },
      policy: { minimumApprovals: 2, approvers: ["alice", "bob"], denyWins: true },
    });
    expect(r.excluded).toEqual([
      { login: "releaser", reason: "started the run" },
      { login: "dev", reason: "authored commit 0123456" },
    ]);
  });

  it("uses conditional requests while polling: unchanged comments come back 304", async () => {
    const gh = await setupGitHub({ onPoll: script({ 4: [comment("alice", "approve", 4)] }) });
    const result = await requestApproval(gh.client, options({}));
    expect(result.approved).toBe(true);
    expect(gh.polls).toBe(5);
    expect(gh.ifNoneMatchSeen).toBe(4);
    expect(gh.notModified).toBe(3);
  });

  it("does not count the run's actor approving their own deployment", async () => {
    const gh = await setupGitHub({
      onPoll: script({ 0: [comment("releaser", "approve", 1)], 1: [comment("alice", "approve", 2)] }),
    });
    const result = await requestApproval(gh.client, options({ approvers: "releaser alice" }));
    expect(result.approvers.map((a) => a.login)).toEqual(["alice"]);
    expect(result.record.ignored).toEqual([
      expect.objectContaining({ login: "releaser", reason: "may not approve: started the run" }),
    ]);
  });

  it("counts self-approval when allow-self-approval is set", async () => {
    const gh = await setupGitHub({ onPoll: script({ 0: [comment("releaser", "approve", 1)] }) });
    const result = await requestApproval(
      gh.client,
      options({ approvers: "releaser alice", allowSelfApproval: true }),
    );
    expect(result.approvers.map((a) => a.login)).toEqual(["releaser"]);
    expect(result.record.excluded).toEqual([]);
  });

  it("does not count the author of the deployed commit, nor authors of the pull request's commits", async () => {
    const gh = await setupGitHub({
      commitAuthor: "dev",
      pullCommits: { 9: ["dev", "contrib"] },
      onPoll: script({ 0: [comment("dev", "approve", 1), comment("contrib", "yes", 1)] }),
    });
    const error = await gateFails(
      gh.client,
      options({ approvers: "dev contrib alice", pullRequestNumber: 9, timeoutMinutes: 2 }),
    );
    expect(error.message).toMatch(
      /^No decision after waiting 2 minutes \(timeout-minutes 2\): 0 of 1 required approvals/,
    );
    const contribCommit = gh.repo.pulls.find((p) => p.number === 9)!.commits![1];
    expect(error.record.ignored.map((i) => `${i.login}: ${i.reason}`)).toEqual([
      "dev: may not approve: authored commit 0123456",
      `contrib: may not approve: authored commit ${contribCommit.slice(0, 7)}`,
    ]);
    expect(error.record.commitsChecked).toEqual([
      expect.objectContaining({ method: "pull-request", base: SHA, count: 3 }),
    ]);
    expect(gh.assignees).toEqual(["alice"]);
  });

  it("ignores votes from people who are not approvers", async () => {
    const gh = await setupGitHub({
      onPoll: script({ 0: [comment("mallory", "approve", 1)], 1: [comment("bob", "approve", 2)] }),
    });
    const result = await requestApproval(gh.client, options({}));
    expect(result.approvers.map((a) => a.login)).toEqual(["bob"]);
    expect(result.record.ignored).toEqual([
      expect.objectContaining({ login: "mallory", reason: "not in 'approvers'" }),
    ]);
  });

  it("counts an active member of a listed team and ignores non-members", async () => {
    const gh = await setupGitHub({
      teams: { "acme/ops": { status: 200, members: { carol: "active", pete: "pending" } } },
      onPoll: script({
        0: [comment("eve", "approve", 1), comment("pete", "approve", 1)],
        1: [comment("carol", "approve", 2)],
      }),
    });
    const result = await requestApproval(gh.client, options({ approvers: "@acme/ops" }));
    expect(result.approvers.map((a) => a.login)).toEqual(["carol"]);
    expect(result.record.ignored.map((i) => i.login)).toEqual(["eve", "pete"]);
  });

  it("fails with a clear sentence when the token cannot read the team (default workflow token)", async () => {
    const gh = await setupGitHub({ teams: { "acme/ops": { status: 403 } } });
    const error = await requestApproval(gh.client, options({ approvers: "acme/ops" })).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      "Cannot read team 'acme/ops' listed in 'approvers' (GitHub answered 403): the team does not exist or the token cannot read organisation teams, which the default workflow token never can.",
    );
    expect((error as { hint?: string }).hint).toContain(
      "GitHub App token or a personal access token with the organisation 'members: read' permission",
    );
    expect(gh.createdIssue).toBeUndefined();

    const other = await setupGitHub({ teams: { "acme/ops": { status: 404 } } });
    await expect(requestApproval(other.client, options({ approvers: "acme/ops" }))).rejects.toThrow(
      "(GitHub answered 404)",
    );
  });

  it("denies on any deny from an approver and closes the issue as not planned", async () => {
    const gh = await setupGitHub({
      onPoll: script({
        0: [comment("alice", "approve", 1), comment("bob", "Denied: the totals are wrong", 2)],
      }),
    });
    const error = await gateFails(gh.client, options({ minimumApprovals: 2 }));
    expect(error.message).toBe("Denied by @bob in https://github.com/acme/app/issues/42.");
    expect(error.record.outcome).toBe("denied");
    expect(error.record.deniedBy.map((d) => d.login)).toEqual(["bob"]);
    expect(gh.closed).toEqual({ state: "closed", state_reason: "not_planned" });
    expect(gh.posted[0]).toContain("Denied by @bob");
  });

  it("with deny-wins off, a single deny does not stop a quorum of approvals", async () => {
    const gh = await setupGitHub({
      onPoll: script({
        0: [comment("bob", "no", 1), comment("alice", "approve", 2), comment("carol", "yes", 3)],
      }),
    });
    const result = await requestApproval(
      gh.client,
      options({ approvers: "alice bob carol", minimumApprovals: 2, denyWins: false }),
    );
    expect(result.approvers.map((a) => a.login)).toEqual(["alice", "carol"]);
  });

  it("times out closed without waiting real time", async () => {
    const clock = fakeClock();
    const gh = await setupGitHub({ onPoll: script({ 2: [comment("alice", "I will look at it", 1)] }) });
    const error = await gateFails(gh.client, options({ timeoutMinutes: 5, pollSeconds: 120 }, clock));
    expect(error.message).toBe(
      "No decision after waiting 5 minutes (timeout-minutes 5): 0 of 1 required approvals in https://github.com/acme/app/issues/42; the gate fails closed.",
    );
    expect(error.record.outcome).toBe("timed-out");
    expect(clock.clock.sleeps).toEqual([120_000, 120_000, 60_000]);
    expect(gh.closed?.state_reason).toBe("not_planned");
    expect(gh.posted[0]).toContain("No decision within 5 minutes");
  });

  it("ignores edited comments, comments from before the request and bots", async () => {
    const gh = await setupGitHub({
      issueCreatedAt: at(5),
      onPoll: script({
        0: [
          // Written before the request and edited after it (GitHub's `since` returns it).
          comment("alice", "approve", 3, { updated_at: at(6) }),
          comment("bob", "approve", 6, { updated_at: at(7) }),
          comment("deploy-bot", "approve", 6, { type: "Bot" }),
        ],
      }),
    });
    const error = await gateFails(
      gh.client,
      options({ approvers: "alice bob deploy-bot", timeoutMinutes: 1 }),
    );
    expect(error.record.ignored.map((i) => `${i.login}: ${i.reason}`)).toEqual([
      "alice: comment written before the request",
      "bob: comment was edited",
      "deploy-bot: comment by a bot",
    ]);
    expect(error.record.approvers).toEqual([]);
  });

  it("reuses the open request issue for the same run and target", async () => {
    const clock = fakeClock();
    const first = await setupGitHub({ onPoll: script({ 0: [] }) });
    await gateFails(first.client, options({ timeoutMinutes: 0 }, clock));
    const body = first.createdIssue!.body;
    const gh = await setupGitHub({
      existingIssues: [
        { number: 41, body: "other", created_at: at(0) },
        { number: 42, body, created_at: at(0) },
      ],
      onPoll: script({ 0: [comment("alice", "approve", 1)] }),
    });
    const result = await requestApproval(gh.client, options({}));
    expect(result.approved).toBe(true);
    expect(gh.createdIssue).toBeUndefined();
    expect(result.record.issue?.number).toBe(42);
  });

  it("puts the evidence into the request issue and the record", async () => {
    const dir = mkdtempSync(join(tmpdir(), "evidence-"));
    writeFileSync(
      join(dir, "eval.json"),
      JSON.stringify([
        { sheet: "Overview", ms: 812 },
        { sheet: "Detail", ms: 1500 },
      ]),
    );
    writeFileSync(join(dir, "lint.md"), "**0 errors**, 2 warnings\n");
    const gh = await setupGitHub({ onPoll: script({ 0: [comment("alice", "approve", 1)] }) });
    const result = await requestApproval(
      gh.client,
      options({ workspace: dir, evidence: "Evaluation passed against production.\neval.json\nlint.md" }),
    );
    const body = gh.createdIssue!.body;
    expect(body).toContain("### Evidence");
    expect(body).toContain("Evaluation passed against production.");
    expect(body).toContain(
      "#### eval.json\n\n| sheet | ms |\n| --- | --- |\n| Overview | 812 |\n| Detail | 1500 |",
    );
    expect(body).toContain("#### lint.md\n\n**0 errors**, 2 warnings");
    expect(result.record.evidence.map((e) => e.source)).toEqual(["inline", "eval.json", "lint.md"]);
    expect(result.record.evidence[1].sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
