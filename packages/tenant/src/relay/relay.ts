import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { ConfigError, mutationEvents, secrets, silentLogger } from "@qlik-cicd/common";
import type { Logger } from "@qlik-cicd/common";
import { dispatchRepositoryEvent, type GitHubClient } from "@qlik-cicd/github";
import { verifyQlikSignature } from "./signature.ts";

export interface WebhookRelayOptions {
  /** The secret the Qlik webhook signs with. */
  secret: string;
  /** Where valid events go, as `repository_dispatch` events (the client is built by the caller). */
  github: { client: GitHubClient; owner: string; repo: string };
  /** Event types forwarded (default: every type); others are acknowledged and dropped. */
  eventTypes?: string[];
  /** Largest body read (default 1 MiB); larger requests get 413 without reading the rest. */
  maxBodyBytes?: number;
  /** Events older or newer than this, and repeats of an event id within it, are rejected (default 300 s). */
  replayWindowSeconds?: number;
  logger?: Logger;
  /** Clock (tests). */
  now?: () => number;
}

export type RelayHandler = ((req: IncomingMessage, res: ServerResponse) => void) & {
  /** Event ids seen within the replay window (for inspection). */
  readonly seenCount: () => number;
};

interface QlikEvent {
  id: string;
  type: string;
  time: string;
  tenantId: string;
  data: Record<string, unknown>;
}

const DEFAULT_MAX_BODY = 1024 * 1024;

/** `com.qlik.v1.app.published` → `qlik-app-published` (GitHub allows at most 100 characters). */
export function dispatchEventType(qlikType: string): string {
  const short = qlikType.replace(/^com\.qlik\.(v\d+\.)?/, "").replace(/[^A-Za-z0-9]+/g, "-");
  return `qlik-${short}`.slice(0, 100);
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>, close = false): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...(close ? { connection: "close" } : {}),
  });
  res.end(text);
}

function parseEvent(raw: Buffer): QlikEvent | string {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch {
    return "The body is not JSON.";
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) return "The body must be a JSON object.";
  const b = body as Record<string, unknown>;
  const pick = (...keys: string[]) =>
    keys.map((k) => b[k]).find((v) => typeof v === "string" && v !== "") as string | undefined;
  const id = pick("id", "eventId");
  const type = pick("type", "eventType");
  const time = pick("time", "eventTime");
  if (!id || !type || !time) return "The event needs an id, a type and a time.";
  const data =
    b.data && typeof b.data === "object" && !Array.isArray(b.data) ? (b.data as Record<string, unknown>) : {};
  return { id, type, time, tenantId: pick("tenantid", "tenantId") ?? "", data };
}

/** What a workflow receives as `github.event.client_payload` (at most 10 top-level keys). */
export function dispatchPayload(event: QlikEvent): Record<string, unknown> {
  const d = event.data;
  const base = { event: event.type, eventId: event.id, tenantId: event.tenantId, time: event.time };
  if (event.type === "com.qlik.v1.app.published") {
    return {
      ...base,
      appId: d.id ?? d.appId,
      appName: d.name ?? d.appName,
      spaceId: d.spaceId,
      originAppId: d.originAppId,
    };
  }
  return { ...base, data: d };
}

/**
 * A Node request handler that verifies signed Qlik webhook deliveries and turns them into GitHub
 * `repository_dispatch` events: forged → 401, oversized → 413, malformed or stale → 400, replayed → 409,
 * dispatched → 202 (502 when GitHub refuses, so Qlik retries).
 */
export function createWebhookRelay(options: WebhookRelayOptions): RelayHandler {
  if (!options.secret || options.secret.length < 8) {
    throw new ConfigError("The webhook relay needs the webhook's signing secret (at least 8 characters).", {
      field: "secret",
    });
  }
  secrets.register(options.secret);
  const logger = options.logger ?? silentLogger;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const windowMs = (options.replayWindowSeconds ?? 300) * 1000;
  const now = options.now ?? (() => Date.now());
  const github = options.github.client;
  const dispatchPath = `/repos/${encodeURIComponent(options.github.owner)}/${encodeURIComponent(options.github.repo)}/dispatches`;
  const types = options.eventTypes ? new Set(options.eventTypes) : undefined;
  /** event id → when it stops counting as a replay */
  const seen = new Map<string, number>();

  const forget = (t: number) => {
    for (const [id, until] of seen) if (until <= t) seen.delete(id);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    if (!verifyQlikSignature(options.secret, raw, req.headers["qlik-signature"] as string | undefined)) {
      logger.warn("Rejected a webhook delivery with a missing or wrong Qlik-Signature.");
      return send(res, 401, { error: "invalid signature" });
    }
    const event = parseEvent(raw);
    if (typeof event === "string") return send(res, 400, { error: event });
    const t = now();
    const at = Date.parse(event.time);
    if (!Number.isFinite(at) || Math.abs(t - at) > windowMs) {
      logger.warn(`Rejected event ${event.id}: its time ${event.time} is outside the replay window.`);
      return send(res, 400, { error: "event time outside the accepted window" });
    }
    forget(t);
    if (seen.has(event.id)) {
      logger.warn(`Rejected a replay of event ${event.id}.`);
      return send(res, 409, { error: "event already received" });
    }
    seen.set(event.id, t + windowMs);
    if (types && !types.has(event.type))
      return send(res, 202, { dispatched: false, reason: "event type not relayed" });
    const eventType = dispatchEventType(event.type);
    const audit = (result: "ok" | "error", status?: number) =>
      mutationEvents.emit({
        time: new Date().toISOString(),
        tenant: `github:${options.github.owner}/${options.github.repo}`,
        method: "POST",
        resource: dispatchPath,
        operation: `dispatch ${eventType}`,
        result,
        ...(status !== undefined ? { status } : {}),
      });
    try {
      const status = await dispatchRepositoryEvent(github, {
        owner: options.github.owner,
        repo: options.github.repo,
        eventType,
        clientPayload: dispatchPayload(event),
      });
      audit("ok", status);
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      audit("error", typeof status === "number" && status > 0 ? status : undefined);
      seen.delete(event.id); // let Qlik's retry through
      logger.error(
        `Could not dispatch event ${event.id} to GitHub: ${secrets.redact((error as Error).message)}`,
      );
      return send(res, 502, { error: "dispatch failed" });
    }
    logger.info(`Dispatched ${event.type} (${event.id}) as ${eventType}.`);
    return send(res, 202, { dispatched: true, eventType });
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return send(res, 405, { error: "use POST" });
    }
    const declared = Number(req.headers["content-length"]);
    const tooLarge = () => {
      send(res, 413, { error: `body larger than ${maxBody} bytes` }, true);
      req.removeAllListeners("data");
      req.resume();
      res.on("finish", () => req.socket.destroy());
    };
    if (Number.isFinite(declared) && declared > maxBody) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    let stopped = false;
    req.on("data", (chunk: Buffer) => {
      if (stopped) return;
      size += chunk.length;
      if (size > maxBody) {
        stopped = true;
        return tooLarge();
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (stopped) return;
      handle(req, res, Buffer.concat(chunks)).catch((error: unknown) => {
        logger.error(`The webhook relay failed: ${secrets.redact((error as Error).message)}`);
        send(res, 500, { error: "relay failed" });
      });
    });
    req.on("error", () => {
      stopped = true;
    });
  };
  return Object.assign(handler, { seenCount: () => seen.size });
}

export interface RunningRelay {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves the relay on `host:port` (default 127.0.0.1, any free port). */
export async function startWebhookRelay(
  options: WebhookRelayOptions & { port?: number; host?: string },
): Promise<RunningRelay> {
  const handler = createWebhookRelay(options);
  const server = createServer({ requestTimeout: 30_000 }, handler);
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port ?? 0, host }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : (options.port ?? 0);
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
