// Read-only checks against a real Qlik Cloud tenant. Skipped unless QLIK_LIVE_TENANT_URL and either
// QLIK_LIVE_API_KEY or QLIK_LIVE_CLIENT_ID + QLIK_LIVE_CLIENT_SECRET are set (see live-env.ts). Nothing
// on the tenant changes here: only a dry-run deploy is attempted. The checks that write are in
// write-flow.test.ts.
//   QLIK_LIVE_APP_ID   an app to unbuild twice (must be byte-identical)
//   QLIK_LIVE_SPACE    a space to plan a deploy of that app into (dry run)
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { unbuildApp } from "@qlik-cicd/app-files";
import { deployApp, listSpaces } from "@qlik-cicd/delivery";
import type { QlikClient } from "@qlik-cicd/qlik-client";
import { allowNetwork } from "../setup/network-isolation.ts";
import { connect as newClient, live } from "./live-env.ts";

const env = process.env;
const describeLive = live ? describe : describe.skip;

describeLive("live tenant (QLIK_LIVE_*)", () => {
  let client: QlikClient;
  const connect = () => (client ??= newClient());

  // The shared setup blocks traffic beyond loopback; a live run needs the tenant's host.
  beforeAll(() => allowNetwork());
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
