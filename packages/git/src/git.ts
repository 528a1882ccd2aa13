/**
 * Thin, safe wrappers around the real git CLI: arguments always as arrays (execFile, never a shell),
 * credentials only as an HTTP header passed through git's environment config (never in a URL, an
 * argument or a log line), and failures as one sentence carrying git's own first line of stderr.
 */
import { execFile, spawn } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { CicdError, ConfigError, secrets, silentLogger, type Logger } from "@qlik-cicd/common";

/** The identity commits are made with when none is given (GitHub's own bot account). */
export const DEFAULT_AUTHOR: GitIdentity = {
  name: "github-actions[bot]",
  email: "41898282+github-actions[bot]@users.noreply.github.com",
};

export interface GitIdentity {
  name: string;
  email: string;
}

/** A git command that failed: one sentence, secrets redacted; `stderr` keeps git's full (redacted) output. */
export class GitError extends CicdError {
  readonly args: readonly string[];
  readonly exitCode: number | undefined;
  readonly stderr: string;
  readonly stdout: string;
  constructor(
    message: string,
    details: { args: readonly string[]; exitCode?: number; stderr?: string; stdout?: string; hint?: string },
  ) {
    super(secrets.redact(message), details.hint === undefined ? undefined : { hint: details.hint });
    this.args = details.args;
    this.exitCode = details.exitCode;
    this.stderr = secrets.redact(details.stderr ?? "");
    this.stdout = secrets.redact(details.stdout ?? "");
  }
}

export interface GitOptions {
  /** Working directory: the repository (or any folder inside it). */
  cwd: string;
  logger?: Logger;
  /** The git executable (default `git` on PATH). */
  gitPath?: string;
}

export interface RunOptions {
  /** Exit codes that are answers rather than failures (returned, not thrown). */
  okCodes?: number[];
  /** Extra environment for this command (e.g. an index file). */
  env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin. */
  input?: string | Buffer;
  /** Run in another directory than the repository's (e.g. a worktree). */
  cwd?: string;
  /** A token to send as an HTTP Authorization header to `authUrl`'s origin (or any remote). */
  token?: string;
  /** The remote URL the token is for; decides which http.<url>.extraheader key is set. */
  authUrl?: string;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export type FileState = "added" | "modified" | "deleted" | "renamed" | "untracked" | "other";

export interface StatusEntry {
  /** Path relative to the repository root, `/`-separated. */
  path: string;
  /** For renames: where the file came from. */
  from?: string;
  state: FileState;
  /** The two-letter porcelain code, e.g. ` M`, `??`, `A `. */
  code: string;
}

export interface PushOptions {
  /** `with-lease`: overwrite the remote branch only if it still is at `expect` (or absent when `expect` is ""). */
  force?: "with-lease";
  /**
   * The commit the remote branch must be at for a force-with-lease push; "" means "the branch must not
   * exist". Default: whatever `git ls-remote` says right before the push.
   */
  expect?: string;
  /** What to push (default `HEAD`). */
  source?: string;
  /** Token for an HTTPS remote (sent as a basic Authorization header, registered as a secret). */
  token?: string;
}

export interface ReadTreeResult {
  /** Files written, relative to the destination folder, `/`-separated, sorted. */
  files: string[];
  /** False when the path did not exist at that revision (the destination is then empty). */
  existed: boolean;
}

const MAX_BUFFER = 256 * 1024 * 1024;

function firstLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("hint:"));
  return (lines[0] ?? "").replace(/^(fatal|error):\s*/i, "");
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}

/** The Authorization header GitHub accepts for git over HTTPS with an installation or personal token. */
export function basicAuthHeader(token: string): string {
  const encoded = Buffer.from(`x-access-token:${token}`, "utf8").toString("base64");
  secrets.register(token);
  secrets.register(encoded);
  return `AUTHORIZATION: basic ${encoded}`;
}

/**
 * Environment that makes git send `Authorization` for one remote, through GIT_CONFIG_COUNT (so the token
 * is in no argument list, URL or config file). An HTTPS remote gets the URL-specific key, first reset to
 * empty, so a header persisted by actions/checkout for the same host is replaced instead of doubled.
 */
export function authEnv(token: string, remoteUrl?: string): NodeJS.ProcessEnv {
  const header = basicAuthHeader(token);
  let key = "http.extraheader";
  if (remoteUrl && /^https?:\/\//i.test(remoteUrl)) {
    try {
      key = `http.${new URL(remoteUrl).origin}/.extraheader`;
    } catch {
      // Not a parseable URL: the generic key still applies.
    }
  }
  return {
    GIT_CONFIG_COUNT: "2",
    GIT_CONFIG_KEY_0: key,
    GIT_CONFIG_VALUE_0: "",
    GIT_CONFIG_KEY_1: key,
    GIT_CONFIG_VALUE_1: header,
  };
}

/** Checks a branch or ref name with git itself (`git check-ref-format --branch`). */
function assertBranchName(name: string, field: string): void {
  if (!name || name.startsWith("-") || /[\s~^:?*[\\]|\.\.|@\{|\/\/|\.lock$|\/$|^\//.test(name)) {
    throw new ConfigError(`'${name}' in '${field}' is not a valid git branch name.`, { field });
  }
}

/** One repository, driven through the git CLI. */
export class Git {
  readonly cwd: string;
  private readonly logger: Logger;
  private readonly gitPath: string;

  constructor(options: GitOptions) {
    this.cwd = path.resolve(options.cwd);
    this.logger = options.logger ?? silentLogger;
    this.gitPath = options.gitPath ?? "git";
  }

  /** Runs `git <args>`; throws a GitError for an exit code outside `okCodes` (default only 0). */
  run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const okCodes = options.okCodes ?? [0];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      // Never wait for a password prompt on a runner, never open an editor, stable messages.
      GIT_TERMINAL_PROMPT: "0",
      GIT_ASKPASS: "",
      SSH_ASKPASS: "",
      GCM_INTERACTIVE: "never",
      LC_ALL: "C",
      ...options.env,
      ...(options.token ? authEnv(options.token, options.authUrl) : {}),
    };
    this.logger.debug(secrets.redact(`git ${args.join(" ")}`));
    return new Promise((resolve, reject) => {
      const child = execFile(
        this.gitPath,
        [...args],
        { cwd: options.cwd ?? this.cwd, env, maxBuffer: MAX_BUFFER, encoding: "utf8", windowsHide: true },
        (error, stdout, stderr) => {
          const exitCode = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
          if (error && (error as NodeJS.ErrnoException).code === "ENOENT") {
            reject(
              new GitError("git is not installed or not on PATH.", {
                args,
                hint: "Install git on the runner (GitHub-hosted runners have it).",
              }),
            );
            return;
          }
          if (!okCodes.includes(exitCode)) {
            const detail = firstLine(stderr) || firstLine(stdout) || `exit code ${exitCode}`;
            reject(
              new GitError(`git ${args[0]} failed: ${detail}`, {
                args,
                exitCode,
                stderr: String(stderr),
                stdout: String(stdout),
              }),
            );
            return;
          }
          resolve({ stdout: String(stdout), stderr: String(stderr), exitCode });
        },
      );
      if (options.input !== undefined) child.stdin?.end(options.input);
      else child.stdin?.end();
    });
  }

  /** True when `cwd` is inside a git work tree. */
  async isRepository(): Promise<boolean> {
    try {
      const res = await this.run(["rev-parse", "--is-inside-work-tree"], { okCodes: [0, 128] });
      return res.exitCode === 0 && res.stdout.trim() === "true";
    } catch {
      return false;
    }
  }

  /** The top folder of the work tree. */
  async topLevel(): Promise<string> {
    return path.resolve((await this.run(["rev-parse", "--show-toplevel"])).stdout.trim());
  }

  /** Changes in the work tree and index (untracked files listed one by one), optionally limited to paths. */
  async status(paths: readonly string[] = []): Promise<StatusEntry[]> {
    const args = ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"];
    const res = await this.run(paths.length ? [...args, "--", ...paths] : args);
    const parts = res.stdout.split("\0");
    const out: StatusEntry[] = [];
    for (let i = 0; i < parts.length; i++) {
      const item = parts[i];
      if (item.length < 4) continue;
      const code = item.slice(0, 2);
      const entry: StatusEntry = { code, path: item.slice(3), state: "other" };
      if (code.includes("R")) {
        entry.state = "renamed";
        entry.from = parts[++i];
      } else if (code === "??") entry.state = "untracked";
      else if (code.includes("D")) entry.state = "deleted";
      else if (code.includes("A")) entry.state = "added";
      else if (code.includes("M") || code.includes("T")) entry.state = "modified";
      out.push(entry);
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Paths (relative to the repository root) that differ from HEAD, including untracked files. */
  async changedFiles(paths: readonly string[] = []): Promise<string[]> {
    return (await this.status(paths)).map((e) => e.path);
  }

  /** The commit HEAD points at. */
  async currentSha(): Promise<string> {
    return (await this.run(["rev-parse", "--verify", "HEAD^{commit}"])).stdout.trim();
  }

  /** The checked-out branch name, or undefined on a detached HEAD. */
  async currentBranch(): Promise<string | undefined> {
    const res = await this.run(["symbolic-ref", "--quiet", "--short", "HEAD"], { okCodes: [0, 1, 128] });
    return res.exitCode === 0 ? res.stdout.trim() || undefined : undefined;
  }

  /** The commit a revision names, or undefined when the repository does not have it. */
  async resolveCommit(rev: string): Promise<string | undefined> {
    if (!rev || rev.startsWith("-")) return undefined;
    const res = await this.run(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], {
      okCodes: [0, 1, 128],
    });
    return res.exitCode === 0 ? res.stdout.trim() : undefined;
  }

  /** The best common ancestor of two revisions, or undefined when they share no history. */
  async mergeBase(a: string, b: string): Promise<string | undefined> {
    const res = await this.run(["merge-base", a, b], { okCodes: [0, 1] });
    return res.exitCode === 0 ? res.stdout.trim() : undefined;
  }

  /** Creates or resets branch `name` at `from` (default HEAD) and checks it out. */
  async checkoutBranch(name: string, options: { from?: string } = {}): Promise<void> {
    assertBranchName(name, "branch");
    await this.run(["checkout", "-B", name, ...(options.from ? [options.from] : []), "--"]);
  }

  /**
   * Stages everything under `paths` (additions, changes, deletions) and commits it. Returns the new
   * commit, or undefined when there was nothing to commit. Other staged changes are not included.
   */
  async commitAll(
    paths: readonly string[],
    message: string,
    author: GitIdentity = DEFAULT_AUTHOR,
    options: { cwd?: string } = {},
  ): Promise<string | undefined> {
    if (paths.length === 0) throw new Error("commitAll needs at least one path.");
    const cwd = options.cwd;
    await this.run(["add", "--all", "--", ...paths], { cwd });
    const staged = await this.run(["diff", "--cached", "--quiet", "--", ...paths], { cwd, okCodes: [0, 1] });
    if (staged.exitCode === 0) return undefined;
    const identity = {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
    };
    await this.run(["commit", "--quiet", "--no-verify", "--file=-", "--", ...paths], {
      cwd,
      env: identity,
      input: message.endsWith("\n") ? message : `${message}\n`,
    });
    return (await this.run(["rev-parse", "HEAD"], { cwd })).stdout.trim();
  }

  /** The URL of a remote (as configured; may be a local path in tests). */
  async remoteUrl(remote: string): Promise<string> {
    const res = await this.run(["remote", "get-url", remote], { okCodes: [0, 2, 128] });
    if (res.exitCode !== 0) {
      throw new GitError(`The repository has no remote named '${remote}'.`, {
        args: ["remote", "get-url", remote],
        exitCode: res.exitCode,
        stderr: res.stderr,
        hint: "Check out the repository with actions/checkout first.",
      });
    }
    return res.stdout.trim();
  }

  /** The commit a branch is at on the remote, or undefined when the remote has no such branch. */
  async remoteBranchSha(remote: string, branch: string, token?: string): Promise<string | undefined> {
    const authUrl = token ? await this.remoteUrl(remote) : undefined;
    const res = await this.run(["ls-remote", "--heads", remote, `refs/heads/${branch}`], { token, authUrl });
    const line = res.stdout.split("\n").find((l) => l.endsWith(`\trefs/heads/${branch}`));
    return line ? line.split("\t")[0] : undefined;
  }

  /** The remote's default branch (what its HEAD points at), or undefined when it cannot be told. */
  async remoteDefaultBranch(remote: string, token?: string): Promise<string | undefined> {
    const authUrl = token ? await this.remoteUrl(remote) : undefined;
    const res = await this.run(["ls-remote", "--symref", remote, "HEAD"], { token, authUrl });
    const m = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(res.stdout);
    return m?.[1];
  }

  /** Fetches refspecs from a remote (e.g. `+refs/heads/main:refs/remotes/origin/main` or a commit sha). */
  async fetch(
    remote: string,
    refspecs: readonly string[],
    options: { token?: string; depth?: number } = {},
  ): Promise<void> {
    const authUrl = options.token ? await this.remoteUrl(remote) : undefined;
    const depth = options.depth ? [`--depth=${options.depth}`] : [];
    await this.run(["fetch", "--quiet", "--no-tags", ...depth, remote, ...refspecs], {
      token: options.token,
      authUrl,
    });
  }

  /**
   * Pushes `source` (default HEAD) to `refs/heads/<branch>` on `remote`. With `force: "with-lease"`
   * the remote branch is overwritten only if it is still where we last saw it (`expect`, or its
   * current value read just before), so a concurrent push is never lost silently.
   */
  async push(remote: string, branch: string, options: PushOptions = {}): Promise<void> {
    assertBranchName(branch, "branch");
    const authUrl = options.token ? await this.remoteUrl(remote) : undefined;
    const source = options.source ?? "HEAD";
    const args = ["push", "--quiet", "--porcelain"];
    if (options.force === "with-lease") {
      const expect = options.expect ?? (await this.remoteBranchSha(remote, branch, options.token)) ?? "";
      args.push(`--force-with-lease=refs/heads/${branch}:${expect}`);
    }
    args.push(remote, `${source}:refs/heads/${branch}`);
    try {
      await this.run(args, { token: options.token, authUrl });
    } catch (error) {
      const text = error instanceof GitError ? `${error.stderr}\n${error.stdout}` : "";
      if (error instanceof GitError && /stale info|rejected|non-fast-forward|fetch first/.test(text)) {
        throw new GitError(
          `git push to '${branch}' was rejected: the branch on '${remote}' changed since it was read.`,
          {
            args,
            exitCode: error.exitCode,
            stderr: error.stderr,
            hint: "Run the job again to rebuild from the new state.",
          },
        );
      }
      throw error;
    }
  }

  /**
   * Writes the folder `repoPath` (relative to the repository root) as it was at `rev` into `destDir`:
   * its contents go directly into `destDir` (which is emptied first). A path that did not exist at that
   * revision gives an empty folder and `existed: false`. Symbolic links and submodules are skipped.
   */
  async readTreeAtRevision(rev: string, repoPath: string, destDir: string): Promise<ReadTreeResult> {
    const commit = await this.resolveCommit(rev);
    if (!commit) {
      throw new GitError(`Revision '${rev}' was not found in the repository.`, {
        args: ["rev-parse", rev],
        hint: "Fetch it first (actions/checkout with fetch-depth: 0, or git fetch).",
      });
    }
    const prefix = toPosix(repoPath)
      .replace(/^\.\/+/, "")
      .replace(/\/+$/, "");
    if (prefix.split("/").includes("..") || path.isAbsolute(repoPath)) {
      throw new ConfigError(`Path '${repoPath}' must be relative to the repository root.`, { field: "path" });
    }
    await rm(destDir, { recursive: true, force: true });
    await mkdir(destDir, { recursive: true });

    const lsArgs = [
      "ls-tree",
      "-r",
      "-z",
      "--full-tree",
      commit,
      "--",
      ...(prefix && prefix !== "." ? [prefix] : []),
    ];
    const listing = await this.run(lsArgs);
    const entries: { mode: string; sha: string; rel: string }[] = [];
    for (const record of listing.stdout.split("\0")) {
      if (!record) continue;
      const tab = record.indexOf("\t");
      const [mode, type, sha] = record.slice(0, tab).split(" ");
      const full = record.slice(tab + 1);
      if (type !== "blob" || mode === "120000") continue;
      let rel = full;
      if (prefix && prefix !== ".") {
        if (full === prefix) continue; // a file, not a folder, at that path
        if (!full.startsWith(`${prefix}/`)) continue;
        rel = full.slice(prefix.length + 1);
      }
      if (rel.split("/").some((seg) => seg === ".." || seg === "")) continue;
      entries.push({ mode, sha, rel });
    }
    if (entries.length === 0) return { files: [], existed: false };

    const blobs = await this.catBlobs(entries.map((e) => e.sha));
    const root = path.resolve(destDir);
    for (const entry of entries) {
      const target = path.resolve(root, ...entry.rel.split("/"));
      if (!target.startsWith(root + path.sep)) continue;
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, blobs.get(entry.sha) ?? Buffer.alloc(0), {
        mode: entry.mode === "100755" ? 0o755 : 0o644,
      });
    }
    return { files: entries.map((e) => e.rel).sort(), existed: true };
  }

  /** Reads many blobs through one `git cat-file --batch` process. */
  private catBlobs(shas: readonly string[]): Promise<Map<string, Buffer>> {
    const unique = [...new Set(shas)];
    return new Promise((resolve, reject) => {
      const child = spawn(this.gitPath, ["cat-file", "--batch"], {
        cwd: this.cwd,
        env: { ...process.env, LC_ALL: "C" },
        stdio: ["pipe", "pipe", "pipe"],
        windowsHide: true,
      });
      const chunks: Buffer[] = [];
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => chunks.push(d));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
      child.on("error", (error) =>
        reject(new GitError(`git cat-file failed: ${error.message}`, { args: ["cat-file", "--batch"] })),
      );
      child.on("close", (code) => {
        if (code !== 0) {
          reject(
            new GitError(`git cat-file failed: ${firstLine(stderr) || `exit code ${code}`}`, {
              args: ["cat-file", "--batch"],
              exitCode: code ?? undefined,
              stderr,
            }),
          );
          return;
        }
        const out = Buffer.concat(chunks);
        const map = new Map<string, Buffer>();
        let offset = 0;
        for (const sha of unique) {
          const nl = out.indexOf(0x0a, offset);
          if (nl < 0) break;
          const header = out.subarray(offset, nl).toString("utf8").split(" ");
          offset = nl + 1;
          if (header[1] === "missing") continue;
          const size = Number(header[2]);
          map.set(sha, out.subarray(offset, offset + size));
          offset += size + 1; // content, then a newline
        }
        resolve(map);
      });
      child.stdin.end(unique.map((s) => `${s}\n`).join(""));
    });
  }

  /** Adds a detached worktree at `dir` on `rev` (removed with removeWorktree). */
  async addWorktree(dir: string, rev: string): Promise<void> {
    await this.run(["worktree", "add", "--force", "--detach", dir, rev]);
  }

  async removeWorktree(dir: string): Promise<void> {
    await this.run(["worktree", "remove", "--force", dir], { okCodes: [0, 128] });
    await rm(dir, { recursive: true, force: true });
    await this.run(["worktree", "prune"], { okCodes: [0, 128] });
  }

  /** The tree a commit points at. */
  async treeOf(rev: string, options: { cwd?: string } = {}): Promise<string | undefined> {
    const res = await this.run(["rev-parse", "--verify", "--quiet", `${rev}^{tree}`], {
      cwd: options.cwd,
      okCodes: [0, 1, 128],
    });
    return res.exitCode === 0 ? res.stdout.trim() : undefined;
  }
}
