import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import {
  copyApp,
  createApp,
  deleteApp,
  exportApp,
  getAppInfo,
  importApp,
  moveAppToSpace,
  publishApp,
  republishApp,
  updateAppInfo,
} from "@qlik/api/apps";
import { getItem, getItems, getPublishedItems } from "@qlik/api/items";
import { getSpaces } from "@qlik/api/spaces";
import type { RunningSimulator } from "../src/index.ts";
import { apiKeyHost, errorCode, httpError, opts, startTestSimulator, waitFor } from "./core-helpers.ts";
import type { HostConfig } from "./core-helpers.ts";

let sim: RunningSimulator;
let host: HostConfig;
let space: Record<string, string>;

beforeAll(async () => {
  sim = await startTestSimulator({ timings: { publishAccessWindowMs: 300 } });
  host = apiKeyHost(sim);
  const spaces = (await getSpaces({}, opts(host))).data.data ?? [];
  space = Object.fromEntries(spaces.map((s) => [s.name, s.id]));
});
afterAll(() => sim.stop());

async function appItem(appId: string) {
  const res = await getItems({ resourceType: "app", resourceId: appId }, opts(host));
  return res.data.data;
}

describe("apps", () => {
  test("the seeded Sales Analytics app is in development with a data model", async () => {
    const items = await getItems({ resourceType: "app", name: "sales analytics" }, opts(host));
    expect(items.data.data).toHaveLength(1);
    const item = items.data.data[0];
    expect(item.spaceId).toBe(space.development);
    expect(item.id).not.toBe(item.resourceId);
    const app = await getAppInfo(item.resourceId!, opts(host));
    expect(app.data.attributes).toMatchObject({
      name: "Sales Analytics",
      spaceId: space.development,
      published: false,
      publishTime: "",
    });
    expect(app.data.attributes?.lastReloadTime).not.toBe("");
    const doc = sim.tenant("tenant-1").docs.get(item.resourceId!)!;
    expect([...doc.objects.values()].filter((o) => o.type === "sheet")).toHaveLength(3);
    expect(doc.tables.length).toBeGreaterThan(0);
  });

  test("create, get, update, delete; item follows the app", async () => {
    const created = await createApp(
      { attributes: { name: "Budget", spaceId: space.development, description: "b" } },
      opts(host),
    );
    const id = created.data.attributes!.id!;
    expect(created.data.attributes).toMatchObject({
      name: "Budget",
      description: "b",
      spaceId: space.development,
      published: false,
    });
    const [item] = await appItem(id);
    expect(item).toMatchObject({
      resourceType: "app",
      resourceId: id,
      name: "Budget",
      spaceId: space.development,
    });
    expect(item.id).not.toBe(id);
    expect((await getItem(item.id, opts(host))).data.resourceId).toBe(id);

    const upd = await updateAppInfo(
      id,
      { attributes: { name: "Budget 2027", description: "next" } },
      opts(host),
    );
    expect(upd.data.attributes).toMatchObject({ name: "Budget 2027", description: "next" });
    expect((await getAppInfo(id, opts(host))).data.attributes?.name).toBe("Budget 2027");
    expect((await appItem(id))[0].name).toBe("Budget 2027");
    expect(sim.tenant("tenant-1").docs.get(id)!.appProperties.qTitle).toBe("Budget 2027");

    expect((await deleteApp(id, opts(host))).status).toBe(200);
    expect((await httpError(getAppInfo(id, opts(host)))).status).toBe(404);
    expect(await appItem(id)).toEqual([]);
  });

  test("rejects what Qlik rejects: no name, unknown space, managed space", async () => {
    expect(
      (await httpError(createApp({ attributes: { spaceId: space.development } }, opts(host)))).status,
    ).toBe(400);
    expect(
      (await httpError(createApp({ attributes: { name: "x", spaceId: "nope" } }, opts(host)))).status,
    ).toBe(404);
    const managed = await httpError(
      createApp({ attributes: { name: "x", spaceId: space.production } }, opts(host)),
    );
    expect(managed.status).toBe(403);
    expect(errorCode(managed.data)).toBe("APPS-403");
  });

  test("copy keeps content under a new id; move between spaces", async () => {
    const { data: src } = await createApp(
      { attributes: { name: "Src", spaceId: space.development } },
      opts(host),
    );
    const srcId = src.attributes!.id!;
    sim.tenant("tenant-1").docs.get(srcId)!.script = "///$tab Main\nT: LOAD * INLINE [a\n1];\n";
    const copy = await copyApp(srcId, { attributes: { name: "Src copy" } }, opts(host));
    const copyId = copy.data.attributes!.id!;
    expect(copyId).not.toBe(srcId);
    expect((copy.data.attributes as { spaceId?: string }).spaceId).toBeUndefined();
    expect(sim.tenant("tenant-1").docs.get(copyId)!.script).toContain("INLINE");
    const moved = await moveAppToSpace(copyId, { spaceId: space.development }, opts(host));
    expect((moved.data.attributes as { spaceId?: string }).spaceId).toBe(space.development);
    expect((await appItem(copyId))[0].spaceId).toBe(space.development);
    expect((await httpError(moveAppToSpace(copyId, { spaceId: space.test }, opts(host)))).status).toBe(403);
  });

  test("export → 201 + location → download → import as a new app", async () => {
    const items = await getItems({ resourceType: "app", name: "Sales Analytics" }, opts(host));
    const appId = items.data.data[0].resourceId!;
    const exp = await exportApp(appId, {}, opts(host));
    expect(exp.status).toBe(201);
    const location = exp.headers.get("location")!;
    expect(location).toMatch(/^\/api\/v1\/temp-contents\//);
    const dl = await fetch(host.host + location, { headers: { authorization: `Bearer ${host.apiKey}` } });
    expect(dl.status).toBe(200);
    expect(dl.headers.get("content-disposition")).toContain('filename="Sales Analytics.qvf"');
    const bytes = new Uint8Array(await dl.arrayBuffer());
    const anon = await fetch(host.host + location);
    expect(anon.status).toBe(401);

    const imported = await importApp(
      { spaceId: space.development, name: "Imported sales" },
      bytes,
      opts(host),
    );
    const newId = imported.data.attributes!.id!;
    expect(newId).not.toBe(appId);
    expect(imported.data.attributes?.name).toBe("Imported sales");
    const docs = sim.tenant("tenant-1").docs;
    expect(docs.get(newId)!.objects.size).toBe(docs.get(appId)!.objects.size);
    expect(docs.get(newId)!.measures.size).toBe(4);

    expect(
      (await httpError(importApp({ spaceId: space.development }, new Uint8Array([1, 2, 3]), opts(host))))
        .status,
    ).toBe(400);
    expect((await httpError(importApp({ spaceId: space.production }, bytes, opts(host)))).status).toBe(403);
    expect((await httpError(importApp({ mode: "AUTOREPLACE" }, bytes, opts(host)))).status).toBe(400);
  });

  test("publish to a managed space: new copy, 403 for a short window, published items, republish keeps the id", async () => {
    const { data: src } = await createApp(
      { attributes: { name: "Pipeline app", spaceId: space.development } },
      opts(host),
    );
    const srcId = src.attributes!.id!;
    const srcDoc = sim.tenant("tenant-1").docs.get(srcId)!;
    srcDoc.objects.set("sh1", {
      id: "sh1",
      type: "sheet",
      parentId: null,
      childIds: [],
      properties: { qInfo: { qId: "sh1", qType: "sheet" }, qMetaDef: { title: "One" } },
      createdDate: "2026-01-01T00:00:00.000Z",
      modifiedDate: "2026-01-01T00:00:00.000Z",
      ownerId: "u",
      published: false,
      approved: false,
    });

    expect((await httpError(publishApp(srcId, { spaceId: space.development }, opts(host)))).status).toBe(400);
    const pub = await publishApp(srcId, { spaceId: space.test, data: "source" }, opts(host));
    const pubId = pub.data.attributes!.id!;
    expect(pubId).not.toBe(srcId);
    expect(pub.data.attributes).toMatchObject({
      published: true,
      spaceId: space.test,
      originAppId: srcId,
      name: "Pipeline app",
    });
    expect(pub.data.attributes?.publishTime).not.toBe("");
    const sheet = sim.tenant("tenant-1").docs.get(pubId)!.objects.get("sh1")!;
    expect(sheet).toMatchObject({ published: true, approved: true });

    const early = await httpError(getAppInfo(pubId, opts(host)));
    expect(early.status).toBe(403);
    const info = await waitFor(async () => {
      try {
        return await getAppInfo(pubId, opts(host));
      } catch {
        return undefined;
      }
    });
    expect(info.data.attributes?.published).toBe(true);

    const [srcItem] = await appItem(srcId);
    const published = await getPublishedItems(srcItem.id, {}, opts(host));
    const pubItems = published.data.data as unknown as { resourceId: string; spaceId: string }[];
    expect(pubItems.map((i) => [i.resourceId, i.spaceId])).toEqual([[pubId, space.test]]);

    // Change the source, then republish over the same published copy.
    srcDoc.script = "///$tab Main\nT: LOAD * INLINE [a\n2];\n";
    const rep = await republishApp(
      srcId,
      { targetId: pubId, data: "source", attributes: { name: "Pipeline app v2" } },
      opts(host),
    );
    expect(rep.data.attributes?.id).toBe(pubId);
    expect(rep.data.attributes?.name).toBe("Pipeline app v2");
    expect(sim.tenant("tenant-1").docs.get(pubId)!.script).toContain("[a\n2]");
    const after = await getPublishedItems(srcItem.id, {}, opts(host));
    expect((after.data.data as unknown as { resourceId: string }[]).map((i) => i.resourceId)).toEqual([
      pubId,
    ]);

    const { data: other } = await createApp(
      { attributes: { name: "Other", spaceId: space.development } },
      opts(host),
    );
    const mismatch = await httpError(republishApp(other.attributes!.id!, { targetId: pubId }, opts(host)));
    expect(mismatch.status).toBe(400);
    expect((await httpError(republishApp(srcId, { targetId: "missing" }, opts(host)))).status).toBe(404);
    expect((await httpError(exportApp(pubId, {}, opts(host)))).status).toBe(403);
  });

  test("items: resourceId needs resourceType; limit validated; noActions omits actions; paging", async () => {
    expect((await httpError(getItems({ resourceId: "x" }, opts(host)))).status).toBe(400);
    expect((await httpError(getItems({ limit: 0 }, opts(host)))).status).toBe(400);
    const withActions = await getItems({ resourceType: "app", limit: 1 }, opts(host));
    expect(withActions.data.data[0].actions.length).toBeGreaterThan(0);
    const noActions = await getItems({ resourceType: "app", limit: 1, noActions: true }, opts(host));
    expect(noActions.data.data[0].actions).toBeUndefined();
    const all: string[] = [];
    let page = await getItems({ resourceType: "app", limit: 2 }, opts(host));
    all.push(...page.data.data.map((i) => i.id));
    while (page.next) {
      page = await page.next({ hostConfig: host, noCache: true });
      all.push(...page.data.data.map((i) => i.id));
    }
    expect(all.length).toBe(sim.tenant("tenant-1").apps.size);
    expect(new Set(all).size).toBe(all.length);
  });
});
