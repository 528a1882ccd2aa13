// Benchmark: unbuild of a large app (2,000+ objects) with every engine message delayed, pipelined (the
// library's normal path: requests fired together on one socket) vs one request at a time.
// Run: node scripts/bench/unbuild.ts [--sheets 100] [--charts 20] [--rtt-ms 20]
// A loopback proxy between @qlik/api and the simulator delays each WebSocket message by half the
// round trip in each direction, like a network would.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { WebSocket, WebSocketServer } from "ws";
import { createApp } from "@qlik/api/apps";
import { AppTree, buildApp, unbuildApp, type QixDoc } from "@qlik-cicd/app-files";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator } from "@qlik-cicd/simulator";
import { largeAppContent } from "./large-app.ts";

const { values } = parseArgs({
  options: {
    sheets: { type: "string", default: "100" },
    charts: { type: "string", default: "20" },
    "rtt-ms": { type: "string", default: "20" },
  },
});
const rttMs = Number(values["rtt-ms"]);

/** An HTTP + WebSocket proxy that adds rttMs/2 to every message in each direction. */
async function startDelayProxy(upstream: string): Promise<{ url: string; close(): Promise<void> }> {
  const half = rttMs / 2;
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !["host", "connection", "content-length"].includes(k)),
    ) as Record<string, string>;
    const answer = await fetch(upstream + req.url, {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const body = Buffer.from(await answer.arrayBuffer());
    res.writeHead(answer.status, {
      "content-type": answer.headers.get("content-type") ?? "application/json",
    });
    res.end(body);
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (client) => {
      const target = new WebSocket(upstream.replace(/^http/, "ws") + req.url, {
        headers: { authorization: req.headers.authorization ?? "" },
      });
      const pending: string[] = [];
      target.on("open", () => pending.splice(0).forEach((m) => target.send(m)));
      client.on("message", (m) =>
        setTimeout(
          () =>
            target.readyState === WebSocket.OPEN ? target.send(m.toString()) : pending.push(m.toString()),
          half,
        ),
      );
      target.on("message", (m) =>
        setTimeout(() => client.readyState === WebSocket.OPEN && client.send(m.toString()), half),
      );
      client.on("close", () => target.close());
      target.on("close", () => client.close());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        wss.clients.forEach((c) => c.terminate());
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Wraps a Doc so that every engine call waits for the previous one to finish: the same unbuild code,
 * but one request in flight at a time, as a client without pipelining would behave.
 */
function oneAtATime<T extends object>(target: T, queue = { tail: Promise.resolve() as Promise<unknown> }): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const run = queue.tail.then(() => value.apply(obj, args));
        queue.tail = run.catch(() => undefined);
        return run.then((result) =>
          result &&
          typeof result === "object" &&
          !Array.isArray(result) &&
          typeof (result as { getProperties?: unknown }).getProperties === "function"
            ? oneAtATime(result as object, queue)
            : result,
        );
      };
    },
  });
}

const sim = await startSimulator({ tenants: 1, seed: "demo" });
const tenant = sim.description.tenants[0];
const direct = new QlikClient({ tenantUrl: tenant.url, apiKey: tenant.apiKey });
const proxy = await startDelayProxy(tenant.url);
const delayed = new QlikClient({ tenantUrl: proxy.url, apiKey: tenant.apiKey });
try {
  const content = largeAppContent(Number(values.sheets), Number(values.charts));
  const created = await direct.call({ tier: "write", method: "POST", resource: "/api/v1/apps" }, (opts) =>
    createApp({ attributes: { name: "Bench large app" } }, opts),
  );
  const appId = created.data.attributes!.id!;
  await direct.withApp(appId, (doc) =>
    buildApp(doc as unknown as QixDoc, new AppTree(content), { reload: false }),
  );
  const objectCount = (content.objects ?? []).reduce((n, o) => n + 1 + o.qChildren.length, 0);

  const pipelinedStart = performance.now();
  const pipelined = await delayed.withApp(appId, (doc) => unbuildApp(doc as unknown as QixDoc));
  const pipelinedMs = performance.now() - pipelinedStart;

  const serialStart = performance.now();
  const serial = await delayed.withApp(appId, (doc) => unbuildApp(oneAtATime(doc as unknown as QixDoc)));
  const serialMs = performance.now() - serialStart;

  const same = JSON.stringify([...pipelined.fileTexts()]) === JSON.stringify([...serial.fileTexts()]);
  if (!same) throw new Error("the two unbuilds differ");
  console.log(`app: ${objectCount} objects, engine round trip: ${rttMs} ms`);
  console.log(`pipelined unbuild: ${pipelinedMs.toFixed(0)} ms`);
  console.log(`one request at a time: ${serialMs.toFixed(0)} ms`);
  console.log(`speed-up (one at a time / pipelined): ${(serialMs / pipelinedMs).toFixed(1)}x (goal >= 10x)`);
} finally {
  await direct.close();
  await delayed.close();
  await proxy.close();
  await sim.stop();
}
