// The deployment record against the simulator, over Qlik's app media endpoints: written, replaced,
// read back, absent, carried by publish, republish, export and import like the rest of the app.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getItems } from "@qlik/api/items";
import { AppTree, treeDigest, unbuildApp, writeAppTree } from "@qlik-cicd/app-files";
import { createApp, exportApp, importApp, publishApp, republishApp } from "@qlik/api/apps";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator } from "@qlik-cicd/simulator";
import {
  deployApp,
  DEPLOYMENT_RECORD_PATH,
  readDeploymentRecord,
  writeDeploymentRecord,
  type DeploymentRecord,
} from "../src/index.ts";
import { withTitle } from "../src/deploy/content.ts";

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
  if (work) rmSync(work, { recursive: true, force: true });
});

let work: string | undefined;

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

describe("deployApp writes the record", () => {
  it("into the published copy of a managed space, naming what it replaced", async () => {
    work = mkdtempSync(join(tmpdir(), "deployment-record-"));
    const development = spaceId("development");
    const items = await client.call({ tier: "read", method: "GET", resource: "/api/v1/items" }, (opts) =>
      getItems({ resourceType: "app", spaceId: development, limit: 100 }, opts),
    );
    const devId = items.data.data.find((i) => i.name === "Sales Analytics")?.resourceId as string;
    const tree = await client.withApp(devId, (doc) => unbuildApp(doc));
    const v1 = join(work, "v1");
    const v2 = join(work, "v2");
    await writeAppTree(v1, tree);
    const changed = new AppTree({ ...tree.content, script: `${tree.script}\nTRACE v2;\n` });
    await writeAppTree(v2, changed);
    const options = {
      space: "acceptance",
      appName: "Recorded",
      reload: false,
      publishAccessTimeoutMs: 5_000,
    };

    const first = await deployApp(client, {
      ...options,
      source: v1,
      provenance: { commit: "1111111", commitTime: "2026-10-01T12:00:00.000Z" },
    });
    const firstRecord = await readDeploymentRecord(client, first.publishedAppId as string);
    expect(firstRecord).toMatchObject({
      appName: "Recorded",
      commit: "1111111",
      commitTime: "2026-10-01T12:00:00.000Z",
    });
    expect(firstRecord?.sourceDigest).toBe(treeDigest(withTitle(tree, "Recorded")));
    expect(firstRecord?.previous).toBeUndefined();

    const second = await deployApp(client, { ...options, source: v2, provenance: { commit: "2222222" } });
    expect(second.publishedAppId).toBe(first.publishedAppId);
    const secondRecord = await readDeploymentRecord(client, second.publishedAppId as string);
    expect(secondRecord?.sourceDigest).toBe(treeDigest(withTitle(changed, "Recorded")));
    expect(secondRecord).toMatchObject({
      commit: "2222222",
      previous: { commit: "1111111", sourceDigest: firstRecord?.sourceDigest },
    });

    // Nothing changed: the record stays as it is.
    const again = await deployApp(client, { ...options, source: v2, provenance: { commit: "3333333" } });
    expect(again.changed).toBe(false);
    expect(await readDeploymentRecord(client, second.publishedAppId as string)).toEqual(secondRecord);
  });
});
