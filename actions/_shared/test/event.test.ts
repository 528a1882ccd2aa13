// The run's event, read by adapters only: the pull request, a push's range, the default branch.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  defaultBranchOfRun,
  pullRequestBaseOfRun,
  pullRequestOfRun,
  pushRangeOfRun,
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
