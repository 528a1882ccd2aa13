/** Types shared by the engine's connection handling and its method implementations. */
import type { AppDocument, EntityRecord, JsonObject, ObjectRecord } from "../model/app-document.ts";
import type { AppRecord, Principal, TenantState } from "../http/types.ts";
import type { SessionSelections } from "./selections.ts";

export interface EngineSession {
  tenant: TenantState;
  app: AppDocument;
  appRecord: AppRecord;
  principal: Principal;
  onChange(): void;
  /** Delay before each request on this session is answered, ms (a network round trip to the engine). */
  latencyMs?: number;
}

export type HandleKind =
  "global" | "doc" | "object" | "dimension" | "measure" | "variable" | "bookmark" | "field";

export interface HandleEntry {
  kind: HandleKind;
  /** Object/entity id ("" for global and doc). */
  id: string;
  /** Generic object living only in this connection (CreateSessionObject, or a child of one). */
  session?: boolean;
  /** Variable created by the load script (read-only), identified by name. */
  scriptVariable?: string;
  /** Fields: the state the handle selects in ("$" or an alternate state). */
  state?: string;
}

export const QIX_TYPE: Record<HandleKind, string> = {
  global: "Global",
  doc: "Doc",
  object: "GenericObject",
  dimension: "GenericDimension",
  measure: "GenericMeasure",
  variable: "GenericVariable",
  bookmark: "GenericBookmark",
  field: "Field",
};

export interface ObjectRef {
  qType: string;
  qHandle: number;
  qGenericType: string;
  qGenericId: string;
}

export interface ProgressRecord {
  finished: boolean;
  millis: number;
  log: string[];
  errors: { message: string; statement: string; line: number }[];
}

/** What a method implementation sees of the current request. */
export interface CallContext {
  readonly doc: AppDocument;
  readonly session: EngineSession;
  readonly entry: HandleEntry;
  readonly handle: number;
  readonly requestId: number | string | null;
  /** Session objects of this connection (GenericObject records, children included). */
  readonly sessionObjects: Map<string, ObjectRecord>;
  readonly progress: Map<number | string, ProgressRecord>;
  /** This session's selections (a new session starts with none). */
  readonly selections: SessionSelections;
  now(): Date;
  nowIso(): string;
  /** A fresh id not used by any object, master item, bookmark or variable in the app or this session. */
  newId(preferred?: unknown): string;
  /** Throws Access denied when the principal may not change this app (see README in index.ts). */
  assertWritable(): void;
  /** Records a persistent change (bumps revision, calls onChange once, sends change notifications). */
  changed(): void;
  /** Records a change of session-only state (change notifications on this connection only). */
  sessionChanged(): void;
  /** Destroyed ids: their open handles are closed on every connection. */
  closed(ids: string[], session?: boolean): void;
  /** Returns (or opens) a handle for an object and the reference the engine answers with. */
  ref(entry: HandleEntry, genericType: string): ObjectRef;
  /** Whether the principal may change this app (false for a non-owner of a published app). */
  canWrite(): boolean;
}

export type EntityStoreKind = "dimension" | "measure" | "variable" | "bookmark";

export function entityStore(doc: AppDocument, kind: EntityStoreKind): Map<string, EntityRecord> {
  switch (kind) {
    case "dimension":
      return doc.dimensions;
    case "measure":
      return doc.measures;
    case "variable":
      return doc.variables;
    case "bookmark":
      return doc.bookmarks;
  }
}

export interface MethodDef {
  /** Parameter names in schema order (maps named params to positions). */
  params: string[];
  run(ctx: CallContext, args: unknown[]): JsonObject | Record<string, unknown>;
}

export type MethodTable = Record<string, MethodDef>;
