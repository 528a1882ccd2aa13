// Separation of duties and denials in detail (issue #20), against the GitHub double: which commits'
// people are barred for each kind of run and how the record says so, deny-wins in environment mode, and
// failing closed when the deployed commits cannot be listed.
import { describe, expect, it } from "@jest/globals";
import { MemoryLogger } from "@qlik-cicd/common";
import { ApprovalError, renderAuditMarkdown, requestApproval, type ApprovalOptions } from "../src/index.ts";
import { githubClientFor } from "../../../test/helpers/github-client.ts";
import { OWNER, REPO, comment, fakeClock, setupGitHub } from "./github-setup.ts";

const RUN = 555;

function options(extra: Partial<ApprovalOptions>): ApprovalOptions {
  return {
    mode: "environment",
    owner: OWNER,
    repo: REPO,
    runId: RUN,
    actor: "releaser",
    sha: "",
    approvers: "alice bob carol dana",
    minimumApprovals: 2,
    ...extra,
  };
}

async function fails(promise: Promise<unknown>): Promise<ApprovalError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApprovalError);
  return error as ApprovalError;
}

const short = (sha: string) => sha.slice(0, 7);

describe("deny-wins in environment mode", () => {
  it("with deny-wins false, rejections need the same quorum as approvals", async () => {
    const gh = await setupGitHub();
    const head = gh.repo.commit({ author: "dev" });
    gh.repo.recordApproval(RUN, "production", "alice");
    gh.repo.recordApproval(RUN, "production", "carol", "rejected");
    gh.repo.recordApproval(RUN, "acceptance", "dana", "rejected");
    const error = await fails(requestApproval(gh.client, options({ sha: head, denyWins: false })));
    expect(error.message).toBe(
      "Denied by @carol (rejected production), @dana (rejected acceptance) in https://github.com/acme/app/actions/runs/555.",
    );
    expect(error.record).toMatchObject({ outcome: "denied", policy: { denyWins: false } });
  });

  it("does not count the approval of someone who also rejected, and ignores rejections by people not listed", async () => {
    const gh = await setupGitHub();
    const head = gh.repo.commit({ author: "dev" });
    gh.repo.recordApproval(RUN, "acceptance", "alice");
    gh.repo.recordApproval(RUN, "production", "alice", "rejected");
    gh.repo.recordApproval(RUN, "production", "bob");
    gh.repo.recordApproval(RUN, "production", "mallory", "rejected");
    const error = await fails(requestApproval(gh.client, options({ sha: head, denyWins: false })));
    expect(error.record.outcome).toBe("insufficient");
    expect(error.record.approvers.map((a) => a.login)).toEqual(["bob"]);
    expect(error.record.deniedBy.map((a) => a.login)).toEqual(["alice"]);
    expect(error.record.ignored.map((i) => `${i.login}: ${i.reason}`)).toEqual([
      "alice: approval not counted: also rejected production",
      "mallory: not in 'approvers'",
    ]);
  });

  it("counts the rejection of a listed approver who may not approve (the commit's author)", async () => {
    const gh = await setupGitHub();
    const head = gh.repo.commit({ author: "dana" });
    gh.repo.recordApproval(RUN, "production", "alice");
    gh.repo.recordApproval(RUN, "production", "bob");
    gh.repo.recordApproval(RUN, "production", "dana", "rejected");
    const error = await fails(requestApproval(gh.client, options({ sha: head })));
    expect(error.record.outcome).toBe("denied");
    expect(error.record.deniedBy.map((a) => a.login)).toEqual(["dana"]);
    expect(renderAuditMarkdown(error.record)).toContain(
      "| Policy | 2 of alice, bob, carol, dana; any denial denies |",
    );
  });
});

describe("the commits whose people may not approve", () => {
  it("outside a push or pull request: the commits since the environment's last successful deployment", async () => {
    const gh = await setupGitHub();
    const deployed = gh.repo.commit({ author: "dev" });
    const since = gh.repo.commit({ author: "dana" });
    const head = gh.repo.commit({ author: "dev" });
    gh.repo.addDeployment({
      environment: "production",
      sha: deployed,
      statuses: ["in_progress", "success", "inactive"],
    });
    gh.repo.addDeployment({ environment: "production", sha: since, statuses: ["failure"] });
    gh.repo.addDeployment({ environment: "production", sha: head, statuses: ["in_progress"] });
    gh.repo.recordApproval(RUN, "production", "dana");
    gh.repo.recordApproval(RUN, "production", "alice");
    const error = await fails(requestApproval(gh.client, options({ sha: head })));
    expect(error.record.ignored).toEqual([
      expect.objectContaining({ login: "dana", reason: `may not approve: authored commit ${short(since)}` }),
    ]);
    const [check] = error.record.commitsChecked;
    expect(check).toMatchObject({
      method: "deployment",
      environment: "production",
      base: deployed,
      head,
      count: 2,
    });
    expect(check.description).toMatch(
      new RegExp(
        `^The commits since the last successful deployment of 'production' \\(deployment \\d+ of ${short(deployed)}\\), ${short(deployed)}\\.\\.\\.${short(head)} through the compare API: 2 commits\\.$`,
      ),
    );
    expect(renderAuditMarkdown(error.record)).toContain(`| Commits checked | ${check.description} |`);
  });

  it("only the head commit when no successful deployment is found, or the deployments cannot be read", async () => {
    const gh = await setupGitHub();
    const earlier = gh.repo.commit({ author: "dana" });
    const head = gh.repo.commit({ author: "dev" });
    gh.repo.addDeployment({ environment: "production", sha: earlier, statuses: ["failure"] });
    gh.repo.recordApproval(RUN, "production", "dana");
    gh.repo.recordApproval(RUN, "production", "alice");
    const result = await requestApproval(gh.client, options({ sha: head }));
    expect(result.approvers.map((a) => a.login)).toEqual(["dana", "alice"]);
    expect(result.record.commitsChecked).toEqual([
      {
        method: "head",
        head,
        environment: "production",
        count: 1,
        description: `Only the head commit ${short(head)}: no successful deployment of 'production' was found.`,
      },
    ]);

    gh.double.fail({
      path: `/repos/${OWNER}/${REPO}/deployments`,
      status: 403,
      body: { message: "Resource not accessible by integration" },
    });
    const logger = new MemoryLogger();
    const again = await requestApproval(gh.client, options({ sha: head, logger }));
    expect(again.record.commitsChecked[0].description).toBe(
      `Only the head commit ${short(head)}: the deployments of 'production' could not be read (GitHub answered 403).`,
    );
    expect(logger.text()).toContain("Give the token 'deployments: read'.");
  });

  it("issue mode bars a push's authors too, and committers who are not the author, but not GitHub's web-flow or bots", async () => {
    const clock = fakeClock();
    const gh = await setupGitHub({
      onPoll: (poll, add) => {
        if (poll === 0)
          for (const login of ["dana", "erin", "frank", "alice"]) add(comment(login, "approve", 1));
      },
    });
    const before = gh.repo.commit({ author: "dev" });
    const a = gh.repo.commit({ author: "dana", committer: "web-flow" });
    const b = gh.repo.commit({ author: "erin", committer: "frank" });
    const head = gh.repo.commit({ author: "github-actions[bot]" });
    const result = await requestApproval(gh.client, {
      ...options({ sha: head, push: { before, after: head } }),
      mode: "issue",
      approvers: "alice dana erin frank",
      minimumApprovals: 1,
      timeoutMinutes: 1,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(result.approvers.map((x) => x.login)).toEqual(["alice"]);
    expect(result.record.excluded).toEqual([
      { login: "releaser", reason: "started the run" },
      { login: "dana", reason: `authored commit ${short(a)}` },
      { login: "erin", reason: `authored commit ${short(b)}` },
      { login: "frank", reason: `committed commit ${short(b)}` },
    ]);
    expect(result.record.commitsChecked).toEqual([
      {
        method: "push",
        head,
        base: before,
        count: 3,
        description: `The push ${short(before)}..${short(head)} through the compare API: 3 commits.`,
      },
    ]);
    expect(gh.createdIssue?.body).toContain("@dana (authored commit");
  });

  it("checks nothing and bars nobody when self-approval is allowed", async () => {
    const gh = await setupGitHub();
    const head = gh.repo.commit({ author: "dana" });
    gh.repo.recordApproval(RUN, "production", "dana");
    gh.repo.recordApproval(RUN, "production", "releaser");
    const result = await requestApproval(
      gh.client,
      options({ sha: head, approvers: "dana releaser", allowSelfApproval: true }),
    );
    expect(result.approvers.map((x) => x.login)).toEqual(["dana", "releaser"]);
    expect(result.record.commitsChecked).toEqual([expect.objectContaining({ method: "none", count: 0 })]);
    expect(gh.double.requests.some((r) => /\/(commits|compare|deployments)/.test(r.path))).toBe(false);
  });

  it("fails closed with one sentence when the compare fails with a server error", async () => {
    const gh = await setupGitHub();
    const before = gh.repo.commit({ author: "dev" });
    const head = gh.repo.commit({ author: "dev" });
    gh.repo.recordApproval(RUN, "production", "alice");
    gh.repo.recordApproval(RUN, "production", "bob");
    gh.double.fail({
      path: new RegExp("/compare/"),
      status: 502,
      body: { message: "Bad Gateway" },
      times: Infinity,
    });
    const client = githubClientFor(gh.double, { maxRetries: 0 });
    const error = await fails(requestApproval(client, options({ sha: head, push: { before, after: head } })));
    expect(error.message).toBe(
      `Could not list the commits this run deploys (${short(before)}...${short(head)} in acme/app: GitHub answered 502), so their authors cannot be barred from approving; the gate fails closed.`,
    );
    expect(error.record).toMatchObject({ outcome: "unverified", approvers: [], commitsChecked: [] });
    expect(renderAuditMarkdown(error.record)).toContain(
      "Deployed commits could not be checked (failed closed)",
    );
  });
});
