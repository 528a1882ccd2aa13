// The run's event, read by adapters only: the pull request, a push's range, the default branch.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  commitTimeOfRun,
  defaultBranchOfRun,
  pullRequestBaseOfRun,
  pullRequestOfRun,
  pushRangeOfRun,
  readCiRun,
  readRunEvent,
} from "../src/event.ts";

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "run-event-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function eventFile(payload: unknown): string {
  const path = join(dir, `event-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(payload));
  return path;
}

describe("pullRequestOfRun", () => {
  it("reads the number from the pull_request event payload", () => {
    const env = {
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_EVENT_PATH: eventFile({ number: 12, pull_request: { number: 12, base: { sha: "b4se" } } }),
      GITHUB_REPOSITORY: "acme/bi-apps",
    };
    expect(pullRequestOfRun(readRunEvent(env), env)).toEqual({ owner: "acme", repo: "bi-apps", number: 12 });
    expect(pullRequestBaseOfRun(readRunEvent(env))).toBe("b4se");
    const push = { ...env, GITHUB_EVENT_NAME: "push" };
    expect(pullRequestOfRun(readRunEvent(push), push)).toBeUndefined();
    const missing = { ...env, GITHUB_EVENT_PATH: join(dir, "missing.json") };
    expect(pullRequestOfRun(readRunEvent(missing), missing)).toBeUndefined();
  });
});

describe("pushRangeOfRun and defaultBranchOfRun", () => {
  it("reads a push's before and after, leaving out the zero sha of a new branch", () => {
    const push = (before: string) => ({
      GITHUB_EVENT_NAME: "push",
      GITHUB_EVENT_PATH: eventFile({
        before,
        after: "a".repeat(40),
        repository: { default_branch: "trunk" },
      }),
    });
    expect(pushRangeOfRun(readRunEvent(push("b".repeat(40))))).toEqual({
      before: "b".repeat(40),
      after: "a".repeat(40),
    });
    expect(pushRangeOfRun(readRunEvent(push("0".repeat(40))))).toEqual({ after: "a".repeat(40) });
    expect(defaultBranchOfRun(readRunEvent(push("0".repeat(40))))).toBe("trunk");
    expect(pushRangeOfRun(readRunEvent({ GITHUB_EVENT_NAME: "workflow_dispatch" }))).toBeUndefined();
  });
});

describe("commitTimeOfRun", () => {
  it("takes a push's head_commit time when it is the run's commit", () => {
    const env = {
      GITHUB_EVENT_NAME: "push",
      GITHUB_EVENT_PATH: eventFile({ head_commit: { id: "abc123", timestamp: "2026-11-30T09:15:00+01:00" } }),
      GITHUB_WORKSPACE: dir,
    };
    expect(commitTimeOfRun("abc123", readRunEvent(env), env)).toBe("2026-11-30T08:15:00.000Z");
    // Another commit than the head's: the payload does not say, and `dir` is no checkout.
    expect(commitTimeOfRun("def456", readRunEvent(env), env)).toBeUndefined();
    expect(commitTimeOfRun(undefined, readRunEvent(env), env)).toBeUndefined();
  });

  it("asks the checkout in the workspace for any other event", () => {
    const repo = mkdtempSync(join(dir, "repo-"));
    const git = (...args: string[]) =>
      execFileSync("git", args, {
        cwd: repo,
        encoding: "utf8",
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: "a",
          GIT_AUTHOR_EMAIL: "a@example.com",
          GIT_COMMITTER_NAME: "a",
          GIT_COMMITTER_EMAIL: "a@example.com",
          GIT_COMMITTER_DATE: "2026-10-01T12:00:00Z",
        },
      }).trim();
    git("init", "-q");
    git("commit", "-q", "--allow-empty", "-m", "first");
    const sha = git("rev-parse", "HEAD");
    const env = { GITHUB_EVENT_NAME: "workflow_dispatch", GITHUB_WORKSPACE: repo, GITHUB_SHA: sha };
    expect(commitTimeOfRun(sha, readRunEvent(env), env)).toBe("2026-10-01T12:00:00.000Z");
    expect(readCiRun(env).commitTime).toBe("2026-10-01T12:00:00.000Z");
  });
});
