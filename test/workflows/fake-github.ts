// A loopback fake of the GitHub REST API with only the endpoints the example workflows' actions call,
// and state a test can assert on: pull requests, issue/PR comments, deployment-environment approvals of
// a run, commit authors, repository dispatches and encrypted Actions secrets (decryptable here).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import sodium from "libsodium-wrappers";

/** Workflow YAML and event payloads are read loosely (their shape is checked where it matters). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

export interface FakePull {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: "open" | "closed";
  merged: boolean;
}

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  login: string;
}

export interface FakeApproval {
  state: "approved" | "rejected";
  comment: string;
  user: { login: string; type: string };
  environments: { id: number; name: string }[];
}

export interface FakeSecret {
  /** `repo` or `environment:<name>`. */
  scope: string;
  name: string;
  encryptedValue: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  authorization: string | undefined;
  body: unknown;
  status: number;
}

export interface FakeGitHubOptions {
  owner: string;
  repo: string;
  /** Tokens the API accepts (the workflow's GITHUB_TOKEN, app installation tokens). */
  tokens: string[];
  /** Login GitHub maps a commit's author to (approve-gate excludes it from approving). */
  commitAuthor?: string;
}

export interface FakeGitHub {
  url: string;
  owner: string;
  repo: string;
  pulls: FakePull[];
  comments: FakeComment[];
  /** Deployment-environment reviews per workflow run id. */
  approvals: Map<string, FakeApproval[]>;
  dispatches: { eventType: string; clientPayload: unknown }[];
  secrets: FakeSecret[];
  requests: RecordedRequest[];
  /** Records a reviewer's decision for one environment of a run (what GitHub does when they click). */
  recordApproval(
    runId: string | number,
    environment: string,
    login: string,
    state?: "approved" | "rejected",
  ): void;
  /** Plain text of a stored Actions secret (decrypted with the fake's private key). */
  decryptSecret(name: string, scope?: string): Promise<string | undefined>;
  acceptToken(token: string): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, data: unknown): number {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(data === undefined ? "" : JSON.stringify(data));
  return status;
}

export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  await sodium.ready;
  const keyPair = sodium.crypto_box_keypair();
  const publicKey = sodium.to_base64(keyPair.publicKey, sodium.base64_variants.ORIGINAL);
  const tokens = new Set(options.tokens);
  const prefix = `/repos/${options.owner}/${options.repo}`;
  let url = "";
  let nextId = 5000;
  const state = {
    pulls: [] as FakePull[],
    comments: [] as FakeComment[],
    approvals: new Map<string, FakeApproval[]>(),
    dispatches: [] as { eventType: string; clientPayload: unknown }[],
    secrets: [] as FakeSecret[],
    requests: [] as RecordedRequest[],
  };
  const envIds = new Map<string, number>();

  const pullJson = (p: FakePull) => ({
    number: p.number,
    html_url: `${url}/${options.owner}/${options.repo}/pull/${p.number}`,
    title: p.title,
    body: p.body,
    state: p.state,
    merged: p.merged,
    base: { ref: p.base },
    head: { ref: p.head, label: `${options.owner}:${p.head}` },
    user: { login: "qlik-cicd[bot]", type: "Bot" },
  });
  const commentJson = (c: FakeComment) => ({
    id: c.id,
    body: c.body,
    html_url: `${url}/${options.owner}/${options.repo}/pull/${c.issue}#issuecomment-${c.id}`,
    user: { login: c.login, type: "Bot" },
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  });

  function route(req: IncomingMessage, res: ServerResponse, path: string, u: URL, body: Loose): number {
    const method = req.method ?? "GET";
    let m: RegExpExecArray | null;
    if (method === "GET" && path === prefix) {
      return send(res, 200, { full_name: `${options.owner}/${options.repo}`, default_branch: "main" });
    }
    if (path === `${prefix}/pulls`) {
      if (method === "GET") {
        const head = u.searchParams.get("head");
        const st = u.searchParams.get("state") ?? "open";
        return send(
          res,
          200,
          state.pulls
            .filter(
              (p) => (st === "all" || p.state === st) && (!head || `${options.owner}:${p.head}` === head),
            )
            .map(pullJson),
        );
      }
      if (method === "POST") {
        if (state.pulls.some((p) => p.state === "open" && p.head === body.head)) {
          return send(res, 422, { message: "Validation Failed: A pull request already exists" });
        }
        const p: FakePull = {
          number: state.pulls.length + 1,
          head: String(body.head),
          base: String(body.base),
          title: String(body.title),
          body: String(body.body ?? ""),
          state: "open",
          merged: false,
        };
        state.pulls.push(p);
        return send(res, 201, pullJson(p));
      }
    }
    if ((m = new RegExp(`^${prefix}/pulls/(\\d+)$`).exec(path))) {
      const p = state.pulls.find((x) => x.number === Number(m![1]));
      if (!p) return send(res, 404, { message: "Not Found" });
      if (method === "PATCH") {
        for (const k of ["title", "body", "base", "state"] as const) if (k in body) (p as Loose)[k] = body[k];
      }
      return send(res, 200, pullJson(p));
    }
    if ((m = new RegExp(`^${prefix}/pulls/(\\d+)/commits$`).exec(path)) && method === "GET") {
      return send(res, 200, [{ sha: "0".repeat(40), author: { login: options.commitAuthor ?? "dev" } }]);
    }
    if ((m = new RegExp(`^${prefix}/issues/(\\d+)/comments$`).exec(path))) {
      const issue = Number(m[1]);
      if (method === "GET")
        return send(res, 200, state.comments.filter((c) => c.issue === issue).map(commentJson));
      if (method === "POST") {
        const c: FakeComment = { id: nextId++, issue, body: String(body.body), login: "github-actions[bot]" };
        state.comments.push(c);
        return send(res, 201, commentJson(c));
      }
    }
    if ((m = new RegExp(`^${prefix}/issues/comments/(\\d+)$`).exec(path)) && method === "PATCH") {
      const c = state.comments.find((x) => x.id === Number(m![1]));
      if (!c) return send(res, 404, { message: "Not Found" });
      c.body = String(body.body);
      return send(res, 200, commentJson(c));
    }
    if ((m = new RegExp(`^${prefix}/commits/([^/]+)$`).exec(path)) && method === "GET") {
      const login = options.commitAuthor ?? "dev";
      return send(res, 200, { sha: m[1], author: { login }, committer: { login: "web-flow" } });
    }
    if ((m = new RegExp(`^${prefix}/actions/runs/(\\d+)/approvals$`).exec(path)) && method === "GET") {
      return send(res, 200, state.approvals.get(m[1]) ?? []);
    }
    if (path === `${prefix}/dispatches` && method === "POST") {
      state.dispatches.push({ eventType: String(body.event_type), clientPayload: body.client_payload ?? {} });
      return send(res, 204, undefined);
    }
    const secretScope = (envName: string | undefined) =>
      envName ? `environment:${decodeURIComponent(envName)}` : "repo";
    if (
      (m = new RegExp(`^${prefix}(?:/environments/([^/]+))?/(?:actions/)?secrets/public-key$`).exec(path)) &&
      method === "GET"
    ) {
      return send(res, 200, { key_id: "fake-key-1", key: publicKey });
    }
    if (
      (m = new RegExp(`^${prefix}(?:/environments/([^/]+))?/(?:actions/)?secrets/([^/]+)$`).exec(path)) &&
      method === "PUT"
    ) {
      if (body?.key_id !== "fake-key-1" || typeof body?.encrypted_value !== "string") {
        return send(res, 422, { message: "encrypted_value and key_id are required" });
      }
      const scope = secretScope(m[1]);
      const name = decodeURIComponent(m[2]);
      const existing = state.secrets.findIndex((s) => s.scope === scope && s.name === name);
      const record = { scope, name, encryptedValue: body.encrypted_value as string };
      if (existing >= 0) state.secrets[existing] = record;
      else state.secrets.push(record);
      return send(res, existing >= 0 ? 204 : 201, undefined);
    }
    return send(res, 404, { message: `Not Found (fake GitHub has no ${method} ${path})` });
  }

  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://x");
      const path = u.pathname.replace(/\/+$/, "") || "/";
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        body = raw;
      }
      const auth = req.headers.authorization;
      const token = auth?.replace(/^(Bearer|token)\s+/i, "");
      let status: number;
      if (!token || !tokens.has(token)) status = send(res, 401, { message: "Bad credentials" });
      else {
        try {
          status = route(req, res, path, u, body);
        } catch (error) {
          status = send(res, 500, { message: String(error) });
        }
      }
      state.requests.push({
        method: req.method ?? "",
        path,
        query: u.search,
        authorization: auth,
        body,
        status,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    owner: options.owner,
    repo: options.repo,
    ...state,
    recordApproval(runId, environment, login, decision = "approved") {
      if (!envIds.has(environment)) envIds.set(environment, envIds.size + 1);
      const list = state.approvals.get(String(runId)) ?? [];
      list.push({
        state: decision,
        comment: "",
        user: { login, type: "User" },
        environments: [{ id: envIds.get(environment)!, name: environment }],
      });
      state.approvals.set(String(runId), list);
    },
    async decryptSecret(name, scope = "repo") {
      const s = state.secrets.find((x) => x.name === name && x.scope === scope);
      if (!s) return undefined;
      const plain = sodium.crypto_box_seal_open(
        sodium.from_base64(s.encryptedValue, sodium.base64_variants.ORIGINAL),
        keyPair.publicKey,
        keyPair.privateKey,
      );
      return sodium.to_string(plain);
    },
    acceptToken(token) {
      tokens.add(token);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
