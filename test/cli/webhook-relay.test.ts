// `qlik-cicd webhook-relay` end to end: the relay process receives signed Qlik webhook deliveries and
// forwards them to a GitHub API (the GitHub double here) as repository_dispatch events.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { signQlikWebhook } from "@qlik-cicd/tenant";
import { startGitHubDouble, type GitHubDouble } from "../helpers/github-double.ts";
import { cleanEnv, cliBin, runCli } from "./spawn.ts";

const SECRET = "relay-signing-secret-123";
const TOKEN = "ghs_relaytesttoken000111222";
let github: GitHubDouble;
let githubUrl: string;

beforeAll(async () => {
  github = await startGitHubDouble({ tokens: [TOKEN] });
  github.repo("acme/bi");
  githubUrl = github.url;
});

afterAll(async () => {
  await github.close();
});

describe("qlik-cicd webhook-relay", () => {
  it("forwards a signed delivery, rejects a forged one, and stops on SIGTERM without printing secrets", async () => {
    const child: ChildProcessWithoutNullStreams = spawn(
      process.execPath,
      [cliBin, "webhook-relay", "--repository", "acme/bi", "--port", "0", "--github-api-url", githubUrl],
      { env: cleanEnv({ QLIK_WEBHOOK_SECRET: SECRET, GITHUB_TOKEN: TOKEN }) },
    );
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const first: string = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no JSON line; stderr: ${stderr}`)), 15_000);
      child.stdout.on("data", (d) => {
        stdout += d;
        if (stdout.includes("\n")) {
          clearTimeout(timer);
          resolve(stdout.split("\n")[0]);
        }
      });
    });
    const { url } = JSON.parse(first) as { url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const body = JSON.stringify({
      id: "evt-1",
      type: "com.qlik.v1.app.published",
      time: new Date().toISOString(),
      tenantId: "t1",
      data: { id: "app-1", name: "Sales", spaceId: "s1" },
    });
    const ok = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "qlik-signature": signQlikWebhook(SECRET, body) },
      body,
    });
    expect(ok.status).toBe(202);
    const forged = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "qlik-signature": signQlikWebhook("wrong-secret-xx", body),
      },
      body,
    });
    expect(forged.status).toBe(401);

    const received = github.requests.filter((r) => r.method === "POST");
    expect(received).toHaveLength(1);
    expect(received[0].path).toBe("/repos/acme/bi/dispatches");
    expect(received[0].status).toBe(204);
    expect(received[0].authorization).toContain(TOKEN);
    expect(received[0].body).toMatchObject({
      event_type: "qlik-app-published",
      client_payload: { appId: "app-1", appName: "Sales", eventId: "evt-1" },
    });

    const code = await new Promise((resolve) => {
      child.on("close", resolve);
      child.kill("SIGTERM");
    });
    expect(code).toBe(0);
    expect(stderr).toContain("Dispatched com.qlik.v1.app.published (evt-1)");
    for (const text of [stdout, stderr]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(TOKEN);
    }
  });

  it("missing settings are a usage error (exit 2, one sentence)", async () => {
    const r = await runCli(["webhook-relay", "--repository", "acme/bi"], {
      env: { QLIK_WEBHOOK_SECRET: SECRET },
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe("error: Set a GitHub token with --github-token or GITHUB_TOKEN.");
    const bad = await runCli(["webhook-relay", "--bogus", "1"]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.trim()).toContain("Unknown option '--bogus' for webhook-relay");
  });
});
