// Real sockets on loopback: nock cannot show pooling, proxies or timeouts, so these tests run the
// client (and @qlik/api through it) against small servers started here.
import { afterEach, describe, expect, it } from "@jest/globals";
import { getSpaces } from "@qlik/api/spaces";
import net from "node:net";
import http from "node:http";
import { gzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import { QlikClient, QlikTimeoutError, QlikUnreachableError } from "../src/index.ts";
import { acquireTransport, defaultTransportOptions } from "../src/transport.ts";
import type { AttemptRecord } from "../src/transport.ts";
import type { LoopbackServer } from "./helpers/loopback.ts";
import { json, productInfo, startServer } from "./helpers/loopback.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function server(handler: Parameters<typeof startServer>[0]): Promise<LoopbackServer> {
  const s = await startServer(handler);
  cleanups.push(() => s.close());
  return s;
}

function client(url: string, options: ConstructorParameters<typeof QlikClient>[1] = {}): QlikClient {
  const c = new QlikClient(
    { tenantUrl: url, apiKey: "loopback-api-key-1" },
    { retry: { baseDelayMs: 5 }, ...options },
  );
  cleanups.push(() => c.close());
  return c;
}

const spaces = (_req: http.IncomingMessage, res: http.ServerResponse) =>
  json(res, 200, { data: [{ id: "s1", name: "development", type: "shared" }], links: {} });

describe("transport on real loopback servers", () => {
  it("routes @qlik/api calls through the client's pool and reuses one keep-alive connection", async () => {
    const s = await server((req, res) => {
      if (productInfo(req, res)) return;
      spaces(req, res);
    });
    const c = client(s.url);
    // Warm up: @qlik/api fetches product-info first, and may overlap it with the first call.
    await c.call({ tier: "read", method: "GET", resource: "/api/v1/spaces" }, (opts) => getSpaces({}, opts));
    const afterWarmUp = s.connections;
    expect(afterWarmUp).toBeLessThanOrEqual(2);
    for (let i = 0; i < 10; i++) {
      const result = await c.call({ tier: "read", method: "GET", resource: "/api/v1/spaces" }, (opts) =>
        getSpaces({}, opts),
      );
      expect(result.data.data?.[0]?.name).toBe("development");
    }
    const apiCalls = s.requests.filter((r) => r.url.startsWith("/api/v1/spaces"));
    expect(apiCalls).toHaveLength(11); // noCache: every call reached the server
    expect(apiCalls[0].headers.authorization).toBe("Bearer loopback-api-key-1");
    expect(s.connections).toBe(afterWarmUp); // ten more calls, no new connection
  });

  it("reuses one keep-alive connection for the client's own requests", async () => {
    const s = await server(spaces);
    const c = client(s.url);
    for (let i = 0; i < 10; i++) {
      const r = await c.fetch({
        tier: "read",
        method: "GET",
        resource: "/api/v1/spaces",
        url: "/api/v1/spaces",
      });
      expect(r.data.data[0].id).toBe("s1");
    }
    expect(s.requests).toHaveLength(10);
    // undici hands a socket back to the pool a tick after the body ends, so an immediate second request
    // may open one more; without keep-alive this would be 10.
    expect(s.connections).toBeLessThanOrEqual(2);
  });

  it("caps connections per origin", async () => {
    const s = await server((req, res) => {
      if (productInfo(req, res)) return;
      setTimeout(() => spaces(req, res), 40);
    });
    const c = client(s.url, { maxConnectionsPerOrigin: 2 });
    await Promise.all(
      Array.from({ length: 12 }, () =>
        c.call({ tier: "read", method: "GET", resource: "/api/v1/spaces" }, (opts) => getSpaces({}, opts)),
      ),
    );
    expect(s.requests.filter((r) => r.url.startsWith("/api/v1/spaces"))).toHaveLength(12);
    expect(s.peakOpen).toBeLessThanOrEqual(2);
    expect(s.connections).toBeLessThanOrEqual(2);
  });

  it("times out a server that stalls after accepting, naming the tenant", async () => {
    const s = await server((req, res) => {
      if (productInfo(req, res)) return;
      // never answers /api/v1/spaces
    });
    const c = client(s.url, { timeouts: { headersMs: 150 }, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    const started = Date.now();
    const error = await c
      .call({ tier: "read", method: "GET", resource: "/api/v1/spaces" }, (opts) => getSpaces({}, opts))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QlikTimeoutError);
    expect((error as Error).message).toBe(
      `Tenant 127.0.0.1:${s.port} did not answer GET /api/v1/spaces in time (no response headers before the timeout) after 2 attempts.`,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(s.requests.filter((r) => r.url.startsWith("/api/v1/spaces"))).toHaveLength(2); // GET is retried
  });

  it("times out a response body that stalls (raw fetch)", async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": "100" });
      res.write("partial");
    });
    const c = client(s.url, { timeouts: { bodyMs: 150 }, retry: { maxAttempts: 1 } });
    const error = await c
      .fetch({
        tier: "read",
        method: "GET",
        resource: "/api/v1/temp-contents/x",
        url: "/api/v1/temp-contents/x",
        responseType: "bytes",
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QlikTimeoutError);
    expect((error as QlikTimeoutError).code).toBe("UND_ERR_BODY_TIMEOUT");
    expect((error as Error).message).toContain("response body stalled past the timeout");
  });

  it("stops a call at its own deadline, as a timeout, without repeating it", async () => {
    const s = await server(() => {
      // never answers
    });
    const c = client(s.url);
    const started = Date.now();
    const error = await c
      .fetch({
        tier: "write",
        method: "POST",
        resource: "/api/v1/automations/{id}/actions/execute",
        url: "/api/v1/automations/a1/actions/execute",
        body: "{}",
        timeoutMs: 200,
      })
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error).toBeInstanceOf(QlikTimeoutError);
    expect((error as QlikTimeoutError).code).toBe("CALL_TIMEOUT");
    expect((error as Error).message).toBe(
      `Tenant 127.0.0.1:${s.port} did not answer POST /api/v1/automations/{id}/actions/execute in time (no answer within 200 ms).`,
    );
    expect((error as QlikTimeoutError).retries).toBe("unsafe");
    expect(s.requests).toHaveLength(1);
  });

  it("says 'cannot reach' when nothing listens, after bounded retries", async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const c = client(`http://127.0.0.1:${port}`, { retry: { maxAttempts: 3, baseDelayMs: 1 } });
    const error = await c
      .fetch({
        tier: "write",
        method: "POST",
        resource: "/api/v1/spaces",
        url: "/api/v1/spaces",
        body: { name: "x" },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QlikUnreachableError);
    expect((error as Error).message).toBe(
      `Cannot reach tenant 127.0.0.1:${port} for POST /api/v1/spaces (connection refused) after 3 attempts.`,
    );
  });
});

describe("the transport module", () => {
  it("wraps the global fetch only while a lease is held, and routes only requests inside a client call", async () => {
    const s = await server((req, res) => json(res, 200, { path: req.url }));
    const original = globalThis.fetch;
    const seen: string[] = [];
    const inner = (async (input: Parameters<typeof fetch>[0]) => {
      seen.push(String(input));
      return new Response("{}", { status: 200 });
    }) as typeof fetch;
    globalThis.fetch = inner;
    try {
      const origin = s.url;
      const first = acquireTransport(origin, defaultTransportOptions);
      const second = acquireTransport(origin, defaultTransportOptions);
      expect(globalThis.fetch).not.toBe(inner);
      const record: AttemptRecord = { errors: [] };
      await globalThis.fetch(`${origin}/outside`); // the same tenant, but not in a client call
      let inside: unknown;
      await first.run(record, async () => {
        // Through the pool, not the fetch it wraps: the server answers it.
        inside = await (await globalThis.fetch(`${origin}/inside?x=1`)).json();
        await globalThis.fetch("http://127.0.0.2:9/elsewhere"); // another origin, inside the call
      });
      expect(inside).toEqual({ path: "/inside?x=1" });
      expect(seen).toEqual([`${origin}/outside`, "http://127.0.0.2:9/elsewhere"]);
      expect(s.requests.map((r) => r.url)).toEqual(["/inside?x=1"]);
      await first.release();
      await first.release(); // idempotent: still one lease held
      expect(globalThis.fetch).not.toBe(inner);
      await second.release();
      expect(globalThis.fetch).toBe(inner); // the last lease takes the wrapper out
    } finally {
      globalThis.fetch = original;
    }
  });

  it("answers routed requests as fetch does: redirects followed, compressed bodies decoded, failures as 'fetch failed'", async () => {
    const s = await server((req, res, body) => {
      if (req.url === "/moved") {
        res.writeHead(302, { location: "/target" });
        res.end();
      } else if (req.url === "/gzip") {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        res.end(gzipSync(JSON.stringify({ zipped: true })));
      } else if (req.url === "/empty") {
        res.writeHead(204);
        res.end();
      } else {
        json(res, 201, { path: req.url, method: req.method, body, type: req.headers["content-type"] });
      }
    });
    const lease = acquireTransport(s.url, defaultTransportOptions);
    cleanups.push(() => lease.release());
    const record: AttemptRecord = { errors: [] };
    await lease.run(record, async () => {
      const moved = await globalThis.fetch(`${s.url}/moved`);
      expect(moved.status).toBe(201);
      expect(await moved.json()).toMatchObject({ path: "/target", method: "GET" });
      expect(await (await globalThis.fetch(`${s.url}/gzip`)).json()).toEqual({ zipped: true });
      const empty = await globalThis.fetch(`${s.url}/empty`);
      expect([empty.status, empty.body]).toEqual([204, null]);
      const posted = await globalThis.fetch(`${s.url}/post`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ a: 1 }),
      });
      expect([posted.ok, posted.headers.get("content-type")]).toEqual([true, "application/json"]);
      expect(await posted.json()).toEqual({
        path: "/post",
        method: "POST",
        body: '{"a":1}',
        type: "application/json",
      });
      // A body is read once, as fetch's is.
      expect(posted.bodyUsed).toBe(true);
      await expect(posted.text()).rejects.toThrow(TypeError);
      const blob = await (await globalThis.fetch(`${s.url}/gzip`)).blob();
      expect([blob.type, JSON.parse(await blob.text())]).toEqual(["application/json", { zipped: true }]);
      const streamed = await globalThis.fetch(`${s.url}/stream`);
      expect(JSON.parse(await new Response(streamed.body).text())).toMatchObject({ path: "/stream" });
    });
    const closed = await server((req) => void req.socket.destroy());
    const other = acquireTransport(closed.url, defaultTransportOptions);
    cleanups.push(() => other.release());
    const failed: AttemptRecord = { errors: [] };
    const error = await other
      .run(failed, () => globalThis.fetch(`${closed.url}/gone`))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("fetch failed");
    expect((error as { cause?: { code?: string } }).cause?.code).toBe("UND_ERR_SOCKET");
    expect(failed.errors).toEqual([(error as { cause: unknown }).cause]);
  });

  it("records the error of the undici timer that fired, for the client's own requests", async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": "100" });
      res.write("partial");
    });
    const lease = acquireTransport(s.url, { ...defaultTransportOptions, bodyMs: 150 });
    cleanups.push(() => lease.release());
    const record: AttemptRecord = { errors: [] };
    // A form body goes through fetch with the recording pool (bodies in memory go through `request`).
    const response = await lease.fetch(record, `${s.url}/stalls`, { method: "POST", body: new FormData() });
    // fetch itself only says "terminated"; the record says which timer fired.
    await expect(response.arrayBuffer()).rejects.toThrow("terminated");
    expect(record.errors.map((e) => (e as { code?: string }).code)).toEqual(["UND_ERR_BODY_TIMEOUT"]);
  });

  it("raises the header timeout for a request allowed to take longer", async () => {
    const s = await server((_req, res) => {
      setTimeout(() => json(res, 200, { ok: true }), 1600);
    });
    const lease = acquireTransport(s.url, { ...defaultTransportOptions, headersMs: 150 });
    cleanups.push(() => lease.release());
    const hurried: AttemptRecord = { errors: [] };
    const patient: AttemptRecord = { errors: [] };
    const form = () => ({ method: "POST", body: new FormData() });
    const [short, long] = await Promise.allSettled([
      lease.fetch(hurried, `${s.url}/short`, form()),
      lease.fetch(patient, `${s.url}/long`, form(), { timeoutMs: 10_000 }),
    ]);
    expect(short.status).toBe("rejected");
    expect(hurried.errors.map((e) => (e as { code?: string }).code)).toEqual(["UND_ERR_HEADERS_TIMEOUT"]);
    expect(long.status === "fulfilled" && long.value.status).toBe(200);
    expect(patient.errors).toEqual([]);
    // The same through the pool's `request` (no body).
    const hurriedGet: AttemptRecord = { errors: [] };
    const patientGet: AttemptRecord = { errors: [] };
    const [shortGet, longGet] = await Promise.allSettled([
      lease.fetch(hurriedGet, `${s.url}/short`),
      lease.fetch(patientGet, `${s.url}/long`, undefined, { timeoutMs: 10_000 }),
    ]);
    expect(shortGet.status).toBe("rejected");
    expect(hurriedGet.errors.map((e) => (e as { code?: string }).code)).toEqual(["UND_ERR_HEADERS_TIMEOUT"]);
    expect(longGet.status === "fulfilled" && longGet.value.status).toBe(200);
    expect(patientGet.errors).toEqual([]);
  });
});

describe("proxy from the environment", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it("sends tenant traffic through HTTP_PROXY when NO_PROXY does not exclude it", async () => {
    const target = await server((req, res) => {
      if (productInfo(req, res)) return;
      spaces(req, res);
    });
    const seen: string[] = [];
    const proxy = http.createServer((req, res) => {
      // absolute-form request for an http:// target
      seen.push(`${req.method} ${req.url}`);
      const upstream = http.request(req.url!, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      req.pipe(upstream);
    });
    proxy.on("connect", (req, socket, head) => {
      seen.push(`CONNECT ${req.url}`);
      const [host, port] = (req.url ?? "").split(":");
      const upstream = net.connect(Number(port), host, () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on("error", () => socket.destroy());
      socket.on("error", () => upstream.destroy());
    });
    const proxySockets = new Set<net.Socket>();
    proxy.on("connection", (s) => {
      proxySockets.add(s);
      s.on("close", () => proxySockets.delete(s));
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
    cleanups.push(async () => {
      for (const s of proxySockets) s.destroy();
      await new Promise((r) => proxy.close(r));
    });
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    for (const k of ["NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "http_proxy"])
      delete process.env[k];
    process.env.HTTP_PROXY = proxyUrl;

    const c = client(target.url);
    const result = await c.call({ tier: "read", method: "GET", resource: "/api/v1/spaces" }, (opts) =>
      getSpaces({}, opts),
    );
    expect(result.data.data?.[0]?.id).toBe("s1");
    const viaProxy = seen.filter((line) => line.includes(`127.0.0.1:${target.port}`));
    expect(viaProxy.length).toBeGreaterThan(0);
    expect(target.requests.some((r) => r.url === "/api/v1/spaces")).toBe(true);
  });

  it("bypasses the proxy for hosts in NO_PROXY", async () => {
    const target = await server((req, res) => {
      if (productInfo(req, res)) return;
      spaces(req, res);
    });
    for (const k of ["no_proxy", "HTTPS_PROXY", "https_proxy", "http_proxy"]) delete process.env[k];
    process.env.HTTP_PROXY = "http://127.0.0.1:9"; // nothing there: using it would fail
    process.env.NO_PROXY = "127.0.0.1";
    const c = client(target.url);
    const result = await c.call({ tier: "read", method: "GET", resource: "/api/v1/spaces" }, (opts) =>
      getSpaces({}, opts),
    );
    expect(result.status).toBe(200);
  });
});
