// The product's main flows, run through the libraries the actions call, against a simulator whose sockets
// are tapped by the recorder: unbuild; deploy to a shared and a managed space, republish, rollback;
// an app artifact built and shipped; the estate-status read; evaluate (an app and a pull request's files); configure-tenant apply and drift; run-automation in both
// modes; provision-tenant. Plus an app export through @qlik/api, whose exportApp hides the wire (a 201
// with a Location, then the download): the tap sees both requests.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportApp } from "@qlik/api/apps";
import { unbuildApp, writeAppTree } from "@qlik-cicd/app-files";
import { silentLogger } from "@qlik-cicd/common";
import {
  ArtifactStore,
  buildArtifact,
  deployApp,
  evaluateApp,
  shipArtifact,
  findAppsByName,
  findSpace,
  listSpaces,
  MemoryRollbackStore,
  readEstate,
} from "@qlik-cicd/delivery";
import { QlikClient } from "@qlik-cicd/qlik-client";
import type { RunningSimulator } from "@qlik-cicd/simulator";
import { configureTenant, provisionTenant, runAutomation } from "@qlik-cicd/tenant";
import type { Blueprint } from "@qlik-cicd/tenant";
import { makeLicenseKey } from "../../../packages/simulator/src/rest/admin/index.ts";
import type { Recorder } from "./recorder.ts";

export const FLOWS = [
  "unbuild",
  "app export (@qlik/api exportApp)",
  "deploy to a shared space",
  "deploy to a managed space",
  "republish",
  "rollback",
  "build and ship an app artifact (temp-contents, import, parameters)",
  "estate-status read (records, reloads)",
  "evaluate an app",
  "evaluate a pull request's files",
  "configure-tenant apply",
  "configure-tenant drift",
  "run-automation (runs API)",
  "run-automation (trigger URL)",
  "provision-tenant",
] as const;

const APP = "Sales Analytics";
const FAST = { reloadPollIntervalMs: 10, publishAccessTimeoutMs: 10_000 } as const;
/** 40 characters: Qlik accepts webhook secrets of 32 to 64. */
const WEBHOOK_SECRET = "contract-webhook-secret-0123456789abcdef";

/** Creates a triggered automation through Qlik's REST API; its runs end with `outcome`. */
async function createAutomation(
  url: string,
  apiKey: string,
  outcome: string,
): Promise<{ id: string; executionToken: string }> {
  const res = await fetch(`${url}/api/v1/automations`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      name: `contract ${outcome}`,
      workspace: { runMode: "triggered", simulation: { outcome, output: { rows: 1 } } },
    }),
  });
  if (res.status !== 201) throw new Error(`Automation not created: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; executionToken: string };
}

function blueprint(appDir: string): Blueprint {
  return {
    version: 1,
    tenant: { name: "Contract Tenant", settings: { enableAnalyticCreation: true } },
    identityProvider: {
      protocol: "jwtAuth",
      description: "contract-jwt",
      issuer: "https://contract.example",
      keys: [
        {
          kid: "k1",
          pem: "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
        },
      ],
    },
    users: [
      { subject: "contract|ann", name: "Ann", email: "ann@contract.example", roles: ["SharedSpaceCreator"] },
    ],
    spaces: [
      {
        name: "customer-reports",
        type: "shared",
        description: "Reports",
        members: [{ user: "contract|ann", roles: ["producer"] }],
      },
    ],
    oauthClients: [
      {
        name: "contract-backend",
        appType: "web",
        grantTypes: ["client_credentials"],
        secret: { exportVariable: "CONTRACT_BACKEND_SECRET" },
      },
    ],
    branding: { name: "Contract", description: "Contract colours" },
    monitoring: {
      apps: [
        {
          source: appDir,
          name: "Reload Monitor",
          schedule: { recurrence: ["RRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=0"], timeZone: "Europe/Zurich" },
        },
      ],
      failedReloadWebhook: { url: "http://127.0.0.1:9/hooks/reload", secretEnv: "HOOK_SECRET" },
    },
  };
}

/** Runs every flow once; everything it sends and receives lands in `recorder`. */
export async function runProductFlows(
  sim: RunningSimulator,
  recorder: Recorder,
  work: string,
): Promise<void> {
  const t = sim.description.tenants[0];
  const client = new QlikClient(
    { tenantUrl: t.url, apiKey: t.apiKey },
    { retry: { baseDelayMs: 10, maxDelayMs: 100 } },
  );
  const logger = silentLogger;
  const mainDir = join(work, "main");
  const prDir = join(work, "pull-request");
  let devAppId = "";
  try {
    await recorder.during("unbuild", async () => {
      const space = findSpace(await listSpaces(client), "development");
      const [dev] = await findAppsByName(client, space?.id ?? "", APP);
      if (!dev) throw new Error(`No app '${APP}' in the development space.`);
      await writeAppTree(mainDir, await client.withApp(dev.appId, (doc) => unbuildApp(doc)));
      devAppId = dev.appId;
    });

    await recorder.during("app export (@qlik/api exportApp)", async () => {
      // @qlik/api 2.19 types the answer as 200 with the file, but hands back Qlik's 201 and its Location:
      // the download is a second request.
      const res = (await client.call(
        { tier: "write", method: "POST", resource: "/api/v1/apps/{appId}/export", operation: "export app" },
        (opts) => exportApp(devAppId, { NoData: true }, opts),
      )) as unknown as { status: number; headers: Headers };
      const location = res.headers.get("location");
      if (res.status !== 201 || !location)
        throw new Error(`The export answered ${res.status} without a Location.`);
      const file = await client.fetch({
        tier: "read",
        method: "GET",
        resource: "/api/v1/temp-contents/{id}",
        url: location,
        responseType: "bytes",
      });
      if (file.status !== 200) throw new Error(`The export's download answered ${file.status}.`);
    });

    await recorder.during("deploy to a shared space", () =>
      deployApp(
        client,
        { source: mainDir, space: "development", appName: `${APP} (contract)`, ...FAST },
        { logger },
      ),
    );

    const rollbackStore = new MemoryRollbackStore();
    await recorder.during("deploy to a managed space", () =>
      deployApp(client, { source: mainDir, space: "test", appName: APP, ...FAST }, { logger, rollbackStore }),
    );

    cpSync(mainDir, prDir, { recursive: true });
    const script = join(prDir, "script.qvs");
    writeFileSync(script, `${readFileSync(script, "utf8")}\nTRACE pull request;\n`);
    await recorder.during("republish", () =>
      deployApp(client, { source: prDir, space: "test", appName: APP, ...FAST }, { logger, rollbackStore }),
    );
    await recorder.during("rollback", () =>
      deployApp(client, { space: "test", appName: APP, rollback: true, ...FAST }, { logger, rollbackStore }),
    );

    await recorder.during("build and ship an app artifact (temp-contents, import, parameters)", async () => {
      const built = await buildArtifact(
        client,
        { source: mainDir, space: "test", appName: APP, ...FAST },
        { logger, rollbackStore },
      );
      const store = new ArtifactStore(join(work, "artifacts"));
      // Production's own parameters: a variable and a credentialed connection, set over QIX.
      const parameters = join(work, "ship-parameters.yml");
      writeFileSync(
        parameters,
        "environments:\n  production:\n    variables: { vTopN: '7' }\n    connections:\n      SalesData: { username: { env: CONTRACT_DB_USER }, password: { secret: CONTRACT_DB_PASSWORD } }\n",
      );
      // Through temp-contents (as a large file goes), then as the import's body; a republish follows.
      for (const [space, uploadThresholdBytes] of [
        ["acceptance", 0],
        ["production", undefined],
        ["acceptance", undefined],
      ] as const) {
        await shipArtifact(
          client,
          { ...built.artifact, bytes: new Uint8Array([...built.artifact.bytes]) },
          {
            space,
            appName: APP,
            ...(uploadThresholdBytes !== undefined ? { uploadThresholdBytes } : {}),
            ...(space === "production"
              ? {
                  parameters,
                  parametersKey: "contract-key",
                  env: { CONTRACT_DB_USER: "reader", CONTRACT_DB_PASSWORD: "contract-pa55word" },
                }
              : {}),
            ...FAST,
          },
          { logger, store },
        );
      }
    });

    await recorder.during("estate-status read (records, reloads)", async () => {
      const tenantsFile = join(work, "tenants.json");
      writeFileSync(
        tenantsFile,
        JSON.stringify({
          version: 1,
          tenants: [{ name: "contract", url: t.url, credentials: { apiKeyEnv: "CONTRACT_KEY" } }],
        }),
      );
      const report = await readEstate({
        tenantsFile,
        space: "acceptance",
        apps: [APP],
        env: { CONTRACT_KEY: t.apiKey },
      });
      // The read itself is what is checked; it must also have found the shipped version.
      if (report.tenants[0]?.apps[0]?.status !== "recorded") {
        throw new Error(`estate-status read: ${JSON.stringify(report.tenants[0])}`);
      }
    });

    await recorder.during("evaluate an app", () =>
      evaluateApp(
        client,
        { space: "test", appName: APP, baselineSpace: "test", passes: 1, pollIntervalMs: 10 },
        { logger },
      ),
    );
    await recorder.during("evaluate a pull request's files", () =>
      evaluateApp(
        client,
        { source: prDir, appName: APP, baselineSpace: "test", passes: 1, pollIntervalMs: 10 },
        { logger },
      ),
    );

    const env = { HOOK_SECRET: WEBHOOK_SECRET };
    await recorder.during("configure-tenant apply", () =>
      configureTenant(
        client,
        { blueprint: blueprint(mainDir), mode: "apply", baseDir: "/", env },
        { logger, exportVariable: () => undefined },
      ),
    );
    const reports = join(work, "drift");
    mkdirSync(reports, { recursive: true });
    await recorder.during("configure-tenant drift", () =>
      configureTenant(
        client,
        { blueprint: blueprint(mainDir), mode: "drift", baseDir: "/", env, reportDir: reports },
        { logger },
      ),
    );

    const ok = await createAutomation(t.url, t.apiKey, "finished");
    await recorder.during("run-automation (runs API)", async () => {
      await runAutomation(client, { automationId: ok.id, mode: "run", pollIntervalMs: 10 }, { logger });
      await runAutomation(client, { automationId: ok.id, mode: "run", wait: false }, { logger });
    });
    await recorder.during("run-automation (trigger URL)", async () => {
      const execute = { automationId: ok.id, mode: "execute" as const, executionToken: ok.executionToken };
      await runAutomation(client, { ...execute, inputs: { region: "eu" } }, { logger });
      await runAutomation(client, { ...execute, wait: false }, { logger });
    });

    await recorder.during("provision-tenant", async () => {
      const r = sim.description.regions.eu;
      const regional = {
        region: "eu",
        registrationUrl: r.registrationUrl,
        clientId: r.clientId,
        clientSecret: r.clientSecret,
      };
      const created = await provisionTenant(
        {
          ...regional,
          licenseKey: makeLicenseKey({ customer: "contract" }),
          hostnameAlias: "contract",
          blueprint: {
            baseDir: "/",
            blueprint: {
              version: 1,
              tenant: { name: "Contract Customer" },
              spaces: [{ name: "reports", type: "shared" }],
              users: [{ subject: "contract|peter", roles: ["SharedSpaceCreator"] }],
            },
          },
        },
        { logger },
      );
      await provisionTenant({ ...regional, operation: "deactivate", tenantId: created.tenantId }, { logger });
      await provisionTenant({ ...regional, operation: "reactivate", tenantId: created.tenantId }, { logger });
    });
  } finally {
    await client.close();
  }
}
