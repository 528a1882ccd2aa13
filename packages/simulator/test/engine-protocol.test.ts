import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { startEngineHarness } from "./engine-harness.ts";
import type { EngineHarness } from "./engine-harness.ts";

type Msg = Record<string, unknown>;
let h: EngineHarness;

beforeAll(async () => {
  h = await startEngineHarness();
  const app = h.addApp("app-raw");
  app.doc.script = "LIB CONNECT TO 'Nope';";
});
afterAll(async () => {
  await h.close();
});

async function connect() {
  const sock = await h.rawSocket("app-raw");
  let nextId = 1;
  const call = async (handle: number, method: string, params: unknown = []): Promise<Msg> => {
    const id = nextId++;
    sock.ws.send(JSON.stringify({ jsonrpc: "2.0", id, handle, method, params, delta: true }));
    for (;;) {
      const msg = (await sock.next()) as Msg;
      if (msg.id === id) return msg;
    }
  };
  return { sock, call };
}

test("OnConnected, OpenDoc, errors and named params speak the engine's protocol", async () => {
  const { sock, call } = await connect();
  expect(await sock.next()).toEqual({
    jsonrpc: "2.0",
    method: "OnConnected",
    params: { qSessionState: "SESSION_CREATED" },
  });
  const open = await call(-1, "OpenDoc", { qDocName: "app-raw" });
  expect(open).toEqual({
    jsonrpc: "2.0",
    id: 1,
    result: { qReturn: { qType: "Doc", qHandle: 1, qGenericType: "", qGenericId: "app-raw" } },
  });
  expect((await call(-1, "GetActiveDoc")).result).toMatchObject({ qReturn: { qHandle: 1 } });
  expect((await call(-1, "OpenDoc", ["other-app"])).error).toMatchObject({ code: 1003 });
  expect((await call(1, "NoSuchMethod")).error).toEqual({
    code: -32601,
    parameter: "NoSuchMethod",
    message: "Method not found",
  });
  expect((await call(99, "GetLayout")).error).toMatchObject({ code: -32602 });
  expect((await call(1, "GetObject", { qId: "missing" })).result).toEqual({
    qReturn: { qType: null, qHandle: null },
  });
  expect((await call(1, "SetScript", [42])).error).toMatchObject({ code: -32602, parameter: "qScript" });
  expect((await call(-1, "EngineVersion")).result).toMatchObject({
    qVersion: { qComponentVersion: expect.any(String) },
  });
  sock.ws.close();
});

test("changes reach other connections; destroyed objects are closed; GetProgress reports reload errors", async () => {
  const a = await connect();
  const b = await connect();
  await a.sock.next();
  await b.sock.next();
  await a.call(-1, "OpenDoc", ["app-raw"]);
  await b.call(-1, "OpenDoc", ["app-raw"]);
  const created = await a.call(1, "CreateObject", [{ qInfo: { qId: "s1", qType: "sheet" } }]);
  expect(created.result).toMatchObject({
    qInfo: { qId: "s1", qType: "sheet" },
    qReturn: { qType: "GenericObject" },
  });
  expect(created.change).toEqual(expect.arrayContaining([1]));
  expect(await b.sock.next()).toEqual({ jsonrpc: "2.0", change: [1] });

  const got = await b.call(1, "GetObject", ["s1"]);
  const handle = (got.result as { qReturn: { qHandle: number } }).qReturn.qHandle;
  const again = await b.call(1, "GetObject", ["s1"]);
  expect((again.result as { qReturn: { qHandle: number } }).qReturn.qHandle).toBe(handle);

  await a.call(1, "DestroyObject", ["s1"]);
  const pushed = (await b.sock.next()) as Msg;
  expect(pushed.close).toEqual([handle]);
  expect((await b.call(handle, "GetLayout")).error).toMatchObject({ code: -32602 });

  const reload = await a.call(1, "DoReload", []);
  expect(reload.result).toEqual({ qReturn: false });
  const progress = await a.call(-1, "GetProgress", [reload.id]);
  const data = (progress.result as { qProgressData: Msg }).qProgressData;
  expect(data.qFinished).toBe(true);
  expect(data.qErrorData).toEqual([
    expect.objectContaining({ qErrorString: "Connection 'Nope' not found", qErrorDataCode: "EDC_ERROR" }),
  ]);
  a.sock.ws.close();
  b.sock.ws.close();
});
