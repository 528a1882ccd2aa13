// nock-backed stand-in for the few GitHub endpoints the approval gate uses, with a mutable comment list
// and real ETag behaviour (304 when the comments did not change).
import nock from "nock";
import { createHash } from "node:crypto";

export const API = "https://api.github.com";
export const OWNER = "acme";
export const REPO = "app";
export const SHA = "0123456789abcdef0123456789abcdef01234567";
export const T0 = Date.parse("2026-03-01T10:00:00Z");

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
  html_url: string;
}

export interface FakeIssueOptions {
  commitAuthor?: string;
  existingIssues?: unknown[];
  issueCreatedAt?: string;
  /** Called before each comment poll with the poll number (0-based); mutate `comments` to simulate people. */
  onPoll?: (poll: number, comments: FakeComment[]) => void;
  teams?: Record<string, { status: number; members?: Record<string, "active" | "pending"> }>;
  pullCommits?: Record<number, string[]>;
}

export function at(minutes: number): string {
  return new Date(T0 + minutes * 60_000).toISOString().replace(/\.000Z$/, "Z");
}

let nextId = 1000;
export function comment(
  login: string,
  body: string,
  minutes: number,
  extra: Partial<FakeComment> = {},
): FakeComment {
  const id = nextId++;
  return {
    id,
    body,
    user: { login, type: "User" },
    created_at: at(minutes),
    updated_at: at(minutes),
    html_url: `https://github.com/${OWNER}/${REPO}/issues/42#issuecomment-${id}`,
    ...extra,
  };
}

/** Mocks the endpoints and returns what the gate did to them. */
export function fakeGitHub(options: FakeIssueOptions = {}) {
  const state = {
    comments: [] as FakeComment[],
    createdIssue: undefined as undefined | { title: string; body: string; labels: string[] },
    assignees: undefined as undefined | string[],
    posted: [] as string[],
    closed: undefined as undefined | { state: string; state_reason: string },
    polls: 0,
    notModified: 0,
    ifNoneMatchSeen: 0,
  };
  const scope = nock(API).persist();
  scope.get(`/repos/${OWNER}/${REPO}/commits/${SHA}`).reply(200, {
    sha: SHA,
    author: { login: options.commitAuthor ?? "dev" },
    committer: { login: "web-flow" },
  });
  for (const [pr, authors] of Object.entries(options.pullCommits ?? {})) {
    scope
      .get(`/repos/${OWNER}/${REPO}/pulls/${pr}/commits`)
      .query(true)
      .reply(
        200,
        authors.map((a) => ({ author: { login: a } })),
      );
  }
  for (const [team, t] of Object.entries(options.teams ?? {})) {
    const [org, slug] = team.split("/");
    scope
      .get(`/orgs/${org}/teams/${slug}`)
      .reply(
        t.status,
        t.status === 200
          ? { slug, name: slug }
          : { message: t.status === 403 ? "Resource not accessible by integration" : "Not Found" },
      );
    scope.get(new RegExp(`^/orgs/${org}/teams/${slug}/memberships/[^/]+$`)).reply((req: Request) => {
      const user = decodeURIComponent(new URL(req.url).pathname.split("/").pop()!);
      const m = t.members?.[user];
      return m ? [200, { state: m, role: "member" }] : [404, { message: "Not Found" }];
    });
  }
  scope
    .get(`/repos/${OWNER}/${REPO}/issues`)
    .query(true)
    .reply(() => [200, options.existingIssues ?? []]);
  // nock 15 passes the Fetch Request to reply functions.
  scope.post(`/repos/${OWNER}/${REPO}/issues`).reply(async (req: Request) => {
    state.createdIssue = (await req.json()) as { title: string; body: string; labels: string[] };
    return [
      201,
      {
        number: 42,
        title: state.createdIssue.title,
        body: state.createdIssue.body,
        state: "open",
        html_url: `https://github.com/${OWNER}/${REPO}/issues/42`,
        created_at: options.issueCreatedAt ?? at(0),
        user: { login: "github-actions[bot]", type: "Bot" },
      },
    ];
  });
  scope.post(`/repos/${OWNER}/${REPO}/issues/42/assignees`).reply(async (req: Request) => {
    state.assignees = ((await req.json()) as { assignees: string[] }).assignees;
    return [201, {}];
  });
  scope
    .get(`/repos/${OWNER}/${REPO}/issues/42/comments`)
    .query(true)
    .reply((req: Request) => {
      options.onPoll?.(state.polls, state.comments);
      state.polls++;
      const json = JSON.stringify(state.comments);
      const etag = `W/"${createHash("sha1").update(json).digest("hex")}"`;
      const ifNoneMatch = req.headers.get("if-none-match");
      if (ifNoneMatch) state.ifNoneMatchSeen++;
      if (ifNoneMatch === etag) {
        state.notModified++;
        return [304, "", { etag }];
      }
      return [200, json, { etag, "content-type": "application/json" }];
    });
  scope.post(`/repos/${OWNER}/${REPO}/issues/42/comments`).reply(async (req: Request) => {
    const body = ((await req.json()) as { body: string }).body;
    state.posted.push(body);
    return [201, { id: 1, body, html_url: "x", created_at: at(0), updated_at: at(0) }];
  });
  scope.patch(`/repos/${OWNER}/${REPO}/issues/42`).reply(async (req: Request) => {
    state.closed = (await req.json()) as { state: string; state_reason: string };
    return [200, {}];
  });
  return state;
}

/** A fake clock whose sleep advances time instantly. */
export function fakeClock(start = T0) {
  const clock = { t: start, sleeps: [] as number[] };
  return {
    clock,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
}
