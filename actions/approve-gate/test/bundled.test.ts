// Runs the bundled action as the runner does, against a small fake GitHub REST server on loopback.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, runBundledAction } from "../../../test/helpers/run-bundled-action.ts";

const SHA = "89abcdef0123456789abcdef0123456789abcdef";
const TOKEN = "ghs_bundledgatetoken42";

interface FakeState {
  reviews: unknown[];
  comments: unknown[];
  issueBody?: string;
  closed?: unknown;
  authHeaders: string[];
}

let server: Server;
let apiUrl: string;
const state: FakeState = { reviews: [], comments: [], authHeaders: [] };

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  let raw = "";
  for await (const chunk of req) raw += chunk;
  const body = raw ? JSON.parse(raw) : undefined;
  const url = new URL(req.url ?? "/", "http://x");
  state.authHeaders.push(String(req.headers.authorization));
  const route = `${req.method} ${url.pathname}`;
  const created = new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, "Z");
  switch (route) {
    case `GET /repos/acme/app/commits/${SHA}`:
      return send(res, 200, { author: { login: "dev" }, committer: { login: "web-flow" } });
    case "GET /repos/acme/app/actions/runs/4242/approvals":
      return send(res, 200, state.reviews);
    case "GET /repos/acme/app/issues":
      return send(res, 200, []);
    case "POST /repos/acme/app/issues":
      state.issueBody = body.body;
      return send(res, 201, {
        number: 7,
        title: body.title,
        body: body.body,
        state: "open",
        html_url: "https://github.com/acme/app/issues/7",
        created_at: created,
      });
    case "POST /repos/acme/app/issues/7/assignees":
      return send(res, 201, {});
    case "GET /repos/acme/app/issues/7/comments": {
      const later = new Date(Date.now() + 1000).toISOString().replace(/\.\d+Z$/, "Z");
      // The approver answers as soon as the request exists.
      if (state.comments.length === 0) {
        state.comments.push({
          id: 1,
          body: "LGTM, evaluation looks good",
          user: { login: "alice", type: "User" },
          created_at: later,
          updated_at: later,
          html_url: "https://github.com/acme/app/issues/7#issuecomment-1",
        });
      }
      return send(res, 200, state.comments);
    }
    case "POST /repos/acme/app/issues/7/comments":
      return send(res, 201, {
        id: 2,
        body: body.body,
        html_url: "x",
        created_at: created,
        updated_at: created,
      });
    case "PATCH /repos/acme/app/issues/7":
      state.closed = body;
      return send(res, 200, {});
    default:
      return send(res, 404, { message: "Not Found" });
  }
}

beforeAll(async () => {
  if (!existsSync(join(repoRoot, "actions", "approve-gate", "dist", "index.js"))) {
    throw new Error("Build the action first: node scripts/build-actions.ts approve-gate");
  }
  server = createServer((req, res) => {
    handle(req, res).catch((e) => send(res, 500, { message: String(e) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  apiUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const env = () => ({
  GITHUB_API_URL: apiUrl,
  GITHUB_SERVER_URL: "https://github.com",
  GITHUB_REPOSITORY: "acme/app",
  GITHUB_RUN_ID: "4242",
  GITHUB_ACTOR: "releaser",
  GITHUB_SHA: SHA,
  GITHUB_EVENT_PATH: undefined,
  GITHUB_TRIGGERING_ACTOR: undefined,
});

describe("approve-gate bundle", () => {
  it("approves in issue mode, writes the outputs and a summary table", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "gate-ws-"));
    writeFileSync(join(workspace, "evaluation.json"), JSON.stringify({ verdict: "pass", regressions: 0 }));
    const run = await runBundledAction("approve-gate", {
      workspace,
      env: env(),
      inputs: {
        mode: "issue",
        approvers: "alice, bob",
        "poll-seconds": 1,
        "timeout-minutes": 1,
        evidence: "evaluation.json",
        subject: "Sales app",
        target: "acceptance",
        "github-token": TOKEN,
      },
    });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.approved).toBe("true");
    const approvers = JSON.parse(run.outputs.approvers);
    expect(approvers).toEqual([
      expect.objectContaining({
        login: "alice",
        link: "https://github.com/acme/app/issues/7#issuecomment-1",
      }),
    ]);
    const record = JSON.parse(run.outputs["audit-record"]);
    expect(record).toMatchObject({
      outcome: "approved",
      mode: "issue",
      requestedBy: "releaser",
      subject: { sha: SHA, name: "Sales app", target: "acceptance" },
      run: { id: 4242, url: "https://github.com/acme/app/actions/runs/4242" },
      issue: { number: 7 },
    });
    expect(state.issueBody).toContain("| verdict | pass |");
    expect(state.closed).toEqual({ state: "closed", state_reason: "completed" });
    expect(run.summary).toContain("| @alice | approved |");
    expect(state.authHeaders.every((h) => h === `Bearer ${TOKEN}`)).toBe(true);
    // The only place the token may appear is the runner's mask command.
    const visible = run.stdout
      .split("\n")
      .filter((l) => !l.startsWith("::add-mask::"))
      .join("\n");
    expect(run.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(visible + run.stderr + run.summary + JSON.stringify(run.outputs)).not.toContain(TOKEN);
  });

  it("fails with one clear line and exit code 1 when environment reviews fall short", async () => {
    state.reviews = [
      {
        state: "approved",
        comment: "",
        user: { login: "releaser" },
        environments: [{ id: 1, name: "production" }],
      },
      {
        state: "approved",
        comment: "",
        user: { login: "alice" },
        environments: [{ id: 1, name: "production" }],
      },
    ];
    const run = await runBundledAction("approve-gate", {
      env: env(),
      inputs: { approvers: "alice bob releaser", "minimum-approvals": 2, "github-token": TOKEN },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      "approve-gate failed: Only 1 of the required 2 distinct approvers approved this run's deployment environments (@alice); not counted: @releaser (may not approve: started the run).",
    ]);
    expect(run.outputs.approved).toBe("false");
    expect(JSON.parse(run.outputs["audit-record"]).outcome).toBe("insufficient");
    expect(run.summary).toContain("Not enough approvals");
  });

  it("rejects a bad input with a sentence naming it", async () => {
    const run = await runBundledAction("approve-gate", {
      env: env(),
      inputs: { approvers: "alice", "minimum-approvals": 2, "github-token": TOKEN },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      "approve-gate failed: Input 'minimum-approvals' is 2 but 'approvers' lists only 1 person, so the gate could never pass.",
    ]);
  });
});
