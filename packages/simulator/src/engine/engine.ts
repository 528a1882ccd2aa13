/**
 * The QIX engine: JSON-RPC 2.0 over one WebSocket per session, as enigma.js and @qlik/api speak it.
 * Requests are answered in arrival order as soon as they are read (pipelining works: nothing waits for
 * an earlier response). Changes ride on responses as `change`/`close` handle arrays for the calling
 * connection and are pushed as `{jsonrpc, change}` messages to other connections on the same app.
 */
import { randomBytes } from "node:crypto";
import type { WebSocket } from "ws";
import type { AppDocument, ObjectRecord } from "../model/app-document.ts";
import type {
  CallContext,
  EngineSession,
  HandleEntry,
  HandleKind,
  MethodTable,
  ObjectRef,
  ProgressRecord,
} from "./context.ts";
import { QIX_TYPE } from "./context.ts";
import { accessDenied, QixError, QixErrorCode } from "./errors.ts";
import { docMethods, globalMethods } from "./methods-doc.ts";
import { fieldMethods } from "./methods-field.ts";
import {
  bookmarkMethods,
  dimensionMethods,
  measureMethods,
  objectMethods,
  variableMethods,
} from "./methods-generic.ts";
import { isPlainObject } from "./records.ts";
import { SessionSelections } from "./selections.ts";

export interface QixEngineOptions {
  now?: () => Date;
  newId?: () => string;
}

const TABLES: Record<HandleKind, MethodTable> = {
  global: globalMethods,
  doc: docMethods,
  object: objectMethods,
  dimension: dimensionMethods,
  measure: measureMethods,
  variable: variableMethods,
  bookmark: bookmarkMethods,
  field: fieldMethods,
};

interface Shared {
  now: () => Date;
  newId: () => string;
  connections: Map<AppDocument, Set<Connection>>;
}

type Json = Record<string, unknown>;

function handleKey(e: HandleEntry): string {
  return `${e.kind}|${e.session ? "s" : "p"}|${e.scriptVariable ?? ""}|${e.state ?? ""}|${e.id}`;
}

class Connection {
  readonly handles = new Map<number, HandleEntry>([[-1, { kind: "global", id: "" }]]);
  readonly keys = new Map<string, number>();
  readonly sessionObjects = new Map<string, ObjectRecord>();
  readonly progress = new Map<number | string, ProgressRecord>();
  readonly selections = new SessionSelections();
  private nextHandle = 1;
  readonly ws: WebSocket;
  readonly session: EngineSession;
  readonly shared: Shared;

  constructor(ws: WebSocket, session: EngineSession, shared: Shared) {
    this.ws = ws;
    this.session = session;
    this.shared = shared;
  }

  get doc(): AppDocument {
    return this.session.app;
  }

  open(entry: HandleEntry): number {
    const key = handleKey(entry);
    const existing = this.keys.get(key);
    if (existing !== undefined) return existing;
    const h = this.nextHandle;
    this.nextHandle += 1;
    this.handles.set(h, entry);
    this.keys.set(key, h);
    return h;
  }

  /** Closes handles for destroyed ids; returns the closed handle numbers. */
  closeIds(ids: Set<string>, session: boolean): number[] {
    const closed: number[] = [];
    for (const [h, e] of this.handles) {
      if (e.kind === "global" || e.kind === "doc" || e.kind === "field") continue;
      if (ids.has(e.id) && (e.session === true) === session) {
        this.handles.delete(h);
        this.keys.delete(handleKey(e));
        closed.push(h);
      }
    }
    return closed;
  }

  openHandles(): number[] {
    return [...this.handles.keys()].filter((h) => h !== -1);
  }

  send(msg: Json) {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }

  onMessage(raw: string) {
    let req: unknown;
    try {
      req = JSON.parse(raw);
    } catch {
      this.send({
        jsonrpc: "2.0",
        id: null,
        error: { code: QixErrorCode.PARSE_ERROR, parameter: "", message: "Parse error" },
      });
      return;
    }
    if (!isPlainObject(req)) {
      this.send({
        jsonrpc: "2.0",
        id: null,
        error: { code: QixErrorCode.INVALID_REQUEST, parameter: "", message: "Invalid Request" },
      });
      return;
    }
    const id = (typeof req.id === "number" || typeof req.id === "string" ? req.id : null) as
      number | string | null;
    const reply = (body: Json) => {
      if (id !== null) this.send({ jsonrpc: "2.0", id, ...body });
    };
    const errorReply = (err: QixError) =>
      reply({ error: { code: err.code, parameter: err.parameter, message: err.message } });
    if (typeof req.method !== "string") {
      errorReply(new QixError(QixErrorCode.INVALID_REQUEST, "Invalid Request", "method"));
      return;
    }
    const method = req.method;
    const handle = typeof req.handle === "number" ? req.handle : -1;
    const entry = this.handles.get(handle);
    if (!entry) {
      errorReply(new QixError(QixErrorCode.INVALID_PARAMS, "Invalid handle", `${handle}`));
      return;
    }
    const def = TABLES[entry.kind][method];
    if (!def) {
      errorReply(new QixError(QixErrorCode.METHOD_NOT_FOUND, "Method not found", method));
      return;
    }
    let args: unknown[];
    if (Array.isArray(req.params)) {
      args = req.params.map((p) => (p === null ? undefined : p));
    } else if (isPlainObject(req.params)) {
      const named = req.params;
      args = def.params.map((name) => (named[name] === null ? undefined : named[name]));
    } else {
      args = [];
    }

    const ctx = new Context(this, entry, handle, id);
    let result: Json | undefined;
    let failure: QixError | undefined;
    try {
      result = def.run(ctx, args) as Json;
    } catch (err) {
      failure =
        err instanceof QixError
          ? err
          : new QixError(
              QixErrorCode.INTERNAL_ERROR,
              err instanceof Error ? err.message : String(err),
              method,
            );
    }
    const effects = ctx.finish();
    const body: Json = failure
      ? { error: { code: failure.code, parameter: failure.parameter, message: failure.message } }
      : { result: result ?? {} };
    const own = effects.get(this);
    if (own?.change.length) body.change = own.change;
    if (own?.close.length) body.close = own.close;
    reply(body);
    for (const [conn, fx] of effects) {
      if (conn === this) continue;
      const msg: Json = { jsonrpc: "2.0" };
      if (fx.change.length) msg.change = fx.change;
      if (fx.close.length) msg.close = fx.close;
      if (fx.change.length || fx.close.length) conn.send(msg);
    }
  }
}

class Context implements CallContext {
  private persistentChange = false;
  private sessionChange = false;
  private readonly closedPersistent = new Set<string>();
  private readonly closedSession = new Set<string>();
  readonly conn: Connection;
  readonly entry: HandleEntry;
  readonly handle: number;
  readonly requestId: number | string | null;

  constructor(conn: Connection, entry: HandleEntry, handle: number, requestId: number | string | null) {
    this.conn = conn;
    this.entry = entry;
    this.handle = handle;
    this.requestId = requestId;
  }

  get doc() {
    return this.conn.doc;
  }
  get session() {
    return this.conn.session;
  }
  get sessionObjects() {
    return this.conn.sessionObjects;
  }
  get progress() {
    return this.conn.progress;
  }
  get selections() {
    return this.conn.selections;
  }
  now() {
    return this.conn.shared.now();
  }
  nowIso() {
    return this.now().toISOString();
  }

  private taken(id: string): boolean {
    const d = this.doc;
    return (
      d.objects.has(id) ||
      d.dimensions.has(id) ||
      d.measures.has(id) ||
      d.variables.has(id) ||
      d.bookmarks.has(id) ||
      d.connections.has(id) ||
      this.sessionObjects.has(id)
    );
  }

  newId(preferred?: unknown): string {
    if (typeof preferred === "string" && preferred.length > 0 && !this.taken(preferred)) return preferred;
    for (let i = 0; i < 100; i += 1) {
      const id = this.conn.shared.newId();
      if (!this.taken(id)) return id;
    }
    return randomBytes(12).toString("hex");
  }

  canWrite(): boolean {
    const { appRecord, principal } = this.session;
    return !(appRecord.published && principal.userId !== appRecord.ownerId);
  }

  assertWritable(): void {
    if (!this.canWrite()) throw accessDenied(this.doc.id);
  }

  changed(): void {
    this.persistentChange = true;
  }

  sessionChanged(): void {
    this.sessionChange = true;
  }

  closed(ids: string[], session = false): void {
    for (const id of ids) (session ? this.closedSession : this.closedPersistent).add(id);
  }

  ref(entry: HandleEntry, genericType: string): ObjectRef {
    const qHandle = this.conn.open(entry);
    return {
      qType: QIX_TYPE[entry.kind],
      qHandle,
      qGenericType: genericType,
      qGenericId: entry.kind === "doc" ? this.doc.id : entry.kind === "field" ? "" : entry.id,
    };
  }

  /** Applies revision/onChange and computes the change/close handle lists per connection. */
  finish(): Map<Connection, { change: number[]; close: number[] }> {
    const out = new Map<Connection, { change: number[]; close: number[] }>();
    const peers = this.conn.shared.connections.get(this.doc) ?? new Set([this.conn]);
    if (this.persistentChange) {
      this.doc.revision += 1;
      this.session.onChange();
    }
    for (const conn of peers) {
      const close = conn.closeIds(this.closedPersistent, false);
      if (conn === this.conn) close.push(...conn.closeIds(this.closedSession, true));
      const change =
        this.persistentChange || (this.sessionChange && conn === this.conn) ? conn.openHandles() : [];
      if (close.length || change.length) out.set(conn, { change, close });
    }
    return out;
  }
}

export function createQixEngine(options: QixEngineOptions = {}): {
  handleConnection(ws: WebSocket, session: EngineSession): void;
} {
  const shared: Shared = {
    // Called as methods so an object with `now()`/`newId()` methods (e.g. the SimContext) works as options.
    now: () => (options.now ? options.now() : new Date()),
    newId: () => (options.newId ? options.newId() : randomBytes(12).toString("hex")),
    connections: new Map(),
  };
  return {
    handleConnection(ws, session) {
      const conn = new Connection(ws, session, shared);
      const doc = session.app;
      let set = shared.connections.get(doc);
      if (!set) {
        set = new Set();
        shared.connections.set(doc, set);
      }
      set.add(conn);
      ws.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => {
        const text = Array.isArray(data)
          ? Buffer.concat(data).toString("utf8")
          : Buffer.isBuffer(data)
            ? data.toString("utf8")
            : Buffer.from(data).toString("utf8");
        const answer = () => {
          try {
            conn.onMessage(text);
          } catch (err) {
            // Never let one bad request (or a throwing onChange) take the process down.
            const message = err instanceof Error ? err.message : String(err);
            conn.send({
              jsonrpc: "2.0",
              id: null,
              error: { code: QixErrorCode.INTERNAL_ERROR, parameter: "", message },
            });
          }
        };
        // Timers of equal delay fire in the order they were set, so requests are still answered in
        // the order they arrived; pipelined requests overlap their round trips as they do over a network.
        if (session.latencyMs) setTimeout(answer, session.latencyMs);
        else answer();
      });
      ws.on("close", () => {
        const peers = shared.connections.get(doc);
        peers?.delete(conn);
        if (peers && peers.size === 0) shared.connections.delete(doc);
      });
      ws.on("error", () => {
        // A broken socket only ends this session; the close handler cleans up.
      });
      conn.send({ jsonrpc: "2.0", method: "OnConnected", params: { qSessionState: "SESSION_CREATED" } });
    },
  };
}
