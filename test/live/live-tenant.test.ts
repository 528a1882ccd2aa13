// End-to-end checks against a real Qlik Cloud tenant. Skipped unless QLIK_LIVE_TENANT_URL and either
// QLIK_LIVE_API_KEY or QLIK_LIVE_CLIENT_ID + QLIK_LIVE_CLIENT_SECRET are set. Read-only by default:
// only a dry-run deploy is attempted, so nothing on the tenant changes.
//   QLIK_LIVE_APP_ID   an app to unbuild twice (must be byte-identical)
//   QLIK_LIVE_SPACE    a space to plan a deploy of that app into (dry run)
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { unbuildApp } from "@qlik-cicd/app-files";
import { deployApp, listSpaces } from "@qlik-cicd/delivery";
import { QlikClient } from "@qlik-cicd/qlik-client";

const env = process.env;
const tenantUrl = env.QLIK_LIVE_TENANT_URL;
const credentials = env.QLIK_LIVE_API_KEY
  ? { apiKey: env.QLIK_LIVE_API_KEY }
  : env.QLIK_LIVE_CLIENT_ID && env.QLIK_LIVE_CLIENT_SECRET
    ? { clientId: env.QLIK_LIVE_CLIENT_ID, clientSecret: env.QLIK_LIVE_CLIENT_SECRET }
    : undefined;
const live = Boolean(tenantUrl && credentials);
const describeLive = live ? describe : describe.skip;

describeLive("live tenant (QLIK_LIVE_*)", () => {
  let client: QlikClient;
  const connect = () => (client ??= new QlikClient({ tenantUrl: tenantUrl!, ...credentials! }));

  // The shared setup blocks traffic beyond loopback; a live run needs the tenant's host.
  beforeAll(() => nock.enableNetConnect());
  afterAll(async () => client?.close());

  it("lists spaces through the shared client", async () => {
    const spaces = await listSpaces(connect());
    expect(Array.isArray(spaces)).toBe(true);
  });

  (env.QLIK_LIVE_APP_ID ? it : it.skip)("unbuilds the same app twice into identical files", async () => {
    const appId = env.QLIK_LIVE_APP_ID!;
    const first = await connect().withApp(appId, (doc) => unbuildApp(doc));
    const second = await connect().withApp(appId, (doc) => unbuildApp(doc));
    expect(second.fileTexts()).toEqual(first.fileTexts());
  });

  (env.QLIK_LIVE_APP_ID && env.QLIK_LIVE_SPACE ? it : it.skip)(
    "plans a deploy without changing anything",
    async () => {
      const result = await deployApp(connect(), {
        sourceAppId: env.QLIK_LIVE_APP_ID!,
        space: env.QLIK_LIVE_SPACE!,
        dryRun: true,
      });
      expect(result.plan.dryRun).toBe(true);
    },
  );
});
