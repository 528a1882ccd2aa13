// The one GitHub test double: a real HTTP server on loopback that answers the REST endpoints the product
// uses the way GitHub does — status codes and error bodies, `Link` pagination, ETags and 304, rate-limit
// headers, primary and secondary rate limits, validation errors — over in-memory state a test seeds and
// inspects. In-process code reaches it through the client factory's `baseUrl`; bundled actions run as
// child processes reach it through GITHUB_API_URL.
//
// Commits come from the state (`repo.commit(…)`) or from a real git repository (`repo.gitDir`), so
// `compare`, a commit's author and committer, and a pull request's commits are answered from real history.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import sodium from "libsodium-wrappers";

export interface Account {
  login: string;
  /** "User" (default), "Bot" or "Organization". */
  type?: string;
}

export interface DoubleCommit {
  sha: string;
  parents: string[];
  message: string;
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
}

export interface DoublePull {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: "open" | "closed";
  merged: boolean;
  draft: boolean;
  /** The pull request's commits when they are not the history between `base` and `head`. */
  commits?: string[];
  user: Account;
  created_at: string;
}

export interface DoubleIssue {
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  state_reason: string | null;
  labels: string[];
  assignees: string[];
  user: Account;
  created_at: string;
  updated_at: string;
}

export interface DoubleComment {
  id: number;
  issue: number;
  body: string;
  user: Account;
  created_at: string;
  updated_at: string;
}

export interface DoubleApproval {
  state: "approved" | "rejected";
  comment: string;
  user: Account;
  environments: { id: number; name: string }[];
}

export interface DoubleDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  created_at: string;
  /** Oldest first; the API lists them newest first. */
  statuses: { state: string; created_at: string }[];
}

export interface DoubleSecret {
  /** `repo` or `environment:<name>`. */
  scope: string;
  name: string;
  encryptedValue: string;
  keyId: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string with its `?`, or "". */
  query: string;
  params: Record<string, string>;
  authorization: string | undefined;
  ifNoneMatch: string | undefined;
  body: unknown;
  status: number;
}

export interface Fault {
  method?: string;
  path: string | RegExp;
  status: number;
  body?: unknown;
  headers?: Record<string, string | (() => string)>;
  /** How many matching requests it answers (default 1; Infinity for every one). */
  times?: number;
  /** Close the connection without an answer (a network failure) instead. */
  drop?: boolean;
}

export interface GitHubRepo {
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
  /** A real repository (bare or not) whose history answers commit and compare requests. */
  gitDir?: string;
  branches: Map<string, string>;
  commits: Map<string, DoubleCommit>;
  pulls: DoublePull[];
  issues: DoubleIssue[];
  comments: DoubleComment[];
  approvals: Map<string, DoubleApproval[]>;
  deployments: DoubleDeployment[];
  dispatches: { eventType: string; clientPayload: unknown }[];
  secrets: DoubleSecret[];
  /** The number the next issue or pull request gets. */
  nextNumber: number;
  /** A commit on `branch` (default the default branch) by an author login or account; returns its sha. */
  commit(options: {
    /** A fixed sha (default a new one). */
    sha?: string;
    author: string | { name: string; email: string };
    committer?: string | { name: string; email: string };
    message?: string;
    branch?: string;
    parents?: string[];
  }): string;
  addPull(pull: Partial<DoublePull> & { head: string; base?: string }): DoublePull;
  addComment(
    issue: number,
    comment: { login: string; body: string; type?: string; created_at?: string; updated_at?: string },
  ): DoubleComment;
  recordApproval(
    runId: string | number,
    environment: string,
    login: string,
    state?: "approved" | "rejected",
    type?: string,
  ): void;
  addDeployment(d: { environment: string; sha: string; ref?: string; statuses?: string[] }): DoubleDeployment;
}

export interface GitHubDouble {
  /** The REST base URL (GITHUB_API_URL). */
  url: string;
  /** Where html_url links point (GITHUB_SERVER_URL). */
  serverUrl: string;
  requests: RecordedRequest[];
  /** The repository `owner/name`, created empty on first use (other repositories answer 404). */
  repo(fullName: string): GitHubRepo;
  /** A team and its members' states; other teams answer 404. */
  team(orgSlash: string, members?: Record<string, "active" | "pending">): void;
  /** The account GitHub links a commit e-mail to (unknown e-mails give `author: null`). */
  linkEmail(email: string, account: Account): void;
  /** The next matching request(s) get this answer instead. */
  fail(fault: Fault): void;
  /** GitHub's primary rate limit: 403, `x-ratelimit-remaining: 0`, reset `resetInSeconds` from now. */
  primaryRateLimit(options: { path: string | RegExp; resetInSeconds: number; method?: string }): void;
  /** A secondary rate limit: 403 or 429 with GitHub's message and, when given, `retry-after`. */
  secondaryRateLimit(options: {
    path: string | RegExp;
    retryAfter?: number;
    status?: 403 | 429;
    method?: string;
  }): void;
  /** Called with every request before it is answered (tests use it to act between polls). */
  onRequest(
    listener: (request: { method: string; path: string; params: Record<string, string> }) => void,
  ): void;
  acceptToken(token: string): void;
  decryptSecret(fullName: string, name: string, scope?: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export interface GitHubDoubleOptions {
  /** Tokens the API accepts; any non-empty token when none are given. */
  tokens?: string[];
  /** html_url base, default https://github.com. */
  serverUrl?: string;
  /** Clock for created_at / updated_at (default Date.now). */
  now?: () => number;
  /** The account writes are made as (default github-actions[bot]). */
  actor?: Account;
}

const DOCS = "https://docs.github.com/rest";
const RATE_LIMIT = 5000;
const NO_BODY = Symbol("no body");

class HttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown) {
    super(String(status));
    this.status = status;
    this.body = body;
  }
}

const notFound = () => new HttpError(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
const invalid = (message: string, errors: unknown[] = []) =>
  new HttpError(422, { message, errors, documentation_url: DOCS, status: "422" });

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function matches(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === "string" ? pattern === path : pattern.test(path);
}

function ancestors(commits: Map<string, DoubleCommit>, sha: string): Set<string> {
  const seen = new Set<string>();
  const stack = [sha];
  while (stack.length > 0) {
    const s = stack.pop() as string;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const p of commits.get(s)?.parents ?? []) stack.push(p);
  }
  return seen;
}

/** Parents before children, in the order commits were made (what GitHub's compare lists). */
function chronological(commits: Map<string, DoubleCommit>, shas: Set<string>): string[] {
  const order: string[] = [];
  const done = new Set<string>();
  const visit = (sha: string) => {
    if (done.has(sha) || !shas.has(sha)) return;
    done.add(sha);
    for (const p of commits.get(sha)?.parents ?? []) visit(p);
    order.push(sha);
  };
  const byDate = [...shas].sort(
    (a, b) =>
      Date.parse(commits.get(a)?.committer.date ?? "") - Date.parse(commits.get(b)?.committer.date ?? ""),
  );
  for (const sha of byDate) visit(sha);
  return order;
}

export async function startGitHubDouble(options: GitHubDoubleOptions = {}): Promise<GitHubDouble> {
  await sodium.ready;
  const keyPair = sodium.crypto_box_keypair();
  const publicKey = sodium.to_base64(keyPair.publicKey, sodium.base64_variants.ORIGINAL);
  const tokens = new Set(options.tokens ?? []);
  const now = options.now ?? (() => Date.now());
  const actor: Account = options.actor ?? { login: "github-actions[bot]", type: "Bot" };
  const serverUrl = (options.serverUrl ?? "https://github.com").replace(/\/+$/, "");
  const repos = new Map<string, GitHubRepo>();
  const teams = new Map<string, Map<string, "active" | "pending">>();
  const emails = new Map<string, Account>();
  const faults: (Fault & { left: number })[] = [];
  const listeners: ((r: { method: string; path: string; params: Record<string, string> }) => void)[] = [];
  const requests: RecordedRequest[] = [];
  const envIds = new Map<string, number>();
  let nextId = 1000;
  let nextSha = 1;
  let remaining = RATE_LIMIT;
  let url = "";

  const accountJson = (a: Account) => ({
    login: a.login,
    id: createHash("sha1").update(a.login).digest().readUInt32BE(0),
    type: a.type ?? "User",
    html_url: `${serverUrl}/${a.login}`,
  });

  function personFor(who: string | { name: string; email: string }): { name: string; email: string } {
    if (typeof who !== "string") return who;
    const email = `${who}@users.noreply.github.com`;
    if (!emails.has(email.toLowerCase()))
      emails.set(email.toLowerCase(), { login: who, type: /\[bot\]$/.test(who) ? "Bot" : "User" });
    return { name: who, email };
  }

  function makeRepo(owner: string, name: string): GitHubRepo {
    const repo: GitHubRepo = {
      owner,
      name,
      fullName: `${owner}/${name}`,
      defaultBranch: "main",
      branches: new Map(),
      commits: new Map(),
      pulls: [],
      issues: [],
      comments: [],
      approvals: new Map(),
      deployments: [],
      dispatches: [],
      secrets: [],
      nextNumber: 1,
      commit(o) {
        const branch = o.branch ?? repo.defaultBranch;
        const parent = repo.branches.get(branch);
        const sha = o.sha ?? createHash("sha1").update(`${repo.fullName}:${nextSha}`).digest("hex");
        nextSha++;
        const date = iso(now() + nextSha * 1000); // a second apart, so history has one order
        const author = personFor(o.author);
        const committer = personFor(o.committer ?? o.author);
        repo.commits.set(sha, {
          sha,
          parents: o.parents ?? (parent ? [parent] : []),
          message: o.message ?? `Commit ${nextSha - 1}`,
          author: { ...author, date },
          committer: { ...committer, date },
        });
        repo.branches.set(branch, sha);
        return sha;
      },
      addPull(p) {
        const pull: DoublePull = {
          number: p.number ?? repo.nextNumber,
          base: repo.defaultBranch,
          title: "",
          body: "",
          state: "open",
          merged: false,
          draft: false,
          user: actor,
          created_at: iso(now()),
          ...p,
        };
        repo.nextNumber = Math.max(repo.nextNumber, pull.number + 1);
        repo.pulls.push(pull);
        return pull;
      },
      addComment(issue, c) {
        const created = c.created_at ?? iso(now());
        const comment: DoubleComment = {
          id: nextId++,
          issue,
          body: c.body,
          user: { login: c.login, type: c.type ?? "User" },
          created_at: created,
          updated_at: c.updated_at ?? created,
        };
        repo.comments.push(comment);
        return comment;
      },
      recordApproval(runId, environment, login, state = "approved", type = "User") {
        if (!envIds.has(environment)) envIds.set(environment, envIds.size + 1);
        const list = repo.approvals.get(String(runId)) ?? [];
        list.push({
          state,
          comment: "",
          user: { login, type },
          environments: [{ id: envIds.get(environment) as number, name: environment }],
        });
        repo.approvals.set(String(runId), list);
      },
      addDeployment(d) {
        const created = iso(now());
        const deployment: DoubleDeployment = {
          id: nextId++,
          sha: d.sha,
          ref: d.ref ?? repo.defaultBranch,
          environment: d.environment,
          created_at: created,
          statuses: (d.statuses ?? []).map((state) => ({ state, created_at: created })),
        };
        repo.deployments.push(deployment);
        return deployment;
      },
    };
    return repo;
  }

  /** Commits and branches of the repository, read from `gitDir` when it has one. */
  function history(repo: GitHubRepo): { commits: Map<string, DoubleCommit>; branches: Map<string, string> } {
    if (!repo.gitDir) return { commits: repo.commits, branches: repo.branches };
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", repo.gitDir as string, ...args], { encoding: "utf8" });
    const commits = new Map(repo.commits);
    const branches = new Map(repo.branches);
    const log = git("log", "--all", "--format=%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%ce%x1f%cI%x1f%s%x1e");
    for (const record of log.split("\x1e")) {
      const f = record.trim().split("\x1f");
      if (f.length < 9) continue;
      commits.set(f[0], {
        sha: f[0],
        parents: f[1] ? f[1].split(" ") : [],
        author: { name: f[2], email: f[3], date: f[4] },
        committer: { name: f[5], email: f[6], date: f[7] },
        message: f[8],
      });
    }
    for (const line of git("for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads").split(
      "\n",
    )) {
      const [branch, sha] = line.trim().split(" ");
      if (branch && sha) branches.set(branch, sha);
    }
    return { commits, branches };
  }

  function resolveRef(repo: GitHubRepo, ref: string): { sha: string; commits: Map<string, DoubleCommit> } {
    const h = history(repo);
    const decoded = decodeURIComponent(ref);
    const sha =
      h.branches.get(decoded) ??
      (h.commits.has(decoded)
        ? decoded
        : decoded.length >= 7
          ? [...h.commits.keys()].find((s) => s.startsWith(decoded))
          : undefined);
    if (!sha) throw new HttpError(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
    return { sha, commits: h.commits };
  }

  function commitJson(repo: GitHubRepo, c: DoubleCommit) {
    const account = (email: string) => {
      const a = emails.get(email.toLowerCase());
      return a ? accountJson(a) : null;
    };
    return {
      sha: c.sha,
      html_url: `${serverUrl}/${repo.fullName}/commit/${c.sha}`,
      commit: { author: c.author, committer: c.committer, message: c.message },
      author: account(c.author.email),
      committer: account(c.committer.email),
      parents: c.parents.map((sha) => ({ sha })),
    };
  }

  const issueUrl = (repo: GitHubRepo, n: number) =>
    `${serverUrl}/${repo.fullName}/${repo.pulls.some((p) => p.number === n) ? "pull" : "issues"}/${n}`;
  const pullJson = (repo: GitHubRepo, p: DoublePull) => {
    const branches = history(repo).branches;
    return {
      number: p.number,
      html_url: `${serverUrl}/${repo.fullName}/pull/${p.number}`,
      title: p.title,
      body: p.body,
      state: p.state,
      merged: p.merged,
      draft: p.draft,
      user: accountJson(p.user),
      created_at: p.created_at,
      base: { ref: p.base, label: `${repo.owner}:${p.base}`, sha: branches.get(p.base) ?? null },
      head: {
        ref: p.head,
        label: `${repo.owner}:${p.head}`,
        sha: branches.get(p.head) ?? p.commits?.at(-1) ?? null,
      },
    };
  };
  const issueJson = (repo: GitHubRepo, i: DoubleIssue) => ({
    number: i.number,
    html_url: issueUrl(repo, i.number),
    title: i.title,
    body: i.body,
    state: i.state,
    state_reason: i.state_reason,
    labels: i.labels.map((name) => ({ name })),
    assignees: i.assignees.map((login) => accountJson({ login })),
    user: accountJson(i.user),
    created_at: i.created_at,
    updated_at: i.updated_at,
  });
  const pullAsIssueJson = (repo: GitHubRepo, p: DoublePull) => ({
    ...issueJson(repo, {
      number: p.number,
      title: p.title,
      body: p.body,
      state: p.state,
      state_reason: null,
      labels: [],
      assignees: [],
      user: p.user,
      created_at: p.created_at,
      updated_at: p.created_at,
    }),
    pull_request: { html_url: `${serverUrl}/${repo.fullName}/pull/${p.number}` },
  });
  const commentJson = (repo: GitHubRepo, c: DoubleComment) => ({
    id: c.id,
    body: c.body,
    html_url: `${issueUrl(repo, c.issue)}#issuecomment-${c.id}`,
    user: accountJson(c.user),
    created_at: c.created_at,
    updated_at: c.updated_at,
  });

  interface Ctx {
    method: string;
    params: Record<string, string>;
    body: Record<string, unknown>;
    requestUrl: URL;
    headers: Record<string, string>;
  }

  /** A page of `items` as GitHub pages lists: per_page (default 30, max 100), page, and a Link header. */
  function page<T>(ctx: Ctx, items: T[], defaultPerPage = 30): T[] {
    const perPage = Math.min(Math.max(Number(ctx.params.per_page) || defaultPerPage, 1), 100);
    const pageNo = Math.max(Number(ctx.params.page) || 1, 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (n: number, rel: string) => {
      const u = new URL(ctx.requestUrl.pathname + ctx.requestUrl.search, url);
      u.searchParams.set("per_page", String(perPage));
      u.searchParams.set("page", String(n));
      return `<${u.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (pageNo > 1) links.push(link(pageNo - 1, "prev"));
    if (pageNo < last) links.push(link(pageNo + 1, "next"), link(last, "last"));
    if (pageNo > 1) links.push(link(1, "first"));
    if (links.length > 0) ctx.headers.link = links.join(", ");
    return items.slice((pageNo - 1) * perPage, pageNo * perPage);
  }

  type Handler = (ctx: Ctx, m: string[]) => [number, unknown];
  const routes: [string, RegExp, Handler][] = [];
  const route = (method: string, pattern: string, handler: Handler) =>
    routes.push([method, new RegExp(`^${pattern}$`), handler]);
  const R = "/repos/([^/]+)/([^/]+)";
  const repoOf = (m: string[]): GitHubRepo => {
    const r = repos.get(`${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`.toLowerCase());
    if (!r) throw notFound();
    return r;
  };
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);

  route("GET", R, (_ctx, m) => {
    const r = repoOf(m);
    return [
      200,
      {
        name: r.name,
        full_name: r.fullName,
        owner: accountJson({ login: r.owner, type: "Organization" }),
        default_branch: r.defaultBranch,
        private: true,
        html_url: `${serverUrl}/${r.fullName}`,
      },
    ];
  });

  // Commits and compare.
  route("GET", `${R}/commits/([^/]+)`, (_ctx, m) => {
    const r = repoOf(m);
    const h = history(r);
    const ref = decodeURIComponent(m[3]);
    const sha =
      h.branches.get(ref) ??
      [...h.commits.keys()].find((s) => s === ref || (ref.length >= 7 && s.startsWith(ref)));
    if (!sha) throw invalid(`No commit found for SHA: ${ref}`);
    return [200, commitJson(r, h.commits.get(sha) as DoubleCommit)];
  });
  route("GET", `${R}/compare/([^/]+?)\\.\\.\\.([^/]+)`, (ctx, m) => {
    const r = repoOf(m);
    const base = resolveRef(r, m[3]);
    const head = resolveRef(r, m[4]);
    const commits = head.commits;
    const fromHead = ancestors(commits, head.sha);
    const fromBase = ancestors(commits, base.sha);
    const ahead = new Set([...fromHead].filter((s) => !fromBase.has(s)));
    const behind = [...fromBase].filter((s) => !fromHead.has(s));
    const list = chronological(commits, ahead).map((s) => commitJson(r, commits.get(s) as DoubleCommit));
    const common = chronological(commits, new Set([...fromHead].filter((s) => fromBase.has(s))));
    const status =
      base.sha === head.sha
        ? "identical"
        : ahead.size > 0 && behind.length > 0
          ? "diverged"
          : ahead.size > 0
            ? "ahead"
            : "behind";
    // Without paging parameters GitHub returns at most 250 commits and no Link header.
    const paged = ctx.params.page !== undefined || ctx.params.per_page !== undefined;
    return [
      200,
      {
        url: `${url}/repos/${r.fullName}/compare/${m[3]}...${m[4]}`,
        status,
        ahead_by: ahead.size,
        behind_by: behind.length,
        total_commits: ahead.size,
        html_url: `${serverUrl}/${r.fullName}/compare/${m[3]}...${m[4]}`,
        base_commit: commitJson(r, commits.get(base.sha) as DoubleCommit),
        merge_base_commit: common.length
          ? commitJson(r, commits.get(common[common.length - 1]) as DoubleCommit)
          : null,
        commits: paged ? page(ctx, list) : list.slice(0, 250),
        files: [],
      },
    ];
  });

  // Pull requests.
  route("GET", `${R}/pulls`, (ctx, m) => {
    const r = repoOf(m);
    const state = ctx.params.state ?? "open";
    const list = r.pulls
      .filter((p) => state === "all" || p.state === state)
      .filter((p) => !ctx.params.head || `${r.owner}:${p.head}` === ctx.params.head)
      .filter((p) => !ctx.params.base || p.base === ctx.params.base)
      .sort((a, b) => b.number - a.number);
    return [200, page(ctx, list).map((p) => pullJson(r, p))];
  });
  route("POST", `${R}/pulls`, (ctx, m) => {
    const r = repoOf(m);
    const head = str(ctx.body.head)?.replace(/^[^:]+:/, "");
    const base = str(ctx.body.base);
    if (!head || !base || !str(ctx.body.title)) {
      throw invalid("Validation Failed", [
        { resource: "PullRequest", code: "missing_field", field: head ? "base" : "head" },
      ]);
    }
    if (r.pulls.some((p) => p.state === "open" && p.head === head && p.base === base)) {
      throw invalid("Validation Failed", [
        {
          resource: "PullRequest",
          code: "custom",
          message: `A pull request already exists for ${r.owner}:${head}.`,
        },
      ]);
    }
    const p = r.addPull({
      head,
      base,
      title: str(ctx.body.title) as string,
      body: str(ctx.body.body) ?? "",
      draft: ctx.body.draft === true,
      user: actor,
    });
    return [201, pullJson(r, p)];
  });
  const pullOf = (m: string[]) => {
    const r = repoOf(m);
    const p = r.pulls.find((x) => x.number === Number(m[3]));
    if (!p) throw notFound();
    return { r, p };
  };
  route("GET", `${R}/pulls/(\\d+)`, (_ctx, m) => {
    const { r, p } = pullOf(m);
    return [200, pullJson(r, p)];
  });
  route("PATCH", `${R}/pulls/(\\d+)`, (ctx, m) => {
    const { r, p } = pullOf(m);
    for (const k of ["title", "body", "base", "state"] as const) {
      const v = str(ctx.body[k]);
      if (v !== undefined) (p as unknown as Record<string, string>)[k] = v;
    }
    return [200, pullJson(r, p)];
  });
  route("GET", `${R}/pulls/(\\d+)/commits`, (ctx, m) => {
    const { r, p } = pullOf(m);
    const h = history(r);
    let shas = p.commits;
    if (!shas) {
      const head = h.branches.get(p.head);
      const base = h.branches.get(p.base);
      const fromBase = base ? ancestors(h.commits, base) : new Set<string>();
      shas = head
        ? chronological(h.commits, new Set([...ancestors(h.commits, head)].filter((s) => !fromBase.has(s))))
        : [];
    }
    const list = shas.map((s) => commitJson(r, h.commits.get(s) as DoubleCommit));
    return [200, page(ctx, list)];
  });

  // Issues and comments (a pull request is an issue too).
  route("GET", `${R}/issues`, (ctx, m) => {
    const r = repoOf(m);
    const state = ctx.params.state ?? "open";
    const labels = (ctx.params.labels ?? "").split(",").filter(Boolean);
    const all = [
      ...r.issues.map((i) => ({ n: i.number, json: issueJson(r, i), state: i.state, labels: i.labels })),
      ...r.pulls.map((p) => ({
        n: p.number,
        json: pullAsIssueJson(r, p),
        state: p.state,
        labels: [] as string[],
      })),
    ]
      .filter((x) => state === "all" || x.state === state)
      .filter((x) => labels.every((l) => x.labels.includes(l)))
      .sort((a, b) => b.n - a.n);
    return [200, page(ctx, all).map((x) => x.json)];
  });
  route("POST", `${R}/issues`, (ctx, m) => {
    const r = repoOf(m);
    const title = str(ctx.body.title);
    if (!title)
      throw invalid("Validation Failed", [{ resource: "Issue", code: "missing_field", field: "title" }]);
    const at = iso(now());
    const issue: DoubleIssue = {
      number: r.nextNumber++,
      title,
      body: str(ctx.body.body) ?? null,
      state: "open",
      state_reason: null,
      labels: Array.isArray(ctx.body.labels) ? ctx.body.labels.map(String) : [],
      assignees: [],
      user: actor,
      created_at: at,
      updated_at: at,
    };
    r.issues.push(issue);
    return [201, issueJson(r, issue)];
  });
  const issueOf = (m: string[]) => {
    const r = repoOf(m);
    const n = Number(m[3]);
    const i = r.issues.find((x) => x.number === n);
    if (!i && !r.pulls.some((p) => p.number === n)) throw notFound();
    return { r, i, n };
  };
  route("GET", `${R}/issues/(\\d+)`, (_ctx, m) => {
    const { r, i, n } = issueOf(m);
    return [200, i ? issueJson(r, i) : pullAsIssueJson(r, r.pulls.find((p) => p.number === n) as DoublePull)];
  });
  route("PATCH", `${R}/issues/(\\d+)`, (ctx, m) => {
    const { r, i } = issueOf(m);
    if (!i) throw notFound();
    if (str(ctx.body.state)) i.state = str(ctx.body.state) as "open" | "closed";
    if (str(ctx.body.state_reason)) i.state_reason = str(ctx.body.state_reason) as string;
    if (str(ctx.body.title)) i.title = str(ctx.body.title) as string;
    if (typeof ctx.body.body === "string") i.body = ctx.body.body;
    i.updated_at = iso(now());
    return [200, issueJson(r, i)];
  });
  route("POST", `${R}/issues/(\\d+)/assignees`, (ctx, m) => {
    const { r, i } = issueOf(m);
    if (!i) throw notFound();
    for (const a of Array.isArray(ctx.body.assignees) ? ctx.body.assignees.map(String) : [])
      if (!i.assignees.includes(a)) i.assignees.push(a);
    return [201, issueJson(r, i)];
  });
  route("GET", `${R}/issues/(\\d+)/comments`, (ctx, m) => {
    const { r, n } = issueOf(m);
    const since = ctx.params.since ? Date.parse(ctx.params.since) : undefined;
    const list = r.comments
      .filter((c) => c.issue === n)
      .filter((c) => since === undefined || Date.parse(c.updated_at) >= since)
      .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id);
    return [200, page(ctx, list).map((c) => commentJson(r, c))];
  });
  route("POST", `${R}/issues/(\\d+)/comments`, (ctx, m) => {
    const { r, n } = issueOf(m);
    const body = str(ctx.body.body);
    if (body === undefined) throw invalid('Invalid request.\n\n"body" wasn\'t supplied.');
    const c = r.addComment(n, { login: actor.login, type: actor.type, body });
    return [201, commentJson(r, c)];
  });
  route("PATCH", `${R}/issues/comments/(\\d+)`, (ctx, m) => {
    const r = repoOf(m);
    const c = r.comments.find((x) => x.id === Number(m[3]));
    if (!c) throw notFound();
    const body = str(ctx.body.body);
    if (body === undefined) throw invalid('Invalid request.\n\n"body" wasn\'t supplied.');
    c.body = body;
    c.updated_at = iso(now());
    return [200, commentJson(r, c)];
  });

  // Deployment environments: reviews of a run, deployments and their statuses.
  route("GET", `${R}/actions/runs/(\\d+)/approvals`, (_ctx, m) => {
    const r = repoOf(m);
    return [
      200,
      (r.approvals.get(m[3]) ?? []).map((a) => ({
        ...a,
        user: accountJson(a.user),
        environments: a.environments.map((e) => ({
          ...e,
          html_url: `${serverUrl}/${r.fullName}/deployments/activity_log?environments_filter=${e.name}`,
        })),
      })),
    ];
  });
  route("GET", `${R}/deployments`, (ctx, m) => {
    const r = repoOf(m);
    const list = r.deployments
      .filter((d) => !ctx.params.environment || d.environment === ctx.params.environment)
      .filter((d) => !ctx.params.sha || d.sha === ctx.params.sha)
      .filter((d) => !ctx.params.ref || d.ref === ctx.params.ref)
      .sort((a, b) => b.id - a.id)
      .map(({ statuses: _statuses, ...d }) => ({ ...d, task: "deploy" }));
    return [200, page(ctx, list)];
  });
  route("GET", `${R}/deployments/(\\d+)/statuses`, (ctx, m) => {
    const r = repoOf(m);
    const d = r.deployments.find((x) => x.id === Number(m[3]));
    if (!d) throw notFound();
    return [
      200,
      page(
        ctx,
        [...d.statuses].reverse().map((s, i) => ({ id: d.id * 100 + i, ...s, environment: d.environment })),
      ),
    ];
  });

  // Teams.
  const teamOf = (m: string[]) => {
    const t = teams.get(`${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`.toLowerCase());
    if (!t) throw notFound();
    return t;
  };
  route("GET", "/orgs/([^/]+)/teams/([^/]+)", (_ctx, m) => {
    teamOf(m);
    return [
      200,
      { slug: decodeURIComponent(m[2]), name: decodeURIComponent(m[2]), organization: { login: m[1] } },
    ];
  });
  route("GET", "/orgs/([^/]+)/teams/([^/]+)/memberships/([^/]+)", (_ctx, m) => {
    const state = teamOf(m).get(decodeURIComponent(m[3]).toLowerCase());
    if (!state) throw notFound();
    return [200, { state, role: "member" }];
  });

  // Repository dispatches and Actions secrets.
  route("POST", `${R}/dispatches`, (ctx, m) => {
    const r = repoOf(m);
    const eventType = str(ctx.body.event_type);
    if (!eventType) throw invalid("Invalid request.\n\nFor 'links/0/schema', nil is not a string.");
    r.dispatches.push({ eventType, clientPayload: ctx.body.client_payload ?? {} });
    return [204, NO_BODY];
  });
  const scopeOf = (env: string | undefined) => (env ? `environment:${decodeURIComponent(env)}` : "repo");
  route("GET", `${R}/(?:environments/([^/]+)/|actions/)secrets/public-key`, (_ctx, m) => {
    repoOf(m);
    return [200, { key_id: "double-key-1", key: publicKey }];
  });
  route("PUT", `${R}/(?:environments/([^/]+)/|actions/)secrets/([^/]+)`, (ctx, m) => {
    const r = repoOf(m);
    if (ctx.body.key_id !== "double-key-1" || typeof ctx.body.encrypted_value !== "string") {
      throw invalid("Invalid request.\n\nencrypted_value and key_id are required.");
    }
    const scope = scopeOf(m[3]);
    const name = decodeURIComponent(m[4]);
    const index = r.secrets.findIndex((s) => s.scope === scope && s.name === name);
    const secret = { scope, name, encryptedValue: ctx.body.encrypted_value, keyId: ctx.body.key_id };
    if (index >= 0) r.secrets[index] = secret;
    else r.secrets.push(secret);
    return [index >= 0 ? 204 : 201, NO_BODY];
  });

  function answer(req: IncomingMessage, res: ServerResponse, raw: string): number {
    const requestUrl = new URL(req.url ?? "/", "http://double");
    const path = requestUrl.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";
    const params = Object.fromEntries(requestUrl.searchParams);
    const headers: Record<string, string> = {
      "content-type": "application/json; charset=utf-8",
      "x-github-api-version-selected": "2022-11-28",
      "x-github-request-id": createHash("sha1").update(String(requests.length)).digest("hex").slice(0, 16),
    };
    const rateHeaders = () => {
      headers["x-ratelimit-limit"] = String(RATE_LIMIT);
      headers["x-ratelimit-remaining"] = String(remaining);
      headers["x-ratelimit-used"] = String(RATE_LIMIT - remaining);
      headers["x-ratelimit-reset"] = String(Math.ceil(Date.now() / 1000) + 3600);
      headers["x-ratelimit-resource"] = "core";
    };
    const send = (status: number, body: unknown): number => {
      const text = body === NO_BODY || status === 204 || status === 304 ? "" : JSON.stringify(body);
      if (text === "") delete headers["content-type"];
      res.writeHead(status, { ...headers, "content-length": Buffer.byteLength(text) });
      res.end(text);
      return status;
    };

    for (const listener of listeners) listener({ method, path, params });

    const fault = faults.find(
      (f) => f.left > 0 && (!f.method || f.method === method) && matches(f.path, path),
    );
    if (fault) {
      fault.left--;
      if (fault.drop) {
        req.socket.destroy();
        return 0;
      }
      rateHeaders();
      for (const [k, v] of Object.entries(fault.headers ?? {}))
        headers[k] = typeof v === "function" ? v() : v;
      return send(fault.status, fault.body ?? NO_BODY);
    }

    const token = req.headers.authorization?.replace(/^(Bearer|token)\s+/i, "");
    if (!token || (tokens.size > 0 && !tokens.has(token))) {
      return send(401, {
        message: token ? "Bad credentials" : "Requires authentication",
        documentation_url: DOCS,
        status: "401",
      });
    }
    let body: Record<string, unknown> = {};
    if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return send(400, { message: "Problems parsing JSON", documentation_url: DOCS, status: "400" });
      }
    }
    const ctx: Ctx = { method, params, body, requestUrl, headers };
    for (const [m, pattern, handler] of routes) {
      const match = m === method ? pattern.exec(path) : null;
      if (!match) continue;
      try {
        const [status, data] = handler(ctx, match);
        if (method === "GET" && status === 200) {
          // Conditional requests: an unchanged answer is 304, which does not count against the limit.
          const etag = `W/"${createHash("sha1").update(JSON.stringify(data)).digest("hex")}"`;
          headers.etag = etag;
          if (req.headers["if-none-match"] === etag) {
            rateHeaders();
            return send(304, NO_BODY);
          }
        }
        remaining = Math.max(remaining - 1, 0);
        rateHeaders();
        return send(status, data);
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        remaining = Math.max(remaining - 1, 0);
        rateHeaders();
        delete headers.link;
        return send(error.status, error.body);
      }
    }
    rateHeaders();
    return send(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
  }

  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://double");
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      let status: number;
      try {
        status = answer(req, res, raw);
      } catch (error) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: `The GitHub double failed: ${String(error)}` }));
        status = 500;
      }
      requests.push({
        method: req.method ?? "",
        path: u.pathname.replace(/\/+$/, "") || "/",
        query: u.search,
        params: Object.fromEntries(u.searchParams),
        authorization: req.headers.authorization,
        ifNoneMatch: req.headers["if-none-match"] as string | undefined,
        body,
        status,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const double: GitHubDouble = {
    url,
    serverUrl,
    requests,
    repo(fullName) {
      const [owner, name] = fullName.split("/");
      const key = fullName.toLowerCase();
      if (!repos.has(key)) repos.set(key, makeRepo(owner, name));
      return repos.get(key) as GitHubRepo;
    },
    team(orgSlash, members = {}) {
      teams.set(
        orgSlash.toLowerCase(),
        new Map(Object.entries(members).map(([login, state]) => [login.toLowerCase(), state])),
      );
    },
    linkEmail(email, account) {
      emails.set(email.toLowerCase(), account);
    },
    fail(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    primaryRateLimit({ path, resetInSeconds, method }) {
      double.fail({
        method,
        path,
        status: 403,
        body: {
          message: "API rate limit exceeded for installation ID 1.",
          documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
          status: "403",
        },
        headers: {
          "x-ratelimit-remaining": "0",
          "x-ratelimit-used": String(RATE_LIMIT),
          "x-ratelimit-reset": () => String(Math.ceil(Date.now() / 1000) + resetInSeconds),
        },
      });
    },
    secondaryRateLimit({ path, retryAfter, status = 403, method }) {
      double.fail({
        method,
        path,
        status,
        body: {
          message:
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
          documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
          status: String(status),
        },
        headers: retryAfter === undefined ? {} : { "retry-after": String(retryAfter) },
      });
    },
    onRequest(listener) {
      listeners.push(listener);
    },
    acceptToken(token) {
      tokens.add(token);
    },
    async decryptSecret(fullName, name, scope = "repo") {
      const s = double.repo(fullName).secrets.find((x) => x.name === name && x.scope === scope);
      if (!s) return undefined;
      const plain = sodium.crypto_box_seal_open(
        sodium.from_base64(s.encryptedValue, sodium.base64_variants.ORIGINAL),
        keyPair.publicKey,
        keyPair.privateKey,
      );
      return sodium.to_string(plain);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return double;
}
