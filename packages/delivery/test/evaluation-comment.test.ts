// The gate's pull-request comment: one comment per app, created once and then updated in place, against
// a mocked GitHub API; and finding the pull request from the workflow's event.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { GitHubClient } from "@qlik-cicd/github";
import {
  commentMarker,
  commentOnPullRequest,
  DEFAULT_THRESHOLDS,
  evaluateGate,
  pullRequestFromEnv,
  type EvaluationReport,
  type EvaluationSummary,
} from "../src/evaluation/index.ts";

const API = "https://api.github.com";
let dir: string;

function summary(id: string, ms: number): EvaluationSummary {
  return {
    id,
    appId: "a1",
    status: "finished",
    objects: [
      { id: "c1", title: "Revenue by region", type: "barchart", sheetTitle: "Overview", responseMs: ms },
    ],
    memoryLimitObjectIds: [],
    events: [],
  };
}

function report(currentMs: number): EvaluationReport {
  const current = [summary("cur", currentMs)];
  const baseline = [summary("base", 100)];
  return {
    version: 1,
    app: { id: "tmp1", name: "Sales Analytics", temporary: true, source: "apps/sales" },
    baseline: {
      kind: "auto",
      appId: "p1",
      appName: "Sales Analytics",
      space: "production",
      reused: 0,
      evaluationIds: ["base"],
      evaluations: baseline,
    },
    current: { evaluationIds: ["cur"], evaluations: current },
    thresholds: DEFAULT_THRESHOLDS,
    gate: evaluateGate(current, baseline, DEFAULT_THRESHOLDS),
    warnings: [],
  };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "evaluation-comment-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("commentOnPullRequest", () => {
  it("creates the comment once, then updates the same comment on the next run", async () => {
    const github = new GitHubClient({ token: "ghs_testtoken123", apiUrl: API, maxRetries: 0 });
    const pr = { owner: "acme", repo: "bi-apps", number: 7 };
    const marker = "<!-- qlik-evaluate-app:Sales Analytics -->";
    let posted = "";
    const first = nock(API)
      .get("/repos/acme/bi-apps/issues/7/comments")
      .query(true)
      .reply(200, [{ id: 5, body: "Looks good to me", user: { login: "reviewer" }, html_url: `${API}/c/5` }])
      .post("/repos/acme/bi-apps/issues/7/comments", (body: { body: string }) => {
        posted = body.body;
        return true;
      })
      .matchHeader("authorization", /ghs_testtoken123/)
      .reply(201, { id: 42, body: "x", html_url: "https://github.com/acme/bi-apps/pull/7#issuecomment-42" });
    const created = await commentOnPullRequest(github, pr, report(500));
    expect(first.isDone()).toBe(true);
    expect(created).toEqual({ url: "https://github.com/acme/bi-apps/pull/7#issuecomment-42", created: true });
    expect(posted).toContain("### ❌ Performance gate failed: Sales Analytics");
    expect(posted).toContain(
      "| **❌ Revenue by region** | barchart | Overview | 100 ms | 500 ms | **+400 ms (+400 %)** |",
    );
    expect(posted).toContain(marker);

    let patched = "";
    const second = nock(API)
      .get("/repos/acme/bi-apps/issues/7/comments")
      .query(true)
      .reply(200, [
        { id: 5, body: "Looks good to me", user: { login: "reviewer" }, html_url: `${API}/c/5` },
        { id: 42, body: posted, user: { login: "github-actions[bot]" }, html_url: `${API}/c/42` },
      ])
      .patch("/repos/acme/bi-apps/issues/comments/42", (body: { body: string }) => {
        patched = body.body;
        return true;
      })
      .reply(200, { id: 42, body: "x", html_url: "https://github.com/acme/bi-apps/pull/7#issuecomment-42" });
    const updated = await commentOnPullRequest(github, pr, report(110));
    expect(second.isDone()).toBe(true);
    expect(updated.created).toBe(false);
    expect(patched).toContain("### ✅ Performance gate passed: Sales Analytics");
    expect(patched).toContain(marker);
  });

  it("makes a marker that cannot end the HTML comment early", () => {
    expect(commentMarker("Sales -- EU <draft>")).toBe("qlik-evaluate-app:Sales - EU draft");
    expect(commentMarker("  ")).toBe("qlik-evaluate-app:app");
  });
});

describe("pullRequestFromEnv", () => {
  it("reads the number from the pull_request event payload", () => {
    const path = join(dir, "event.json");
    writeFileSync(path, JSON.stringify({ number: 12, pull_request: { number: 12 } }));
    const env = {
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_EVENT_PATH: path,
      GITHUB_REPOSITORY: "acme/bi-apps",
    };
    expect(pullRequestFromEnv(env)).toEqual({ owner: "acme", repo: "bi-apps", number: 12 });
    expect(pullRequestFromEnv({ ...env, GITHUB_EVENT_NAME: "push" })).toBeUndefined();
    expect(pullRequestFromEnv({ ...env, GITHUB_EVENT_PATH: join(dir, "missing.json") })).toBeUndefined();
  });
});
