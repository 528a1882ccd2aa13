// The deployment record against the simulator, over Qlik's app media endpoints: written, replaced,
// read back, absent, carried by publish, republish, export and import like the rest of the app.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createApp, exportApp, importApp, publishApp, republishApp } from "@qlik/api/apps";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator } from "@qlik-cicd/simulator";
import {
  DEPLOYMENT_RECORD_PATH,
  readDeploymentRecord,
  writeDeploymentRecord,
  type DeploymentRecord,
} from "../src/index.ts";

type Sim = Awaited<ReturnType<typeof startSimulator>>;
let sim: Sim;
let client: QlikClient;
let tenantName: string;

const record = (sourceDigest: string, extra: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
  schema: 1,
  appName: "Sales Analytics",
  sourceDigest,
  deployedAt: "2026-12-06T10:00:00.000Z",
  ...extra,
});

const spaceId = (name: string) =>
  sim.control.state(tenantName).spaces.find((s) => s.name === name)?.id as string;

async function newApp(name: string): Promise<string> {
  const res = await client.call({ tier: "write", method: "POST", resource: "/api/v1/apps" }, (opts) =>
    createApp({ attributes: { name, spaceId: spaceId("development") } }, opts),
  );
  return res.data.attributes?.id as string;
}

beforeAll(async () => {
  sim = await startSimulator({ tenants: 1, seed: "demo", timings: { publishAccessWindowMs: 0 } });
  const t = sim.description.tenants[0];
  tenantName = t.name;
  client = new QlikClient({ tenantUrl: t.url, apiKey: t.apiKey });
});

afterAll(async () => {
  await client?.close();
  await sim?.stop();
});

describe("deployment record", () => {
  it("is absent on an app no deploy recorded, then reads back what was written", async () => {
    const appId = await newApp("Record A");
    expect(await readDeploymentRecord(client, appId)).toBeUndefined();
    const first = record("sha256:aaa", { commit: "abc1234", artifactDigest: "sha256:fff" });
    await writeDeploymentRecord(client, appId, first);
    expect(await readDeploymentRecord(client, appId)).toEqual(first);
  });

  it("replaces the record an app already has (Qlik refuses to overwrite a media file)", async () => {
    const appId = await newApp("Record B");
    await writeDeploymentRecord(client, appId, record("sha256:one"));
    const second = record("sha256:two", { previous: { sourceDigest: "sha256:one" } });
    await writeDeploymentRecord(client, appId, second);
    expect(await readDeploymentRecord(client, appId)).toEqual(second);
  });

  it("ignores a media file of that name that is not a record", async () => {
    const appId = await newApp("Record C");
    await client.fetch({
      tier: "write",
      method: "PUT",
      resource: "/api/v1/apps/{appId}/media/files/{path}",
      url: `/api/v1/apps/${appId}/media/files/${DEPLOYMENT_RECORD_PATH}`,
      body: Buffer.from("not json"),
      headers: { "content-type": "application/octet-stream" },
    });
    expect(await readDeploymentRecord(client, appId)).toBeUndefined();
  });

  it("travels with publish, republish, export and import", async () => {
    const staging = await newApp("Record D");
    await writeDeploymentRecord(client, staging, record("sha256:v1"));
    const published = await client.call(
      { tier: "write", method: "POST", resource: "/api/v1/apps/{appId}/publish" },
      (opts) => publishApp(staging, { spaceId: spaceId("production"), data: "source" }, opts),
    );
    const copyId = published.data.attributes?.id as string;
    expect((await readDeploymentRecord(client, copyId))?.sourceDigest).toBe("sha256:v1");

    await writeDeploymentRecord(client, staging, record("sha256:v2"));
    await client.call({ tier: "write", method: "PUT", resource: "/api/v1/apps/{appId}/publish" }, (opts) =>
      republishApp(staging, { targetId: copyId, data: "source" }, opts),
    );
    expect((await readDeploymentRecord(client, copyId))?.sourceDigest).toBe("sha256:v2");

    const exported = await client.call(
      { tier: "write", method: "POST", resource: "/api/v1/apps/{appId}/export" },
      (opts) => exportApp(staging, { NoData: true }, opts),
    );
    const location = exported.headers.get("location") as string;
    const file = await client.fetch({
      tier: "read",
      method: "GET",
      resource: "/api/v1/temp-contents/{id}",
      url: location,
      responseType: "bytes",
    });
    const imported = await client.call(
      { tier: "write", method: "POST", resource: "/api/v1/apps/import" },
      (opts) =>
        importApp(
          { name: "Record D imported", spaceId: spaceId("development") },
          new Blob([file.data as Uint8Array]),
          opts,
        ),
    );
    const importedId = imported.data.attributes?.id as string;
    expect((await readDeploymentRecord(client, importedId))?.sourceDigest).toBe("sha256:v2");
  });
});
