// QIX through @qlik/api against a minimal JSON-RPC engine on a loopback WebSocket.
import { afterAll, afterEach, describe, expect, it } from "@jest/globals";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import { QlikClient, QlikUnauthorizedError } from "../src/index.ts";
import { productInfo } from "./helpers/loopback.ts";

interface Engine {
  url: string;
  upgrades: { url: string; authorization?: string }[];
  methods: string[];
  /** Most requests received but not yet answered at one time, per socket. */
  peakInFlight: number;
  openSockets: () => number;
  close(): Promise<void>;
}

async function startEngine(options: { delayMs?: number; rejectAuth?: boolean } = {}): Promise<Engine> {
  const server = http.createServer((req, res) => {
    if (productInfo(req, res)) return;
    res.writeHead(404);
    res.end();
  });
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  const engine: Engine = {
    url: "",
    upgrades: [],
    methods: [],
    peakInFlight: 0,
    openSockets: () => sockets.size,
    close: async () => {
      for (const s of sockets) s.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  server.on("upgrade", (req, socket, head) => {
    engine.upgrades.push({ url: req.url ?? "", authorization: req.headers.authorization });
    if (options.rejectAuth) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on("close", () => sockets.delete(ws));
      let inFlight = 0;
      ws.send(
        JSON.stringify({
          jsonrpc: "2.0",
          method: "OnConnected",
          params: { qSessionState: "SESSION_CREATED" },
        }),
      );
      ws.on("message", (raw) => {
        const msg = JSON.parse(String(raw)) as {
          id: number;
          method: string;
          handle: number;
          params: unknown;
        };
        engine.methods.push(msg.method);
        inFlight++;
        engine.peakInFlight = Math.max(engine.peakInFlight, inFlight);
        const answer = () => {
          inFlight--;
          let result: unknown = {};
          if (msg.method === "OpenDoc")
            result = { qReturn: { qType: "Doc", qHandle: 1, qGenericId: "app-1" } };
          else if (msg.method === "GetScript") result = { qScript: "LOAD 1 AS x AUTOGENERATE 1;" };
          else if (msg.method === "GetAppProperties") result = { qProp: { qTitle: "Sales" } };
          else if (msg.method === "GetObject") result = { qReturn: { qType: null, qHandle: null } };
          ws.send(JSON.stringify({ jsonrpc: "2.0", id: msg.id, result }));
        };
        if (options.delayMs && msg.method !== "OpenDoc") setTimeout(answer, options.delayMs);
        else answer();
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  engine.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return engine;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

// @qlik/api starts a 2 s timer on every session open (it listens for a Qlik Sense on Windows auth
// notification) and does not unref it; let the last one run out so the Jest worker exits cleanly.
let lastOpen = 0;
afterAll(async () => {
  const wait = lastOpen + 2100 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
});

async function setup(options?: Parameters<typeof startEngine>[0]) {
  const engine = await startEngine(options);
  cleanups.push(() => engine.close());
  const client = new QlikClient({ tenantUrl: engine.url, apiKey: "qix-api-key-1" });
  cleanups.push(async () => {
    lastOpen = Date.now();
    await client.close();
  });
  return { engine, client };
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

describe("withApp", () => {
  it("opens the app with the bearer token, pipelines requests, and closes the session", async () => {
    const { engine, client } = await setup({ delayMs: 50 });
    const started = Date.now();
    const [script, props] = await client.withApp("app-1", async (doc) => {
      // Not awaited one by one: both go out on the socket before either answer comes back.
      return Promise.all([doc.getScript(), doc.getAppProperties()]);
    });
    expect(script).toBe("LOAD 1 AS x AUTOGENERATE 1;");
    expect(props.qTitle).toBe("Sales");
    expect(engine.upgrades[0].url).toMatch(/^\/app\/app-1/);
    expect(engine.upgrades[0].authorization).toBe("Bearer qix-api-key-1");
    // OpenDoc is answered at once; only GetScript and GetAppProperties can overlap, so 2 proves pipelining.
    expect(engine.methods).toEqual(["OpenDoc", "GetScript", "GetAppProperties"]);
    expect(engine.peakInFlight).toBe(2);
    expect(Date.now() - started).toBeLessThan(2000);
    await until(() => engine.openSockets() === 0);
    expect(engine.openSockets()).toBe(0);
  });

  it("closes the session when the callback throws, and passes the error through", async () => {
    const { engine, client } = await setup();
    const error = await client
      .withApp("app-1", async (doc) => {
        await doc.getScript();
        throw new Error("boom in callback");
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe("boom in callback");
    await until(() => engine.openSockets() === 0);
    expect(engine.openSockets()).toBe(0);
  });

  it("maps a rejected WebSocket upgrade to a typed 401 error naming the app", async () => {
    const { engine, client } = await setup({ rejectAuth: true });
    const error = await client.withApp("app-1", async (doc) => doc.getScript()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QlikUnauthorizedError);
    expect((error as Error).message).toBe(
      `The API key was rejected by tenant ${client.tenantName} (401 on OPEN /app/app-1).`,
    );
    expect(engine.upgrades.length).toBeGreaterThan(0);
  });
});
