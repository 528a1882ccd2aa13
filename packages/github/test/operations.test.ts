import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { GitHubClient, withMarker } from "../src/index.ts";

const API = "https://api.github.com";
const client = () => new GitHubClient({ token: "ghs_opstesttoken456", sleep: async () => {} });

describe("upsertComment", () => {
  it("creates the marked comment, then updates the same comment", async () => {
    const c = client();
    let stored: { id: number; body: string; html_url: string } | undefined;
    nock(API)
      .get("/repos/o/r/issues/5/comments")
      .query(true)
      .reply(200, () => [{ id: 1, body: "someone else", html_url: "u1" }])
      .post("/repos/o/r/issues/5/comments", (b) => {
        stored = { id: 2, body: b.body, html_url: "https://github.com/o/r/pull/5#issuecomment-2" };
        return true;
      })
      .reply(201, () => stored);
    const first = await c.upsertComment({
      owner: "o",
      repo: "r",
      issueNumber: 5,
      marker: "qlik-cicd:lint",
      body: "v1",
    });
    expect(first).toEqual({ id: 2, url: "https://github.com/o/r/pull/5#issuecomment-2", created: true });
    expect(stored!.body).toBe("v1\n\n<!-- qlik-cicd:lint -->\n");

    let patched: unknown;
    nock(API)
      .get("/repos/o/r/issues/5/comments")
      .query(true)
      .reply(200, () => [{ id: 1, body: "someone else", html_url: "u1" }, stored])
      .patch("/repos/o/r/issues/comments/2", (b) => {
        patched = b;
        return true;
      })
      .reply(200, () => ({ ...stored, body: (patched as { body: string }).body }));
    const second = await c.upsertComment({
      owner: "o",
      repo: "r",
      issueNumber: 5,
      marker: "qlik-cicd:lint",
      body: "v2",
    });
    expect(second).toEqual({ id: 2, url: "https://github.com/o/r/pull/5#issuecomment-2", created: false });
    expect(patched).toEqual({ body: withMarker("v2", "qlik-cicd:lint") });
    expect(nock.isDone()).toBe(true);
  });
});

describe("upsertPullRequest", () => {
  it("creates a pull request, then reuses it for the same head branch", async () => {
    const c = client();
    let created: unknown;
    nock(API)
      .get("/repos/o/r/pulls")
      .query({ state: "open", head: "o:qlik/sales", per_page: "100" })
      .reply(200, [])
      .post("/repos/o/r/pulls", (b) => {
        created = b;
        return true;
      })
      .reply(201, { number: 12, html_url: "https://github.com/o/r/pull/12" });
    const first = await c.upsertPullRequest({
      owner: "o",
      repo: "r",
      head: "qlik/sales",
      base: "main",
      title: "T1",
      body: "B1",
    });
    expect(first).toEqual({ number: 12, url: "https://github.com/o/r/pull/12", created: true });
    expect(created).toEqual({ head: "qlik/sales", base: "main", title: "T1", body: "B1", draft: false });

    let patched: unknown;
    nock(API)
      .get("/repos/o/r/pulls")
      .query({ state: "open", head: "o:qlik/sales", per_page: "100" })
      .reply(200, [
        {
          number: 12,
          html_url: "https://github.com/o/r/pull/12",
          title: "T1",
          body: "B1",
          base: { ref: "main" },
        },
      ])
      .patch("/repos/o/r/pulls/12", (b) => {
        patched = b;
        return true;
      })
      .reply(200, {});
    const second = await c.upsertPullRequest({
      owner: "o",
      repo: "r",
      head: "qlik/sales",
      base: "main",
      title: "T2",
      body: "B2",
    });
    expect(second).toEqual({ number: 12, url: "https://github.com/o/r/pull/12", created: false });
    expect(patched).toEqual({ title: "T2", body: "B2" });
    expect(nock.isDone()).toBe(true);
  });
});
