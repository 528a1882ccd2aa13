// The GitHub client the factory builds (Octokit from @actions/github with the retry and throttling
// plugins) against the GitHub double: one-sentence errors, rate limits, retries only where safe,
// conditional requests, pagination, spaced writes, and the token kept out of logs.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { ConfigError, MemoryLogger, secrets } from "@qlik-cicd/common";
import {
  ConditionalCache,
  GitHubApiError,
  GitHubRateLimitError,
  callGitHub,
  createIssue,
  getTeam,
  listConditionally,
  listIssueComments,
  type IssueComment,
} from "@qlik-cicd/github";
import {
  startGitHubDouble,
  type GitHubDouble,
  type GitHubRepo,
} from "../../../test/helpers/github-double.ts";
import { githubClientFor } from "../../../test/helpers/github-client.ts";
import { createGitHubClient } from "../src/github.ts";

const TOKEN = "ghs_clienttesttoken123";
let double: GitHubDouble;
let repo: GitHubRepo;

beforeAll(async () => {
  double = await startGitHubDouble({ tokens: [TOKEN] });
});

afterAll(async () => {
  await double.close();
});

beforeEach(() => {
  double.requests.length = 0;
  repo = double.repo(`o/r${Math.random().toString(36).slice(2, 8)}`);
});

function client(extra: { maxRateLimitWaitMs?: number; maxRetries?: number; spaceWrites?: boolean } = {}) {
  const waits: { kind: string; seconds: number; request: string }[] = [];
  const logger = new MemoryLogger();
  const gh = githubClientFor(double, {
    token: TOKEN,
    logger,
    onRateLimitWait: (w) => waits.push(w),
    ...extra,
  });
  return { gh, waits, logger };
}

const path = (p: string) => `/repos/${repo.fullName}${p}`;

describe("createGitHubClient", () => {
  it("sends JSON with the token and registers the token as a secret", async () => {
    const { gh } = client();
    expect(secrets.has(TOKEN)).toBe(true);
    const issue = await createIssue(gh, { owner: repo.owner, repo: repo.name, title: "t", body: "b" });
    expect(issue.number).toBe(1);
    const [request] = double.requests;
    expect(request).toMatchObject({ method: "POST", path: path("/issues"), authorization: `token ${TOKEN}` });
    expect(request.body).toEqual({ title: "t", body: "b" });
  });

  it("refuses a missing token with a ConfigError naming github-token", () => {
    expect(() => createGitHubClient({ token: " " })).toThrow(ConfigError);
    try {
      createGitHubClient({ token: "" });
    } catch (e) {
      expect((e as ConfigError).field).toBe("github-token");
      expect((e as Error).message).toBe("A GitHub token is required: pass one in 'github-token'.");
    }
    expect(() => createGitHubClient({ token: TOKEN, apiUrl: "not a url" })).toThrow(
      "The GitHub API URL 'not a url' is not a valid URL.",
    );
  });

  it("maps 401, 403 and 404 to one sentence naming what is wrong", async () => {
    const stranger = githubClientFor(double, { token: "ghs_notAcceptedHere000" });
    await expect(callGitHub({}, () => stranger.request("GET /user"))).rejects.toThrow(
      "GitHub rejected the token (401 Bad credentials) on GET /user.",
    );

    const { gh } = client();
    double.fail({
      method: "POST",
      path: path("/issues"),
      status: 403,
      body: { message: "Resource not accessible by integration" },
      headers: { "x-accepted-github-permissions": "issues=write" },
    });
    await expect(
      callGitHub({}, () => gh.rest.issues.create({ owner: repo.owner, repo: repo.name, title: "x" })),
    ).rejects.toThrow(
      `The GitHub token may not POST ${path("/issues")} (403 Resource not accessible by integration): it needs the 'issues=write' permission.`,
    );

    const err = await callGitHub({ resource: "Issue #9 in o/r" }, () =>
      gh.rest.issues.get({ owner: repo.owner, repo: repo.name, issue_number: 9 }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitHubApiError);
    expect((err as GitHubApiError).status).toBe(404);
    expect((err as Error).message).toBe(
      "Issue #9 in o/r was not found on GitHub (404), or the token cannot see it.",
    );
  });

  it("names the permission given by the caller on 403", async () => {
    const { gh } = client();
    double.fail({ path: "/orgs/acme/teams/ops", status: 403, body: { message: "Forbidden" } });
    await expect(getTeam(gh, { org: "acme", teamSlug: "ops" })).rejects.toThrow(
      "it needs the 'members: read (organization)' permission.",
    );
  });

  it("waits for x-ratelimit-reset when the primary rate limit is exhausted, then retries", async () => {
    const { gh, waits, logger } = client();
    double.primaryRateLimit({ path: path("/issues"), resetInSeconds: 1 });
    const started = Date.now();
    const issues = await gh.rest.issues.listForRepo({ owner: repo.owner, repo: repo.name });
    expect(issues.status).toBe(200);
    // The plugin waits until one second after the reset: 2-3 s from now.
    expect(waits).toEqual([
      { kind: "primary", seconds: expect.any(Number), request: `GET ${path("/issues")}` },
    ]);
    expect(waits[0].seconds).toBeGreaterThanOrEqual(2);
    expect(waits[0].seconds).toBeLessThanOrEqual(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(waits[0].seconds * 1000 - 50);
    expect(double.requests.map((r) => r.status)).toEqual([403, 200]);
    expect(logger.text()).toContain(`GitHub's primary rate limit reached on GET ${path("/issues")}; waiting`);
  });

  it("honours retry-after on a secondary rate limit", async () => {
    const { gh, waits } = client();
    double.secondaryRateLimit({ path: path("/issues"), retryAfter: 1, status: 429 });
    const started = Date.now();
    await gh.rest.issues.listForRepo({ owner: repo.owner, repo: repo.name });
    expect(waits.map((w) => [w.kind, w.seconds])).toEqual([["secondary", 1]]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(double.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it("gives up with a GitHubRateLimitError when the wait is longer than allowed", async () => {
    const { gh, waits } = client({ maxRateLimitWaitMs: 10_000 });
    double.secondaryRateLimit({ path: path("/issues"), retryAfter: 600 });
    const error = await callGitHub({}, () =>
      gh.rest.issues.listForRepo({ owner: repo.owner, repo: repo.name }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubRateLimitError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^GitHub's rate limit stopped GET ${path("/issues")}: it resets at \\S+, later than this step may wait\\.$`,
      ),
    );
    expect(waits).toEqual([]);
    expect(double.requests).toHaveLength(1);
  });

  it("does not treat a plain 403 as a rate limit", async () => {
    const { gh, waits } = client();
    double.fail({ path: path("/issues"), status: 403, body: { message: "Must have admin rights" } });
    await expect(
      callGitHub({}, () => gh.rest.issues.listForRepo({ owner: repo.owner, repo: repo.name })),
    ).rejects.toThrow("403 Must have admin rights");
    expect(waits).toEqual([]);
    expect(double.requests).toHaveLength(1);
  });

  it("retries a GET after a 5xx with backoff, and a dropped connection", async () => {
    const { gh } = client();
    double.fail({ path: path("/issues"), status: 502, body: { message: "Bad Gateway" } });
    const started = Date.now();
    const res = await gh.rest.issues.listForRepo({ owner: repo.owner, repo: repo.name });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(double.requests.map((r) => r.status)).toEqual([502, 200]);

    double.fail({ path: path("/issues"), status: 0, drop: true });
    expect((await gh.rest.issues.listForRepo({ owner: repo.owner, repo: repo.name })).status).toBe(200);
  });

  it("does not repeat a POST that failed, since GitHub may have carried it out", async () => {
    const { gh } = client();
    double.fail({ method: "POST", path: path("/issues"), status: 502, body: { message: "Bad Gateway" } });
    await expect(
      createIssue(gh, { owner: repo.owner, repo: repo.name, title: "t", body: "b" }),
    ).rejects.toThrow(`GitHub answered 502 to POST ${path("/issues")}: Bad Gateway.`);
    expect(double.requests).toHaveLength(1);
    expect(repo.issues).toEqual([]);
  });

  it("says in one sentence when GitHub cannot be reached", async () => {
    const gh = createGitHubClient({ token: TOKEN, apiUrl: "http://127.0.0.1:9", maxRetries: 0 });
    const error = await callGitHub({}, () => gh.request("GET /x")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(0);
    expect((error as Error).message).toMatch(
      /^Could not reach GitHub at http:\/\/127\.0\.0\.1:9 for GET \/x: .+\.$/,
    );
  });

  it("sends If-None-Match and serves the cached page on 304", async () => {
    const { gh } = client();
    repo.addPull({ number: 1, head: "h" });
    repo.addComment(1, { login: "alice", body: "first" });
    const cache = new ConditionalCache();
    const list = () => listIssueComments(gh, { owner: repo.owner, repo: repo.name, issueNumber: 1 }, cache);
    const first = await list();
    const second = await list();
    expect(second).toEqual(first);
    expect(first.map((c) => c.body)).toEqual(["first"]);
    expect(double.requests.map((r) => [r.status, r.ifNoneMatch !== undefined])).toEqual([
      [200, false],
      [304, true],
    ]);
    expect(cache.stats.notModified).toBe(1);
    repo.addComment(1, { login: "bob", body: "second" });
    expect((await list()).map((c) => c.body)).toEqual(["first", "second"]);
  });

  it("follows Link rel=next across pages, conditionally on each page", async () => {
    const { gh } = client();
    repo.addPull({ number: 3, head: "h" });
    for (const body of ["a", "b", "c", "d", "e"]) repo.addComment(3, { login: "alice", body });
    const cache = new ConditionalCache();
    const list = () =>
      listConditionally<IssueComment>(
        gh,
        "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
        { owner: repo.owner, repo: repo.name, issue_number: 3, per_page: 2 },
        cache,
        {},
      );
    expect((await list()).map((c) => c.body)).toEqual(["a", "b", "c", "d", "e"]);
    expect((await list()).map((c) => c.body)).toEqual(["a", "b", "c", "d", "e"]);
    expect(double.requests.map((r) => `${r.status} ${r.params.page ?? "1"}`)).toEqual([
      "200 1",
      "200 2",
      "200 3",
      "304 1",
      "304 2",
      "304 3",
    ]);
    expect(cache.stats.notModified).toBe(3);

    const pulls = await gh.paginate(gh.rest.issues.listForRepo, {
      owner: repo.owner,
      repo: repo.name,
      per_page: 1,
    });
    expect(pulls.map((p) => p.number)).toEqual([3]);
  });

  it("spaces writes a second apart by default, as GitHub asks", async () => {
    const { gh } = client({ spaceWrites: true });
    const issue = await createIssue(gh, { owner: repo.owner, repo: repo.name, title: "t", body: "b" });
    const patch = () =>
      gh.rest.issues.update({ owner: repo.owner, repo: repo.name, issue_number: issue.number, body: "x" });
    await patch();
    let started = Date.now();
    await patch();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    const fast = client().gh;
    await fast.rest.issues.update({
      owner: repo.owner,
      repo: repo.name,
      issue_number: issue.number,
      body: "y",
    });
    started = Date.now();
    await fast.rest.issues.update({
      owner: repo.owner,
      repo: repo.name,
      issue_number: issue.number,
      body: "z",
    });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("never logs the token", async () => {
    const { gh, logger } = client();
    await gh.rest.issues.listForRepo({ owner: repo.owner, repo: repo.name });
    expect(logger.text()).toContain(`GET ${path("/issues")} → 200`);
    expect(logger.text()).not.toContain(TOKEN);
  });
});
