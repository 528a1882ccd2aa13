// The GitHub double answers as GitHub does, checked with plain fetch: authentication, error bodies,
// pagination links, conditional requests, rate-limit headers, compare's 250-commit page and real git
// history.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGitHubDouble, type GitHubDouble } from "./github-double.ts";

const TOKEN = "ghs_doubleSelfTest";
let double: GitHubDouble;

beforeAll(async () => {
  double = await startGitHubDouble({ tokens: [TOKEN] });
});

afterAll(async () => {
  await double.close();
});

// The double's bodies are GitHub's JSON; the assertions below check their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (res: Response): Promise<any> => res.json();

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${double.url}${path}`, { headers: { authorization: `token ${TOKEN}`, ...headers } });

describe("GitHub double", () => {
  it("answers 401 without an accepted token and 404 for what does not exist, with GitHub's bodies", async () => {
    const anonymous = await fetch(`${double.url}/repos/a/b`);
    expect(anonymous.status).toBe(401);
    expect(await json(anonymous)).toMatchObject({ message: "Requires authentication" });
    const missing = await get("/repos/nobody/nothing");
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({ message: "Not Found", status: "404" });
    expect(missing.headers.get("x-ratelimit-limit")).toBe("5000");
  });

  it("pages lists with Link headers and answers an unchanged page 304", async () => {
    const repo = double.repo("acme/pages");
    repo.addPull({ number: 1, head: "x" });
    for (let i = 0; i < 5; i++) repo.addComment(1, { login: "alice", body: `c${i}` });
    const first = await get("/repos/acme/pages/issues/1/comments?per_page=2");
    expect((await json(first)).map((c: { body: string }) => c.body)).toEqual(["c0", "c1"]);
    expect(first.headers.get("link")).toBe(
      `<${double.url}/repos/acme/pages/issues/1/comments?per_page=2&page=2>; rel="next", <${double.url}/repos/acme/pages/issues/1/comments?per_page=2&page=3>; rel="last"`,
    );
    const etag = first.headers.get("etag") as string;
    const again = await get("/repos/acme/pages/issues/1/comments?per_page=2", { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });

  it("lists at most 250 commits in a compare without paging, and all of them page by page", async () => {
    const repo = double.repo("acme/long");
    const base = repo.commit({ author: "dev" });
    let head = base;
    for (let i = 0; i < 260; i++) head = repo.commit({ author: i === 0 ? "dana" : "dev" });
    const whole = await json(await get(`/repos/acme/long/compare/${base}...${head}`));
    expect(whole).toMatchObject({ status: "ahead", total_commits: 260, ahead_by: 260 });
    expect(whole.commits).toHaveLength(250);
    expect(whole.commits[0].author.login).toBe("dana");
    const last = await get(`/repos/acme/long/compare/${base}...${head}?per_page=100&page=3`);
    expect((await json(last)).commits).toHaveLength(60);
    expect(last.headers.get("link")).toContain('rel="prev"');
    expect((await get(`/repos/acme/long/compare/${"f".repeat(40)}...${head}`)).status).toBe(404);
  });

  it("answers commits and compares from a real git repository, linking e-mails to accounts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "double-git-"));
    const git = (...args: string[]) =>
      execFileSync("git", args, {
        cwd: dir,
        encoding: "utf8",
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: "Dana",
          GIT_AUTHOR_EMAIL: "dana@example.invalid",
          GIT_COMMITTER_NAME: "Dana",
          GIT_COMMITTER_EMAIL: "dana@example.invalid",
          GIT_CONFIG_NOSYSTEM: "1",
          GIT_CONFIG_GLOBAL: "/dev/null",
        },
      }).trim();
    try {
      git("init", "--quiet", "--initial-branch=main");
      git("commit", "--quiet", "--allow-empty", "-m", "one");
      const one = git("rev-parse", "HEAD");
      git("commit", "--quiet", "--allow-empty", "-m", "two");
      const two = git("rev-parse", "HEAD");
      const repo = double.repo("acme/git");
      repo.gitDir = dir;
      double.linkEmail("dana@example.invalid", { login: "dana" });
      const commit = await json(await get(`/repos/acme/git/commits/main`));
      expect(commit).toMatchObject({
        sha: two,
        author: { login: "dana", type: "User" },
        parents: [{ sha: one }],
      });
      const compare = await json(await get(`/repos/acme/git/compare/${one}...main`));
      expect(compare.commits.map((c: { sha: string }) => c.sha)).toEqual([two]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives a primary rate limit with a reset and a secondary one with retry-after", async () => {
    double.repo("acme/limits");
    double.primaryRateLimit({ path: "/repos/acme/limits", resetInSeconds: 30 });
    const primary = await get("/repos/acme/limits");
    expect(primary.status).toBe(403);
    expect(primary.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(primary.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000 + 25);
    double.secondaryRateLimit({ path: "/repos/acme/limits", retryAfter: 7, status: 429 });
    const secondary = await get("/repos/acme/limits");
    expect(secondary.status).toBe(429);
    expect(secondary.headers.get("retry-after")).toBe("7");
    expect((await json(secondary)).message).toMatch(/secondary rate limit/);
    expect((await get("/repos/acme/limits")).status).toBe(200);
  });
});
