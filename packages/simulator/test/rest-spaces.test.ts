import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import {
  createSpace,
  createSpaceAssignment,
  deleteSpace,
  deleteSpaceAssignment,
  getSpace,
  getSpaceAssignments,
  getSpaces,
  getSpaceTypes,
  patchSpace,
  updateSpace,
} from "@qlik/api/spaces";
import type { RunningSimulator } from "../src/index.ts";
import { apiKeyHost, errorCode, httpError, opts, startTestSimulator } from "./core-helpers.ts";
import type { HostConfig } from "./core-helpers.ts";

let sim: RunningSimulator;
let host: HostConfig;

beforeAll(async () => {
  sim = await startTestSimulator({ tenants: 2 });
  host = apiKeyHost(sim);
});
afterAll(() => sim.stop());

describe("spaces", () => {
  test("the seeded tenant has development (shared) and test/acceptance/production (managed)", async () => {
    const res = await getSpaces({ limit: 100 }, opts(host));
    const byName = Object.fromEntries((res.data.data ?? []).map((s) => [s.name, s.type]));
    expect(byName).toEqual({
      development: "shared",
      test: "managed",
      acceptance: "managed",
      production: "managed",
    });
    expect(res.data.meta?.count).toBe(4);
    const second = await getSpaces({ type: "managed" }, opts(apiKeyHost(sim, 1)));
    expect(second.data.data?.map((s) => s.name).sort()).toEqual(["acceptance", "production", "test"]);
  });

  test("filters by name (case-insensitive contains) and type; bad type is 400", async () => {
    const res = await getSpaces({ name: "DUCT" }, opts(host));
    expect(res.data.data?.map((s) => s.name)).toEqual(["production"]);
    const err = await httpError(getSpaces({ type: "personalish" }, opts(host)));
    expect(err.status).toBe(400);
  });

  test("pages with links.next that @qlik/api follows", async () => {
    const first = await getSpaces({ limit: 3 }, opts(host));
    expect(first.data.data).toHaveLength(3);
    expect(first.next).toBeDefined();
    const second = await first.next!({ hostConfig: host, noCache: true });
    expect(second.data.data).toHaveLength(1);
    expect(second.next).toBeUndefined();
  });

  test("create → 201 with typed fields; duplicate name → 409; invalid body → 400", async () => {
    const created = await createSpace({ name: "Finance", type: "shared", description: "money" }, opts(host));
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      name: "Finance",
      type: "shared",
      description: "money",
      tenantId: sim.description.tenants[0].id,
    });
    expect(created.data.links.self.href).toBe(`${host.host}/api/v1/spaces/${created.data.id}`);
    expect(created.data.meta?.assignableRoles).toContain("producer");

    const dup = await httpError(createSpace({ name: "finance", type: "managed" }, opts(host)));
    expect(dup.status).toBe(409);
    expect(errorCode(dup.data)).toBe("SPACES-409");
    expect(dup.headers.get("x-request-id")).toMatch(/^[0-9a-f]{32}$/);

    expect((await httpError(createSpace({ name: "x", type: "team" as "shared" }, opts(host)))).status).toBe(
      400,
    );
    expect((await httpError(createSpace({ name: "a/b", type: "shared" }, opts(host)))).status).toBe(400);
    expect((await httpError(createSpace({ type: "shared" } as never, opts(host)))).status).toBe(400);
  });

  test("get, update, patch, delete", async () => {
    const { data: s } = await createSpace({ name: "Ops", type: "managed" }, opts(host));
    expect((await getSpace(s.id, opts(host))).data.name).toBe("Ops");
    const upd = await updateSpace(s.id, { name: "Operations", description: "d" }, opts(host));
    expect(upd.data).toMatchObject({ name: "Operations", description: "d", type: "managed" });
    const patched = await patchSpace(
      s.id,
      [{ op: "replace", path: "/description", value: "patched" }],
      opts(host),
    );
    expect(patched.data.description).toBe("patched");
    expect((await httpError(updateSpace(s.id, { name: "development" }, opts(host)))).status).toBe(409);
    const del = await deleteSpace(s.id, opts(host));
    expect(del.status).toBe(204);
    expect((await httpError(getSpace(s.id, opts(host)))).status).toBe(404);
    expect((await httpError(deleteSpace(s.id, opts(host)))).status).toBe(404);
  });

  test("space types", async () => {
    expect((await getSpaceTypes(opts(host))).data.data).toEqual(["shared", "managed", "data"]);
  });

  test("assignments: roles validated per space type, 409 on a duplicate, list and delete", async () => {
    const spaces = (await getSpaces({ name: "production" }, opts(host))).data.data!;
    const prod = spaces[0];
    const userId = sim.tenant("tenant-1").users.keys().next().value as string;
    const bad = await httpError(
      createSpaceAssignment(prod.id, { type: "user", assigneeId: userId, roles: ["producer"] }, opts(host)),
    );
    expect(bad.status).toBe(400);
    const empty = await httpError(
      createSpaceAssignment(prod.id, { type: "user", assigneeId: userId, roles: [] }, opts(host)),
    );
    expect(empty.status).toBe(400);
    const missing = await httpError(
      createSpaceAssignment(prod.id, { type: "user", assigneeId: "nobody", roles: ["consumer"] }, opts(host)),
    );
    expect(missing.status).toBe(404);

    const a = await createSpaceAssignment(
      prod.id,
      { type: "user", assigneeId: userId, roles: ["consumer", "publisher"] },
      opts(host),
    );
    expect(a.status).toBe(201);
    expect(a.data).toMatchObject({
      type: "user",
      assigneeId: userId,
      roles: ["consumer", "publisher"],
      spaceId: prod.id,
    });
    const dup = await httpError(
      createSpaceAssignment(prod.id, { type: "user", assigneeId: userId, roles: ["consumer"] }, opts(host)),
    );
    expect(dup.status).toBe(409);

    const list = await getSpaceAssignments(prod.id, {}, opts(host));
    expect(list.data.data?.map((x) => x.id)).toEqual([a.data.id]);
    expect((await deleteSpaceAssignment(prod.id, a.data.id, opts(host))).status).toBe(204);
    expect((await getSpaceAssignments(prod.id, {}, opts(host))).data.data).toEqual([]);
  });
});
