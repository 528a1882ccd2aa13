import { afterAll, afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, MemoryLogger, secrets } from "@qlik-cicd/common";
import { DEFAULT_AUTHOR, Git, GitError, authEnv } from "../src/index.ts";
import { createRepo, sh, write, type TestRepo } from "./helpers.ts";

let repo: TestRepo;
let git: Git;
const scratch = mkdtempSync(join(tmpdir(), "git-scratch-"));

beforeEach(() => {
  repo = createRepo();
  git = new Git({ cwd: repo.work });
});
afterEach(() => repo.cleanup());
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("status and changedFiles", () => {
  it("lists untracked, modified and deleted files, optionally under paths", async () => {
    write(repo.work, "apps/a/script.qvs", "LOAD 1;\n");
    write(repo.work, "apps/a/objects/sheet-x.json", "{}\n");
    write(repo.work, "other.txt", "x\n");
    expect(await git.changedFiles()).toEqual([
      "apps/a/objects/sheet-x.json",
      "apps/a/script.qvs",
      "other.txt",
    ]);
    expect(await git.changedFiles(["apps/a"])).toEqual(["apps/a/objects/sheet-x.json", "apps/a/script.qvs"]);

    sh(repo.work, "add", "-A");
    sh(repo.work, "commit", "--quiet", "-m", "apps");
    expect(await git.changedFiles()).toEqual([]);
    write(repo.work, "apps/a/script.qvs", "LOAD 2;\n");
    rmSync(join(repo.work, "other.txt"));
    const status = await git.status();
    expect(status.map((s) => [s.path, s.state])).toEqual([
      ["apps/a/script.qvs", "modified"],
      ["other.txt", "deleted"],
    ]);
  });

  it("handles file names with spaces and unicode", async () => {
    write(repo.work, "apps/Försäljning är bra/script.qvs", "x\n");
    expect(await git.changedFiles()).toEqual(["apps/Försäljning är bra/script.qvs"]);
  });
});

describe("commitAll", () => {
  it("commits only the given paths with the bot identity, and nothing when clean", async () => {
    write(repo.work, "apps/a/script.qvs", "LOAD 1;\n");
    write(repo.work, "unrelated.txt", "keep me out\n");
    const sha = await git.commitAll(["apps/a"], "Unbuild app");
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await git.currentSha()).toBe(sha);
    expect(sh(repo.work, "log", "-1", "--format=%an <%ae>|%cn|%s")).toBe(
      `${DEFAULT_AUTHOR.name} <${DEFAULT_AUTHOR.email}>|${DEFAULT_AUTHOR.name}|Unbuild app`,
    );
    expect(sh(repo.work, "show", "--name-only", "--format=", "HEAD")).toBe("apps/a/script.qvs");
    expect(await git.changedFiles()).toEqual(["unrelated.txt"]);
    expect(await git.commitAll(["apps/a"], "again")).toBeUndefined();
  });

  it("commits deletions under the path", async () => {
    write(repo.work, "apps/a/x.json", "{}\n");
    write(repo.work, "apps/a/y.json", "{}\n");
    await git.commitAll(["apps/a"], "add");
    rmSync(join(repo.work, "apps/a/y.json"));
    const sha = await git.commitAll(["apps/a"], "remove y", { name: "Someone", email: "s@example.invalid" });
    expect(sha).toBeDefined();
    expect(sh(repo.work, "ls-tree", "-r", "--name-only", "HEAD")).toBe("README.md\napps/a/x.json");
    expect(sh(repo.work, "log", "-1", "--format=%an")).toBe("Someone");
  });
});

describe("push", () => {
  it("pushes to a bare remote and refuses a stale lease", async () => {
    write(repo.work, "a.txt", "1\n");
    const first = await git.commitAll(["a.txt"], "one");
    await git.push("origin", "main");
    expect(sh(repo.remote, "log", "-1", "--format=%H", "main")).toBe(first);

    // A topic branch created, then rewritten with a correct lease.
    await git.push("origin", "topic", { force: "with-lease", expect: "" });
    expect(sh(repo.remote, "rev-parse", "topic")).toBe(first);
    write(repo.work, "a.txt", "2\n");
    const second = await git.commitAll(["a.txt"], "two");
    await git.push("origin", "topic", { force: "with-lease", expect: first });
    expect(sh(repo.remote, "rev-parse", "topic")).toBe(second);

    // A lease on an old value fails with one sentence and leaves the remote alone.
    sh(repo.work, "reset", "--quiet", "--hard", first as string);
    write(repo.work, "a.txt", "3\n");
    await git.commitAll(["a.txt"], "three");
    const error = await git.push("origin", "topic", { force: "with-lease", expect: first }).catch((e) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toBe(
      "git push to 'topic' was rejected: the branch on 'origin' changed since it was read.",
    );
    expect(sh(repo.remote, "rev-parse", "topic")).toBe(second);
    // Without an explicit expectation the lease is read just before the push.
    await git.push("origin", "topic", { force: "with-lease" });
    expect(sh(repo.remote, "rev-parse", "topic")).toBe(await git.currentSha());
  });

  it("rejects a bad branch name before running git", async () => {
    await expect(git.push("origin", "bad..name")).rejects.toBeInstanceOf(ConfigError);
    await expect(git.push("origin", "--force")).rejects.toBeInstanceOf(ConfigError);
  });

  it("sends the token only as one basic Authorization header, replacing a persisted one, and never logs it", async () => {
    const token = "ghs_testTokenValue1234567890";
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(403, { "content-type": "text/plain" });
      res.end(`denied for ${req.headers.authorization}\n`);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      sh(repo.work, "remote", "add", "web", `${origin}/acme/app.git`);
      // What actions/checkout persists for the default token.
      sh(repo.work, "config", "--local", `http.${origin}/.extraheader`, "AUTHORIZATION: basic OLDHEADER");
      const logger = new MemoryLogger();
      const logged = new Git({ cwd: repo.work, logger });
      const error = await logged.push("web", "main", { token }).catch((e) => e);
      expect(error).toBeInstanceOf(GitError);
      const message = (error as GitError).message;
      expect(message.startsWith("git push failed: ")).toBe(true);
      expect(message).not.toContain(token);
      expect((error as GitError).stderr).not.toContain(token);
      expect(seen.length).toBeGreaterThan(0);
      const expected = `basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
      for (const headers of seen) expect(headers.authorization).toBe(expected);
      expect(secrets.has(token)).toBe(true);
      expect(logger.text()).not.toContain(token);
      expect(logger.text()).not.toContain(expected.slice(6));
      // Not in the remote URL or any config file either.
      expect(sh(repo.work, "remote", "get-url", "web")).toBe(`${origin}/acme/app.git`);
      expect(readFileSync(join(repo.work, ".git", "config"), "utf8")).not.toContain(token);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("scopes the header to an HTTPS remote's origin", () => {
    const env = authEnv("tok_abcdef", "https://github.com/acme/app.git");
    expect(env.GIT_CONFIG_KEY_0).toBe("http.https://github.com/.extraheader");
    expect(env.GIT_CONFIG_VALUE_0).toBe("");
    expect(env.GIT_CONFIG_VALUE_1).toBe(
      `AUTHORIZATION: basic ${Buffer.from("x-access-token:tok_abcdef").toString("base64")}`,
    );
    expect(authEnv("tok_abcdef", "/tmp/remote.git").GIT_CONFIG_KEY_1).toBe("http.extraheader");
  });
});

describe("readTreeAtRevision", () => {
  it("materialises a folder as it was at a revision", async () => {
    write(repo.work, "apps/a/script.qvs", "v1\n");
    write(repo.work, "apps/a/objects/sheet-x.json", '{"v":1}\n');
    write(repo.work, "apps/b/script.qvs", "other\n");
    const v1 = (await git.commitAll(["apps"], "v1")) as string;
    write(repo.work, "apps/a/script.qvs", "v2\n");
    rmSync(join(repo.work, "apps/a/objects"), { recursive: true });
    await git.commitAll(["apps"], "v2");

    const dest = join(scratch, "a-v1");
    const result = await git.readTreeAtRevision(v1, "apps/a", dest);
    expect(result).toEqual({ existed: true, files: ["objects/sheet-x.json", "script.qvs"] });
    expect(readFileSync(join(dest, "script.qvs"), "utf8")).toBe("v1\n");
    expect(readFileSync(join(dest, "objects/sheet-x.json"), "utf8")).toBe('{"v":1}\n');

    const now = await git.readTreeAtRevision("HEAD", "./apps/a/", join(scratch, "a-now"));
    expect(now.files).toEqual(["script.qvs"]);
    expect(readFileSync(join(scratch, "a-now", "script.qvs"), "utf8")).toBe("v2\n");
  });

  it("gives an empty folder for a path that did not exist, and an error for an unknown revision", async () => {
    const dest = join(scratch, "missing");
    mkdirSync(dest, { recursive: true });
    write(dest, "stale.txt", "left over\n");
    expect(await git.readTreeAtRevision("HEAD", "apps/none", dest)).toEqual({ existed: false, files: [] });
    expect(readdirSync(dest)).toEqual([]);
    const error = await git.readTreeAtRevision("no-such-branch", "apps", dest).catch((e) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as Error).message).toBe("Revision 'no-such-branch' was not found in the repository.");
    await expect(git.readTreeAtRevision("HEAD", "../x", dest)).rejects.toBeInstanceOf(ConfigError);
  });

  it("keeps binary content byte for byte", async () => {
    const bytes = Buffer.from([0, 1, 2, 10, 13, 255, 10, 0]);
    mkdirSync(join(repo.work, "bin"), { recursive: true });
    write(repo.work, "bin/data.bin", bytes as unknown as string);
    await git.commitAll(["bin"], "binary");
    await git.readTreeAtRevision("HEAD", "bin", join(scratch, "bin"));
    expect(readFileSync(join(scratch, "bin", "data.bin")).equals(bytes)).toBe(true);
  });
});

describe("revisions and branches", () => {
  it("finds merge bases, current sha and branches", async () => {
    const root = await git.currentSha();
    expect(await git.currentBranch()).toBe("main");
    await git.checkoutBranch("feature");
    write(repo.work, "f.txt", "f\n");
    const f = await git.commitAll(["f.txt"], "feature");
    await git.checkoutBranch("main", { from: root });
    write(repo.work, "m.txt", "m\n");
    const m = await git.commitAll(["m.txt"], "main");
    expect(await git.mergeBase(f as string, m as string)).toBe(root);
    expect(await git.currentSha()).toBe(m);
    expect(await git.resolveCommit("feature")).toBe(f);
    expect(await git.resolveCommit("nope")).toBeUndefined();
    expect(await git.remoteDefaultBranch("origin")).toBe("main");
    expect(await git.remoteBranchSha("origin", "main")).toBe(root);
    expect(await git.remoteBranchSha("origin", "feature")).toBeUndefined();
    sh(repo.work, "checkout", "--quiet", "--detach");
    expect(await git.currentBranch()).toBeUndefined();
  });

  it("reports a missing repository and a missing remote in one sentence", async () => {
    const plain = new Git({ cwd: scratch });
    expect(await plain.isRepository()).toBe(false);
    const error = await plain.currentSha().catch((e) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as Error).message).toMatch(/^git rev-parse failed: not a git repository/);
    await expect(git.remoteUrl("upstream")).rejects.toThrow("The repository has no remote named 'upstream'.");
  });
});
