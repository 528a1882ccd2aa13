// A small GitHub REST fake on loopback, for bundled actions run as child processes (which nock cannot
// reach): pull requests and issue comments, with every request recorded.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakePull {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: "open" | "closed";
}

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export interface FakeGitHub {
  url: string;
  pulls: FakePull[];
  comments: FakeComment[];
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeGitHub(options: {
  token: string;
  owner: string;
  repo: string;
}): Promise<FakeGitHub> {
  const pulls: FakePull[] = [];
  const comments: FakeComment[] = [];
  const requests: RecordedRequest[] = [];
  let nextId = 1000;
  let url = "";
  const prefix = `/repos/${options.owner}/${options.repo}`;

  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://x");
      const body = raw ? JSON.parse(raw) : undefined;
      requests.push({
        method: req.method ?? "",
        path: u.pathname,
        authorization: req.headers.authorization,
        body,
      });
      const send = (status: number, data: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(data));
      };
      if (req.headers.authorization !== `Bearer ${options.token}`)
        return send(401, { message: "Bad credentials" });
      const pullJson = (p: FakePull) => ({
        number: p.number,
        html_url: `${url}/${options.owner}/${options.repo}/pull/${p.number}`,
        title: p.title,
        body: p.body,
        base: { ref: p.base },
        head: { ref: p.head },
        state: p.state,
      });
      const commentJson = (c: FakeComment) => ({
        id: c.id,
        body: c.body,
        html_url: `${url}/${options.owner}/${options.repo}/pull/${c.issue}#issuecomment-${c.id}`,
        user: { login: "bot" },
      });
      const path = u.pathname;
      let m: RegExpExecArray | null;
      if (req.method === "GET" && path === `${prefix}/pulls`) {
        const head = u.searchParams.get("head");
        const state = u.searchParams.get("state") ?? "open";
        return send(
          200,
          pulls
            .filter((p) => p.state === state && (!head || `${options.owner}:${p.head}` === head))
            .map(pullJson),
        );
      }
      if (req.method === "POST" && path === `${prefix}/pulls`) {
        const p: FakePull = {
          number: pulls.length + 1,
          head: body.head,
          base: body.base,
          title: body.title,
          body: body.body,
          state: "open",
        };
        pulls.push(p);
        return send(201, pullJson(p));
      }
      if (req.method === "PATCH" && (m = new RegExp(`^${prefix}/pulls/(\\d+)$`).exec(path))) {
        const p = pulls.find((x) => x.number === Number(m![1]));
        if (!p) return send(404, { message: "Not Found" });
        Object.assign(p, body);
        return send(200, pullJson(p));
      }
      if ((m = new RegExp(`^${prefix}/issues/(\\d+)/comments$`).exec(path))) {
        const issue = Number(m[1]);
        if (req.method === "GET")
          return send(200, comments.filter((c) => c.issue === issue).map(commentJson));
        if (req.method === "POST") {
          const c = { id: nextId++, issue, body: body.body };
          comments.push(c);
          return send(201, commentJson(c));
        }
      }
      if (req.method === "PATCH" && (m = new RegExp(`^${prefix}/issues/comments/(\\d+)$`).exec(path))) {
        const c = comments.find((x) => x.id === Number(m![1]));
        if (!c) return send(404, { message: "Not Found" });
        c.body = body.body;
        return send(200, commentJson(c));
      }
      send(404, { message: "Not Found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    pulls,
    comments,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
