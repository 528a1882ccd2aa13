/** Low-level HTTP helpers: body collection, JSON/raw responses with Qlik's trace headers. */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { SimResponse } from "../http/types.ts";

const MAX_BODY_BYTES = 256 * 1024 * 1024;

export function newTraceId(): string {
  return randomBytes(16).toString("hex");
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Adds the trace id to a Qlik error body (`traceId`, as Qlik's error payloads carry). */
function withTrace(body: unknown, traceId: string): unknown {
  if (
    body &&
    typeof body === "object" &&
    !Array.isArray(body) &&
    Array.isArray((body as { errors?: unknown }).errors)
  ) {
    return { ...(body as object), traceId };
  }
  return body;
}

export function sendResponse(res: ServerResponse, out: SimResponse, traceId: string): void {
  const headers: Record<string, string> = {
    "x-request-id": traceId,
    "x-b3-traceid": traceId,
    ...(out.headers ?? {}),
  };
  if (out.raw !== undefined) {
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
      headers["content-type"] = "application/octet-stream";
    headers["content-length"] = String(out.raw.length);
    res.writeHead(out.status, headers);
    res.end(out.raw);
    return;
  }
  if (out.body === undefined || out.status === 204 || out.status === 304) {
    headers["content-length"] = "0";
    res.writeHead(out.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(withTrace(out.body, traceId));
  headers["content-type"] = headers["content-type"] ?? "application/json; charset=utf-8";
  headers["content-length"] = String(Buffer.byteLength(text));
  res.writeHead(out.status, headers);
  res.end(text);
}

const reasons: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/** Answers a WebSocket upgrade request with a plain HTTP error and closes the socket. */
export function rejectUpgrade(socket: Duplex, out: SimResponse, traceId: string): void {
  const text = out.body === undefined ? "" : JSON.stringify(withTrace(out.body, traceId));
  const extra = Object.entries(out.headers ?? {})
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  socket.end(
    `HTTP/1.1 ${out.status} ${reasons[out.status] ?? "Error"}\r\n` +
      `content-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(text)}\r\n` +
      `x-request-id: ${traceId}\r\n` +
      extra +
      `connection: close\r\n\r\n` +
      text,
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
