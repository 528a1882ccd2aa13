import { describe, expect, it } from "@jest/globals";
import { ConfigError } from "@qlik-cicd/common";
import {
  ApprovalError,
  classifyComment,
  DEFAULT_APPROVE_KEYWORDS,
  DEFAULT_DENY_KEYWORDS,
  renderAuditMarkdown,
  renderJson,
  requestApproval,
  resolvePolicy,
  type ApprovalOptions,
} from "../src/index.ts";
import { OWNER, REPO, SHA, setupGitHub, type GateSetup, type GateSetupOptions } from "./github-setup.ts";

function envOptions(extra: Partial<ApprovalOptions> = {}): ApprovalOptions {
  return {
    mode: "environment",
    owner: OWNER,
    repo: REPO,
    runId: 555,
    actor: "releaser",
    sha: SHA,
    approvers: "alice bob releaser dev",
    minimumApprovals: 2,
    subject: "Sales app",
    target: "production",
    ...extra,
  };
}

const review = (login: string, envs: string[], state = "approved") => ({
  state,
  comment: "",
  user: { login, type: "User" },
  environments: envs.map((name, i) => ({
    id: i + 1,
    name,
    html_url: `https://github.com/acme/app/deployments/activity_log?environments_filter=${name}`,
  })),
});

/** GitHub with the run's environment reviews. */
async function withReviews(
  reviews: ReturnType<typeof review>[],
  options: GateSetupOptions = {},
): Promise<GateSetup> {
  const gh = await setupGitHub(options);
  gh.repo.approvals.set("555", reviews as never);
  return gh;
}

describe("environment mode", () => {
  it("approves when enough distinct listed approvers reviewed the chained environments", async () => {
    const gh = await withReviews([
      review("alice", ["acceptance"]),
      review("bob", ["production"]),
      review("alice", ["production"]),
    ]);
    const result = await requestApproval(gh.client, envOptions());
    expect(result.approved).toBe(true);
    expect(result.approvers).toEqual([
      expect.objectContaining({
        login: "alice",
        environment: "acceptance, production",
        link: "https://github.com/acme/app/actions/runs/555",
      }),
      expect.objectContaining({ login: "bob", environment: "production" }),
    ]);
    expect(result.record.outcome).toBe("approved");
    expect(result.record.mode).toBe("environment");
  });

  it("fails when the same person approved several environments but the quorum needs distinct people", async () => {
    const gh = await withReviews([review("alice", ["acceptance"]), review("alice", ["production"])]);
    const error = await requestApproval(gh.client, envOptions()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApprovalError);
    expect((error as Error).message).toBe(
      "Only 1 of the required 2 distinct approvers approved this run's deployment environments (@alice).",
    );
    expect((error as ApprovalError).record.outcome).toBe("insufficient");
  });

  it("does not count the actor, the commit author or people outside the list", async () => {
    const gh = await withReviews(
      [
        review("releaser", ["acceptance"]),
        review("dev", ["acceptance"]),
        review("mallory", ["production"]),
        review("alice", ["production"]),
      ],
      { commitAuthor: "dev" },
    );
    const error = await requestApproval(gh.client, envOptions()).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      "Only 1 of the required 2 distinct approvers approved this run's deployment environments (@alice); not counted: @releaser (may not approve: started the run), @dev (may not approve: authored commit 0123456), @mallory (not in 'approvers').",
    );
  });

  it("counts team members in environment mode", async () => {
    const gh = await withReviews([review("carol", ["production"])], {
      teams: { "acme/release-managers": { status: 200, members: { carol: "active" } } },
    });
    const result = await requestApproval(
      gh.client,
      envOptions({ approvers: "acme/release-managers", minimumApprovals: 1 }),
    );
    expect(result.approvers.map((a) => a.login)).toEqual(["carol"]);
  });

  it("renders the audit record as a table for the job summary", async () => {
    const gh = await withReviews([review("alice", ["acceptance"]), review("bob", ["production"])]);
    const { record } = await requestApproval(gh.client, envOptions());
    const md = renderAuditMarkdown(record);
    expect(md).toContain("### Approval gate: ✅ Approved — Sales app → production");
    expect(md).toContain("| Who | Decision | When | Environment | Link |");
    expect(md).toMatch(
      /\| @alice \| approved \| \S+ \| acceptance \| \[link\]\(https:\/\/github.com\/acme\/app\/actions\/runs\/555\) \|/,
    );
    expect(md).toContain(
      "Not allowed to approve: @releaser (started the run), @dev (authored commit 0123456)",
    );
  });
});

describe("input validation", () => {
  const bad: [string, Partial<ApprovalOptions>, string, string][] = [
    [
      "no approvers",
      { approvers: " , " },
      "approvers",
      "Input 'approvers' lists nobody: name at least one GitHub user or org/team.",
    ],
    [
      "minimum below 1",
      { minimumApprovals: 0 },
      "minimum-approvals",
      "Input 'minimum-approvals' must be a whole number of at least 1, got '0'.",
    ],
    [
      "minimum above the listed people",
      { approvers: "alice bob", minimumApprovals: 3 },
      "minimum-approvals",
      "Input 'minimum-approvals' is 3 but 'approvers' lists only 2 people, so the gate could never pass.",
    ],
    [
      "bad username",
      { approvers: "alice bad_user!" },
      "approvers",
      "Input 'approvers' has 'bad_user!', which is not a valid GitHub username.",
    ],
    [
      "bad team slug",
      { approvers: "acme/" },
      "approvers",
      "Input 'approvers' has 'acme/', which is not a valid org/team slug.",
    ],
    [
      "bad mode",
      { mode: "vote" as "issue" },
      "mode",
      "Input 'mode' must be one of environment, issue, got 'vote'.",
    ],
    [
      "overlapping keywords",
      { approveKeywords: ["ok"], denyKeywords: ["OK", "no"] },
      "deny-keywords",
      "Inputs 'approve-keywords' and 'deny-keywords' both list 'ok'.",
    ],
    ["bad poll", { pollSeconds: 0 }, "poll-seconds", "Input 'poll-seconds' must be at least 1, got '0'."],
  ];
  for (const [name, extra, field, message] of bad) {
    it(`rejects ${name} with a ConfigError naming '${field}'`, async () => {
      const gh = await setupGitHub();
      const error = await requestApproval(gh.client, envOptions({ minimumApprovals: 1, ...extra })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe(field);
      expect((error as Error).message).toBe(message);
      expect(gh.double.requests).toEqual([]);
    });
  }

  it("allows a quorum larger than the listed people when a team is listed", () => {
    const policy = resolvePolicy(envOptions({ approvers: "alice, @acme/ops", minimumApprovals: 3 }));
    expect(policy.users).toEqual(["alice"]);
    expect(policy.teams).toEqual([{ org: "acme", slug: "ops" }]);
  });
});

describe("keywords", () => {
  const vote = (body: string) => classifyComment(body, DEFAULT_APPROVE_KEYWORDS, DEFAULT_DENY_KEYWORDS);
  it("matches whole words at the start, case-insensitively", () => {
    expect(vote("Approve")).toBe("approve");
    expect(vote("  LGTM! ship it")).toBe("approve");
    expect(vote("yes.")).toBe("approve");
    expect(vote("approved\nthanks")).toBe("approve");
    expect(vote("Denied: wrong numbers")).toBe("deny");
    expect(vote("no")).toBe("deny");
    expect(vote("not now")).toBeUndefined();
    expect(vote("approvedx")).toBeUndefined();
    expect(vote("I approve")).toBeUndefined();
    expect(vote("yesterday's data")).toBeUndefined();
  });
});

describe("evidence rendering", () => {
  it("renders a flat object as a table and nested JSON as a fenced block", () => {
    expect(renderJson({ status: "pass", regressions: 0 })).toBe(
      "| Field | Value |\n| --- | --- |\n| status | pass |\n| regressions | 0 |",
    );
    expect(renderJson({ sheets: [{ id: 1 }] })).toBe(
      '```json\n{\n  "sheets": [\n    {\n      "id": 1\n    }\n  ]\n}\n```',
    );
  });
});
