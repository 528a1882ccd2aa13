// The comment and pull-request upserts against the GitHub double, through the product's client.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { upsertComment, upsertPullRequest, withMarker } from "../src/index.ts";
import { startGitHubDouble, type GitHubDouble } from "../../../test/helpers/github-double.ts";
import { githubClientFor } from "../../../test/helpers/github-client.ts";

let double: GitHubDouble;

beforeAll(async () => {
  double = await startGitHubDouble();
});

afterAll(async () => {
  await double.close();
});

describe("upsertComment", () => {
  it("creates the marked comment, then updates the same comment", async () => {
    const gh = githubClientFor(double);
    const repo = double.repo("o/r");
    repo.addPull({ number: 5, head: "feature" });
    repo.addComment(5, { login: "someone", body: "someone else" });
    const params = { owner: "o", repo: "r", issueNumber: 5, marker: "qlik-cicd:lint" };
    const first = await upsertComment(gh, { ...params, body: "v1" });
    const mine = repo.comments.find((c) => c.body.includes("<!-- qlik-cicd:lint -->"))!;
    expect(first).toEqual({
      id: mine.id,
      url: `https://github.com/o/r/pull/5#issuecomment-${mine.id}`,
      created: true,
    });
    expect(mine.body).toBe("v1\n\n<!-- qlik-cicd:lint -->\n");

    double.requests.length = 0;
    const second = await upsertComment(gh, { ...params, body: "v2" });
    expect(second).toEqual({ ...first, created: false });
    expect(repo.comments).toHaveLength(2);
    expect(mine.body).toBe(withMarker("v2", "qlik-cicd:lint"));
    expect(double.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /repos/o/r/issues/5/comments",
      `PATCH /repos/o/r/issues/comments/${mine.id}`,
    ]);

    // The same body again changes nothing.
    double.requests.length = 0;
    expect(await upsertComment(gh, { ...params, body: "v2" })).toEqual({ ...first, created: false });
    expect(double.requests.map((r) => r.method)).toEqual(["GET"]);
  });
});

describe("upsertPullRequest", () => {
  it("creates a pull request, then reuses it for the same head branch", async () => {
    const gh = githubClientFor(double);
    const repo = double.repo("o/p");
    const params = { owner: "o", repo: "p", head: "qlik/sales", base: "main" };
    double.requests.length = 0;
    const first = await upsertPullRequest(gh, { ...params, title: "T1", body: "B1" });
    expect(first).toEqual({ number: 1, url: "https://github.com/o/p/pull/1", created: true });
    expect(double.requests[0]).toMatchObject({
      method: "GET",
      path: "/repos/o/p/pulls",
      params: { state: "open", head: "o:qlik/sales", per_page: "100" },
    });
    expect(double.requests[1].body).toEqual({
      head: "qlik/sales",
      base: "main",
      title: "T1",
      body: "B1",
      draft: false,
    });

    double.requests.length = 0;
    const second = await upsertPullRequest(gh, { ...params, title: "T2", body: "B2" });
    expect(second).toEqual({ number: 1, url: "https://github.com/o/p/pull/1", created: false });
    expect(double.requests.map((r) => r.method)).toEqual(["GET", "PATCH"]);
    expect(double.requests[1].body).toEqual({ title: "T2", body: "B2" });
    expect(repo.pulls).toEqual([
      expect.objectContaining({ number: 1, title: "T2", body: "B2", state: "open" }),
    ]);
  });
});
