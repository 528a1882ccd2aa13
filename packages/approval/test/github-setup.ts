// The approval gate's GitHub, seeded on the GitHub double: the deployed commit and its author, teams,
// pull request commits, earlier request issues, and people commenting between polls. Also a fake clock.
import { afterEach } from "@jest/globals";
import type { GitHubClient } from "@qlik-cicd/github";
import {
  startGitHubDouble,
  type GitHubDouble,
  type GitHubRepo,
} from "../../../test/helpers/github-double.ts";
import { githubClientFor } from "../../../test/helpers/github-client.ts";

export const OWNER = "acme";
export const REPO = "app";
export const SHA = "0123456789abcdef0123456789abcdef01234567";
const T0 = Date.parse("2026-03-01T10:00:00Z");
/** The number the gate's request issue gets. */
const ISSUE = 42;

export interface PlannedComment {
  login: string;
  body: string;
  type?: string;
  created_at: string;
  updated_at: string;
}

export interface GateSetupOptions {
  commitAuthor?: string;
  /** Open request issues already there (they carry the gate's label). */
  existingIssues?: { number: number; body: string; created_at?: string }[];
  issueCreatedAt?: string;
  /** Called before each poll of the request issue's comments (0-based); `add` makes someone comment. */
  onPoll?: (poll: number, add: (c: PlannedComment) => void) => void;
  /** Teams and their members; a status instead makes every read of the team answer it. */
  teams?: Record<string, { status: number; members?: Record<string, "active" | "pending"> }>;
  /** Pull request number → authors of its commits, in order. */
  pullCommits?: Record<number, string[]>;
}

export function at(minutes: number): string {
  return new Date(T0 + minutes * 60_000).toISOString().replace(/\.000Z$/, "Z");
}

export function comment(
  login: string,
  body: string,
  minutes: number,
  extra: Partial<PlannedComment> = {},
): PlannedComment {
  return { login, body, type: "User", created_at: at(minutes), updated_at: at(minutes), ...extra };
}

export interface GateSetup {
  double: GitHubDouble;
  repo: GitHubRepo;
  client: GitHubClient;
  /** The request issue the gate opened, if it did. */
  readonly createdIssue: { title: string; body: string; labels: string[] } | undefined;
  readonly assignees: string[] | undefined;
  /** Comments the gate wrote. */
  readonly posted: string[];
  readonly closed: { state: string; state_reason: string | null } | undefined;
  readonly polls: number;
  readonly notModified: number;
  readonly ifNoneMatchSeen: number;
}

const opened: GitHubDouble[] = [];
afterEach(async () => {
  for (const d of opened.splice(0)) await d.close();
});

/** A fresh GitHub double for one test, closed after it. */
export async function setupGitHub(options: GateSetupOptions = {}): Promise<GateSetup> {
  const createdAt = Date.parse(options.issueCreatedAt ?? at(0));
  const double = await startGitHubDouble({ now: () => createdAt });
  opened.push(double);
  const repo = double.repo(`${OWNER}/${REPO}`);
  repo.commit({ sha: SHA, author: options.commitAuthor ?? "dev", committer: "web-flow" });
  for (const [pr, authors] of Object.entries(options.pullCommits ?? {})) {
    const branch = `pr-${pr}`;
    const commits = authors.map((author, i) =>
      repo.commit({ author, branch, ...(i === 0 ? { parents: [SHA] } : {}) }),
    );
    repo.addPull({ number: Number(pr), head: branch, commits });
  }
  for (const [team, t] of Object.entries(options.teams ?? {})) {
    if (t.status === 200) double.team(team, t.members);
    else {
      const [org, slug] = team.split("/");
      double.fail({
        path: new RegExp(`^/orgs/${org}/teams/${slug}(/|$)`),
        status: t.status,
        body: { message: t.status === 403 ? "Resource not accessible by integration" : "Not Found" },
        times: Infinity,
      });
    }
  }
  for (const i of options.existingIssues ?? []) {
    repo.issues.push({
      number: i.number,
      title: `Issue ${i.number}`,
      body: i.body,
      state: "open",
      state_reason: null,
      labels: ["approval-gate"],
      assignees: [],
      user: { login: "github-actions[bot]", type: "Bot" },
      created_at: i.created_at ?? at(0),
      updated_at: i.created_at ?? at(0),
    });
  }
  repo.nextNumber = ISSUE;
  const commentsPath = `/repos/${OWNER}/${REPO}/issues/${ISSUE}/comments`;
  let polls = 0;
  double.onRequest((r) => {
    if (r.method !== "GET" || r.path !== commentsPath) return;
    options.onPoll?.(polls, (c) => repo.addComment(ISSUE, c));
    polls++;
  });
  const issue = () => repo.issues.find((i) => i.number === ISSUE);
  const commentPolls = () => double.requests.filter((r) => r.method === "GET" && r.path === commentsPath);
  return {
    double,
    repo,
    client: githubClientFor(double),
    get createdIssue() {
      const post = double.requests.find(
        (r) => r.method === "POST" && r.path === `/repos/${OWNER}/${REPO}/issues`,
      );
      return post?.body as { title: string; body: string; labels: string[] } | undefined;
    },
    get assignees() {
      const i = issue();
      return i && i.assignees.length > 0 ? i.assignees : undefined;
    },
    get posted() {
      return repo.comments.filter((c) => c.user.login === "github-actions[bot]").map((c) => c.body);
    },
    get closed() {
      const i = issue();
      return i && i.state === "closed" ? { state: i.state, state_reason: i.state_reason } : undefined;
    },
    get polls() {
      return polls;
    },
    get notModified() {
      return commentPolls().filter((r) => r.status === 304).length;
    },
    get ifNoneMatchSeen() {
      return commentPolls().filter((r) => r.ifNoneMatch !== undefined).length;
    },
  };
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
