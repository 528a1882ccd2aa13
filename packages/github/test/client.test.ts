import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { ConfigError, MemoryLogger, secrets } from "@qlik-cicd/common";
import { GitHubApiError, GitHubClient, GitHubRateLimitError, nextPageUrl } from "../src/index.ts";

const API = "https://api.github.com";
const TOKEN = "ghs_clienttesttoken123";

function makeClient(extra: { now?: () => number; maxRateLimitWaitMs?: number } = {}) {
  const waits: number[] = [];
  const logger = new MemoryLogger();
  const client = new GitHubClient({
    token: TOKEN,
    logger,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
  return { client, waits, logger };
}

describe("GitHubClient", () => {
  it("sends JSON with the bearer token and registers the token as a secret", async () => {
    const { client } = makeClient();
    expect(secrets.has(TOKEN)).toBe(true);
    const scope = nock(API, {
      reqheaders: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    })
      .post("/repos/o/r/issues", { title: "t" })
      .reply(201, { number: 7 });
    const res = await client.post<{ number: number }>("/repos/o/r/issues", { title: "t" });
    expect(res.status).toBe(201);
    expect(res.data.number).toBe(7);
    scope.done();
  });

  it("refuses a missing token with a ConfigError naming github-token", () => {
    expect(() => new GitHubClient({ token: " " })).toThrow(ConfigError);
    try {
      new GitHubClient({ token: "" });
    } catch (e) {
      expect((e as ConfigError).field).toBe("github-token");
    }
  });

  it("maps 401, 403 and 404 to one sentence naming what is wrong", async () => {
    const { client } = makeClient();
    nock(API).get("/user").reply(401, { message: "Bad credentials" });
    await expect(client.get("/user")).rejects.toThrow(
      "GitHub rejected the token (401 Bad credentials) on GET /user.",
    );

    nock(API)
      .post("/repos/o/r/issues")
      .reply(
        403,
        { message: "Resource not accessible by integration" },
        { "x-accepted-github-permissions": "issues=write" },
      );
    await expect(client.post("/repos/o/r/issues", {})).rejects.toThrow(
      "The GitHub token may not POST /repos/o/r/issues (403 Resource not accessible by integration): it needs the 'issues=write' permission.",
    );

    nock(API).get("/repos/o/r/issues/9").reply(404, { message: "Not Found" });
    const err = await client.get("/repos/o/r/issues/9", { resource: "Issue #9 in o/r" }).catch((e) => e);
    expect(err).toBeInstanceOf(GitHubApiError);
    expect((err as GitHubApiError).status).toBe(404);
    expect((err as Error).message).toBe(
      "Issue #9 in o/r was not found on GitHub (404), or the token cannot see it.",
    );
  });

  it("names the permission given by the caller on 403", async () => {
    const { client } = makeClient();
    nock(API).get("/orgs/acme/teams/ops").reply(403, { message: "Forbidden" });
    await expect(client.get("/orgs/acme/teams/ops", { permission: "members: read" })).rejects.toThrow(
      "it needs the 'members: read' permission.",
    );
  });

  it("waits for x-ratelimit-reset when the primary rate limit is exhausted, then retries", async () => {
    const now = 1_700_000_000_000;
    const { client, waits } = makeClient({ now: () => now });
    nock(API)
      .get("/rate")
      .reply(
        403,
        { message: "API rate limit exceeded" },
        {
          "x-ratelimit-remaining": "0",
          "x-ratelimit-limit": "1000",
          "x-ratelimit-reset": String(now / 1000 + 30),
        },
      )
      .get("/rate")
      .reply(
        200,
        { ok: true },
        { "x-ratelimit-remaining": "999", "x-ratelimit-reset": String(now / 1000 + 3600) },
      );
    const res = await client.get<{ ok: boolean }>("/rate");
    expect(res.data.ok).toBe(true);
    expect(waits).toEqual([31_000]);
    expect(client.stats.rateLimitWaits).toBe(1);
    expect(client.rateLimit.remaining).toBe(999);
  });

  it("honours retry-after on a secondary rate limit", async () => {
    const { client, waits } = makeClient();
    nock(API)
      .get("/x")
      .reply(429, { message: "You have exceeded a secondary rate limit" }, { "retry-after": "7" })
      .get("/x")
      .reply(200, []);
    await client.get("/x");
    expect(waits).toEqual([7000]);
  });

  it("gives up with a GitHubRateLimitError when the wait is longer than allowed", async () => {
    const { client, waits } = makeClient({ maxRateLimitWaitMs: 10_000 });
    nock(API).get("/x").reply(403, { message: "secondary rate limit" }, { "retry-after": "600" });
    await expect(client.get("/x")).rejects.toBeInstanceOf(GitHubRateLimitError);
    expect(waits).toEqual([]);
  });

  it("does not treat a plain 403 as a rate limit", async () => {
    const { client, waits } = makeClient();
    nock(API).get("/x").reply(403, { message: "Must have admin rights" });
    await expect(client.get("/x")).rejects.toThrow("403 Must have admin rights");
    expect(waits).toEqual([]);
  });

  it("retries a GET after a 5xx with backoff", async () => {
    const { client, waits } = makeClient();
    nock(API).get("/x").reply(502, "bad gateway").get("/x").reply(200, { a: 1 });
    expect((await client.get<{ a: number }>("/x")).data.a).toBe(1);
    expect(waits).toEqual([1000]);
  });

  it("sends If-None-Match and serves the cached body on 304", async () => {
    const { client } = makeClient();
    nock(API)
      .get("/repos/o/r/issues/1/comments")
      .reply(200, [{ id: 1 }], { etag: 'W/"abc"' });
    nock(API, { reqheaders: { "if-none-match": 'W/"abc"' } })
      .get("/repos/o/r/issues/1/comments")
      .reply(304, "", { "x-ratelimit-remaining": "4999" });
    const first = await client.get<{ id: number }[]>("/repos/o/r/issues/1/comments");
    const second = await client.get<{ id: number }[]>("/repos/o/r/issues/1/comments");
    expect(first.fromCache).toBe(false);
    expect(second.fromCache).toBe(true);
    expect(second.data).toEqual([{ id: 1 }]);
    expect(client.stats.notModified).toBe(1);
    expect(nock.isDone()).toBe(true);
  });

  it("follows Link rel=next across pages", async () => {
    const { client } = makeClient();
    nock(API)
      .get("/repos/o/r/issues")
      .query({ per_page: "100" })
      .reply(200, [{ n: 1 }, { n: 2 }], {
        link: `<${API}/repos/o/r/issues?per_page=100&page=2>; rel="next", <${API}/repos/o/r/issues?per_page=100&page=2>; rel="last"`,
      })
      .get("/repos/o/r/issues")
      .query({ per_page: "100", page: "2" })
      .reply(200, [{ n: 3 }], { link: `<${API}/repos/o/r/issues?per_page=100&page=1>; rel="prev"` });
    const all = await client.paginate<{ n: number }>("/repos/o/r/issues");
    expect(all.map((i) => i.n)).toEqual([1, 2, 3]);
  });

  it("parses Link headers", () => {
    expect(nextPageUrl(null)).toBeNull();
    expect(nextPageUrl('<https://a/b?page=3>; rel="next"')).toBe("https://a/b?page=3");
    expect(nextPageUrl('<https://a/b?page=1>; rel="prev"')).toBeNull();
  });

  it("never logs the token", async () => {
    const { client, logger } = makeClient();
    nock(API).get("/x").reply(200, {});
    await client.get("/x");
    expect(logger.text()).not.toContain(TOKEN);
  });
});
