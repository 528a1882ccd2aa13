/**
 * A wire tap on the simulator's listeners: every HTTP exchange (the request bytes as read, the status,
 * headers and body bytes as written) and every WebSocket frame in both directions, handed to an observer.
 * Contract tests use it to check what the product sends and what the simulator answers against Qlik's
 * own API descriptions; it changes nothing on the wire.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { WebSocket } from "ws";

export interface WireEndpoint {
  kind: "tenant" | "region";
  /** Tenant name, or `register.<region>`. */
  name: string;
  url: string;
}

export interface WireExchange {
  endpoint: WireEndpoint;
  method: string;
  /** Path and query exactly as the client sent them. */
  url: string;
  requestHeaders: IncomingHttpHeaders;
  requestBody: Buffer;
  status: number;
  responseHeaders: OutgoingHttpHeaders;
  responseBody: Buffer;
  /** Numbers the connections in the order they first carried a request: equal on one kept-alive connection. */
  connection: number;
}

export interface WireFrame {
  endpoint: WireEndpoint;
  /** The WebSocket's request path (`/app/{appId}`). */
  path: string;
  /** Numbers the sockets in the order they opened. */
  socket: number;
  /** client: the product sent it; server: the simulator sent it. */
  from: "client" | "server";
  text: string;
}

export interface WireTap {
  http?(exchange: WireExchange): void;
  ws?(frame: WireFrame): void;
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    process.stderr.write(`qlik-sim: wire tap failed: ${(e as Error).message}\n`);
  }
}

function chunk(data: unknown, encoding?: unknown): Buffer | null {
  if (data === undefined || data === null || typeof data === "function") return null;
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data);
  return Buffer.from(String(data), typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
}

const connectionNumbers = new WeakMap<object, number>();
let connections = 0;

/** The number of the connection `req` came on (numbered as connections first carry a request). */
function connectionOf(req: IncomingMessage): number {
  let n = connectionNumbers.get(req.socket);
  if (n === undefined) {
    n = ++connections;
    connectionNumbers.set(req.socket, n);
  }
  return n;
}

/** Records one HTTP exchange: tees the request body and the response writes; reports when it finishes. */
export function tapHttp(
  endpoint: WireEndpoint,
  req: IncomingMessage,
  res: ServerResponse,
  observe: (exchange: WireExchange) => void,
): void {
  const connection = connectionOf(req);
  const requestChunks: Buffer[] = [];
  const responseChunks: Buffer[] = [];
  req.on("data", (c: Buffer) => requestChunks.push(c));
  const written: OutgoingHttpHeaders = {};
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((...args: unknown[]) => {
    const headers = typeof args[1] === "string" ? args[2] : args[1];
    if (headers && typeof headers === "object" && !Array.isArray(headers))
      for (const [k, v] of Object.entries(headers)) written[k.toLowerCase()] = v as string;
    return writeHead(...args);
  }) as ServerResponse["writeHead"];
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((...args: unknown[]) => {
    const c = chunk(args[0], args[1]);
    if (c) responseChunks.push(c);
    return write(...args);
  }) as ServerResponse["write"];
  res.end = ((...args: unknown[]) => {
    const c = chunk(args[0], args[1]);
    if (c) responseChunks.push(c);
    return end(...args);
  }) as ServerResponse["end"];
  res.on("finish", () =>
    safely(() =>
      observe({
        endpoint,
        method: (req.method ?? "GET").toUpperCase(),
        url: req.url ?? "/",
        requestHeaders: req.headers,
        requestBody: Buffer.concat(requestChunks),
        status: res.statusCode,
        responseHeaders: { ...res.getHeaders(), ...written },
        responseBody: Buffer.concat(responseChunks),
        connection,
      }),
    ),
  );
}

let sockets = 0;

/** Records every frame of one WebSocket: messages received, and what `send` writes. */
export function tapWebSocket(
  endpoint: WireEndpoint,
  path: string,
  ws: WebSocket,
  observe: (frame: WireFrame) => void,
): void {
  const socket = ++sockets;
  ws.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => {
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString("utf8")
      : Buffer.from(data as ArrayBuffer).toString("utf8");
    safely(() => observe({ endpoint, path, socket, from: "client", text }));
  });
  const send = ws.send.bind(ws) as (...args: unknown[]) => void;
  ws.send = ((...args: unknown[]) => {
    const c = chunk(args[0]);
    if (c) safely(() => observe({ endpoint, path, socket, from: "server", text: c.toString("utf8") }));
    send(...args);
  }) as WebSocket["send"];
}
