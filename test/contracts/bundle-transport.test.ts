// The HTTP stack the bundles carry, run for real: the bundles use one undici (npm "overrides" keeps
// the Actions toolkit on the Qlik client's major) and only the undici modules they need
// (scripts/bundle/undici.mjs), so this checks, from source and from a bundle built with the bundles'
// own options, that keep-alive pools and proxies from the environment still work for the Qlik client
// and for @actions/github (Octokit on undici's fetch through @actions/http-client's ProxyAgent).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { build } from "esbuild";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleOptions, bundleTargets } from "../../scripts/bundle/config.ts";
import { json, startServer, type LoopbackServer } from "../../packages/qlik-client/test/helpers/loopback.ts";
import { repoRoot } from "../helpers/run-bundled-action.ts";

const probeSource = join(repoRoot, "test", "helpers", "transport-probe.ts");
const workDir = mkdtempSync(join(tmpdir(), "bundle-transport-"));
const probeBundle = join(workDir, "probe.js");

interface Proxy {
  url: string;
  /** `host:port` of every CONNECT tunnel or forwarded request, in order. */
  seen: string[];
  close(): Promise<void>;
}

/** An HTTP proxy that tunnels CONNECT and forwards absolute-URI requests, sending every host to `upstream`. */
async function startProxy(upstreamPort: number): Promise<Proxy> {
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const target = new URL(req.url!);
    seen.push(target.host);
    const forward = http.request(
      {
        host: "127.0.0.1",
        port: upstreamPort,
        method: req.method,
        path: target.pathname + target.search,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(forward);
  });
  server.on("connect", (req, client: net.Socket, head) => {
    seen.push(req.url!);
    const upstream = net.connect(upstreamPort, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => s.destroy());
      s.on("close", () => sockets.delete(s));
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

const GITHUB_HOST = "github.probe.invalid";
const certFile = join(workDir, "cert.pem");

/** The tenant and GitHub's API in one: spaces and one repository. */
const answer: Parameters<typeof startServer>[0] = (req, res) => {
  if (req.url?.startsWith("/api/v1/spaces")) {
    return json(res, 200, { data: [{ id: "s1", name: "development", type: "shared" }], links: {} });
  }
  if (req.url === "/repos/octo/probe") return json(res, 200, { id: 1, full_name: "octo/probe" });
  json(res, 404, { message: "Not Found" });
};

let plain: LoopbackServer;
let secure: { url: string; port: number; close(): Promise<void> };

/** An HTTPS server with a throw-away self-signed certificate for 127.0.0.1 and GitHub's stand-in host. */
async function startSecureServer(): Promise<typeof secure> {
  const keyFile = join(workDir, "key.pem");
  const args = "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=probe";
  execFileSync(
    "openssl",
    [
      ...args.split(" "),
      "-addext",
      `subjectAltName=IP:127.0.0.1,DNS:${GITHUB_HOST}`,
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdio: "ignore" },
  );
  const sockets = new Set<{ destroy(): void }>();
  const server = https.createServer(
    { key: readFileSync(keyFile), cert: readFileSync(certFile) },
    (req, res) => answer(req, res, ""),
  );
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

beforeAll(async () => {
  plain = await startServer(answer);
  secure = await startSecureServer();
  const target = bundleTargets().find((t) => t.name === "deploy-to-space")!;
  await build({
    ...bundleOptions({ ...target, entry: probeSource, outfile: probeBundle }),
    logLevel: "error",
  });
}, 60_000);

afterAll(async () => {
  await plain.close();
  await secure.close();
  rmSync(workDir, { recursive: true, force: true });
});

function runProbe(
  file: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(https?_proxy|no_proxy|all_proxy)$/i.test(k)) clean[k] = v;
  }
  const child = spawn(process.execPath, [file], {
    env: { ...clean, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    }),
  );
}

const expected = { spaces: Array(5).fill("development"), repository: "octo/probe" };

async function viaProxy(upstreamPort: number, run: (proxy: Proxy) => Promise<void>): Promise<string[]> {
  const proxy = await startProxy(upstreamPort);
  try {
    await run(proxy);
    return proxy.seen;
  } finally {
    await proxy.close();
  }
}

describe.each([
  ["source", probeSource],
  ["bundle", probeBundle],
])("the HTTP stack from %s", (_kind, file) => {
  const succeeds = (run: { code: number; stdout: string; stderr: string }) => {
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(run.stdout)).toEqual(expected);
  };

  it("reaches the tenant and GitHub directly, keeping one connection alive across the tenant calls", async () => {
    const before = plain.connections;
    succeeds(await runProbe(file, { PROBE_TENANT_URL: plain.url, GITHUB_API_URL: plain.url }));
    // Five tenant calls on one kept-alive connection, and Octokit's request on its own.
    expect(plain.connections - before).toBeLessThanOrEqual(2);
  });

  it("sends plain HTTP for both through HTTP_PROXY (GitHub's host resolves only at the proxy)", async () => {
    const seen = await viaProxy(plain.port, async (proxy) =>
      succeeds(
        await runProbe(file, {
          PROBE_TENANT_URL: plain.url,
          GITHUB_API_URL: `http://${GITHUB_HOST}`,
          HTTP_PROXY: proxy.url,
        }),
      ),
    );
    expect(seen).toContain(`127.0.0.1:${plain.port}`);
    expect(seen).toContain(GITHUB_HOST);
  });

  it("tunnels HTTPS for both through HTTPS_PROXY (CONNECT), trusting the test's certificate", async () => {
    const seen = await viaProxy(secure.port, async (proxy) =>
      succeeds(
        await runProbe(file, {
          PROBE_TENANT_URL: secure.url,
          GITHUB_API_URL: `https://${GITHUB_HOST}:${secure.port}`,
          HTTPS_PROXY: proxy.url,
          NODE_EXTRA_CA_CERTS: certFile,
        }),
      ),
    );
    expect(seen).toContain(`127.0.0.1:${secure.port}`);
    expect(seen).toContain(`${GITHUB_HOST}:${secure.port}`);
  });
});
