/**
 * Every mutating call against a tenant is reported as one event; the audit trail (JSON lines
 * artifact) is built from these. Events never carry secrets or request bodies.
 */
export interface MutationEvent {
  time: string;
  tenant: string;
  method: string;
  /** API path or QIX method and handle, e.g. `/api/v1/apps/abc/publish` or `qix:SetScript`. */
  resource: string;
  /** Short verb for people, e.g. `publish app`. */
  operation?: string;
  result: "ok" | "error";
  status?: number;
  beforeDigest?: string;
  afterDigest?: string;
}

export type MutationListener = (event: MutationEvent) => void;

export class MutationEvents {
  private readonly listeners = new Set<MutationListener>();
  on(listener: MutationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(event: MutationEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** Process-wide stream that the client emits to and adapters record from. */
export const mutationEvents = new MutationEvents();
