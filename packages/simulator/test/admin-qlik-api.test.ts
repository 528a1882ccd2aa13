// End to end: the admin modules behind a started simulator, called through @qlik/api's typed functions.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAppEvaluation, getAppEvaluation, getAppEvaluationComparison } from "@qlik/api/analytics/apps";
import { createOAuthClient } from "@qlik/api/oauth-clients";
import { createUser, getMyUser, getUsers, patchUser } from "@qlik/api/users";
import { createWebhook } from "@qlik/api/webhooks";
import { createTenant, deactivateTenant, getTenant } from "@qlik/api/tenants";
import { createAutomation, getAutomationRun, queueAutomationRun } from "@qlik/api/automations";
import { startSimulator } from "../src/index.ts";
import type { RunningSimulator } from "../src/index.ts";
import { makeLicenseKey } from "../src/rest/admin/index.ts";

let sim: RunningSimulator;
let hook: Server;
let hookUrl = "";
const hookBodies: { raw: string; signature: string | undefined }[] = [];

type HostConfig =
  | { authType: "apikey"; host: string; apiKey: string }
  | { authType: "oauth2"; host: string; clientId: string; clientSecret: string };

beforeAll(async () => {
  sim = await startSimulator({ seed: "admin-e2e", timings: { evaluationMs: 60, automationRunMs: 60 } });
  hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      hookBodies.push({
        raw: Buffer.concat(chunks).toString("utf8"),
        signature: req.headers["qlik-signature"] as string | undefined,
      });
      res.writeHead(204, { connection: "close" });
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/events`;
});

afterAll(async () => {
  await sim?.stop();
  await new Promise<void>((r) => hook.close(() => r()));
});

function tenantHost(): HostConfig {
  const t = sim.description.tenants[0];
  return { authType: "apikey", host: t.url, apiKey: t.apiKey };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("admin modules through @qlik/api", () => {
  it("evaluates the seeded app (public sheets only) and compares two runs", async () => {
    const hostConfig = tenantHost();
    const tenant = sim.tenant(sim.description.tenants[0].name);
    const appId = [...tenant.apps.keys()][0];
    expect(appId).toBeDefined();
    type Evaluation = Awaited<ReturnType<typeof getAppEvaluation>>["data"];
    const evaluate = async (): Promise<Evaluation> => {
      const created = await createAppEvaluation(appId, { hostConfig });
      expect(created.status).toBe(201);
      expect(created.data.status).toBe("queued");
      for (let i = 0; i < 100; i++) {
        const got = await getAppEvaluation(created.data.id!, { all: true }, { hostConfig, noCache: true });
        if (got.data.status === "finished") return got.data;
        await sleep(20);
      }
      throw new Error("evaluation did not finish");
    };
    // The development app's sheets are private: nothing is evaluated and a warning says so.
    const privateOnly = await evaluate();
    expect(privateOnly.result?.sheetCount).toBe(0);
    expect(privateOnly.events?.some((e) => e.severity === "warning")).toBe(true);

    const doc = tenant.docs.get(appId)!;
    for (const o of doc.objects.values()) if (o.type === "sheet") o.published = true;
    const a = await evaluate();
    const b = await evaluate();
    expect(a.result?.sheetCount).toBeGreaterThan(0);
    expect(a.result?.objNoCache?.length).toBeGreaterThan(0);
    expect(a.result?.openApp?.totalDurationMilliseconds).toBeGreaterThan(0);
    expect(a.events?.filter((e) => e.severity === "error")).toEqual([]);
    const cmp = await getAppEvaluationComparison(a.id!, b.id!, {}, { hostConfig, noCache: true });
    expect(cmp.data.objNoCache?.list?.length).toBe(a.result?.objNoCache?.length);
  });

  it("manages users and issues an OAuth client that can sign in", async () => {
    const hostConfig = tenantHost();
    const u = await createUser(
      {
        subject: "idp|carol",
        email: "carol@example.com",
        name: "Carol",
        assignedRoles: [{ name: "AnalyticsAdmin" }],
      },
      { hostConfig },
    );
    expect(u.status).toBe(201);
    const p = await patchUser(u.data.id, [{ op: "replace", path: "/name", value: "Carol C." }], {
      hostConfig,
    });
    expect(p.status).toBe(204);
    const list = await getUsers({ filter: 'subject eq "idp|carol"' }, { hostConfig, noCache: true });
    expect(list.data.data?.map((x) => x.name)).toEqual(["Carol C."]);

    const client = await createOAuthClient(
      {
        clientName: "ci",
        appType: "web",
        allowedGrantTypes: ["client_credentials"],
        allowedScopes: ["admin_classic", "user_default"],
      },
      { hostConfig },
    );
    expect(client.data.clientSecret).toBeTruthy();
    const oauthHost: HostConfig = {
      authType: "oauth2",
      host: hostConfig.host,
      clientId: client.data.clientId,
      clientSecret: client.data.clientSecret,
    };
    const me = await getMyUser({ hostConfig: oauthHost, noCache: true });
    expect(me.status).toBe(200);
  });

  it("delivers signed webhook events and runs an automation", async () => {
    const HOOK_SECRET = "hook-secret-hook-secret-hook-secret"; // Qlik takes 32 to 64 characters
    const hostConfig = tenantHost();
    await createWebhook(
      { name: "ci", url: hookUrl, eventTypes: ["com.qlik.user.created"], secret: HOOK_SECRET },
      { hostConfig },
    );
    await createUser({ subject: "idp|dave", email: "dave@example.com", name: "Dave" }, { hostConfig });
    for (let i = 0; i < 100 && hookBodies.length === 0; i++) await sleep(10);
    expect(hookBodies).toHaveLength(1);
    expect(hookBodies[0].signature).toBe(
      createHmac("sha256", HOOK_SECRET).update(hookBodies[0].raw).digest("hex"),
    );

    const a = await createAutomation(
      { name: "Notify", workspace: { simulation: { outcome: "finished" } } },
      { hostConfig },
    );
    const run = await queueAutomationRun(a.data.id!, { context: "api" }, { hostConfig });
    expect(run.status).toBe(201);
    let status = run.data.status;
    for (let i = 0; i < 50 && status !== "finished"; i++) {
      await sleep(20);
      status = (await getAutomationRun(a.data.id!, run.data.id!, { hostConfig, noCache: true })).data.status;
    }
    expect(status).toBe("finished");
  });

  it("registers and deactivates a tenant with a regional client", async () => {
    const [regionName, region] = Object.entries(sim.description.regions)[0];
    const hostConfig: HostConfig = {
      authType: "oauth2",
      host: region.registrationUrl,
      clientId: region.clientId,
      clientSecret: region.clientSecret,
    };
    const created = await createTenant(
      { licenseKey: makeLicenseKey(), datacenter: `${regionName}-1` },
      { hostConfig },
    );
    expect(created.status).toBe(201);
    const t = created.data;
    expect(t.status).toBe("active");
    const got = await getTenant(t.id, { hostConfig, noCache: true });
    expect(got.data.id).toBe(t.id);
    await expect(deactivateTenant(t.id, {}, { hostConfig })).rejects.toMatchObject({ status: 400 });
    const off = await deactivateTenant(
      t.id,
      { purgeAfterDays: 5 },
      { hostConfig, headers: { "qlik-confirm-hostname": t.hostnames![0] } },
    );
    expect(off.data.status).toBe("disabled");
  });
});
