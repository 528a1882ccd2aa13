// Real temporary repositories for the git tests: a work tree with a bare "origin".
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const TEST_IDENTITY = {
  GIT_AUTHOR_NAME: "Test Person",
  GIT_AUTHOR_EMAIL: "test@example.invalid",
  GIT_COMMITTER_NAME: "Test Person",
  GIT_COMMITTER_EMAIL: "test@example.invalid",
};

/** Runs git synchronously in `cwd` with a fixed identity and no user or system config. */
export function sh(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      ...TEST_IDENTITY,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      LC_ALL: "C",
    },
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
}

export function write(root: string, rel: string, text: string): void {
  const file = join(root, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

export interface TestRepo {
  root: string;
  work: string;
  remote: string;
  cleanup(): void;
}

/** A work tree on `main` with one commit, pushed to a bare remote `origin` whose HEAD is main. */
export function createRepo(prefix = "git-test-"): TestRepo {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const remote = join(root, "remote.git");
  const work = join(root, "work");
  mkdirSync(work);
  sh(root, "init", "--quiet", "--bare", "--initial-branch=main", remote);
  sh(work, "init", "--quiet", "--initial-branch=main");
  sh(work, "remote", "add", "origin", remote);
  write(work, "README.md", "# test\n");
  sh(work, "add", "README.md");
  sh(work, "commit", "--quiet", "-m", "initial");
  sh(work, "push", "--quiet", "origin", "main");
  return { root, work, remote, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
