// Checks recorded QIX WebSocket traffic against the engine's OpenRPC description: every request names a
// method of the class its handle belongs to (Global for -1; later handles take the class the engine
// returned in qReturn.qType), its parameters are described, required ones present and of the described
// types; every result validates against the method's result schema; the JSON-RPC envelope is the one the
// engine speaks. Fields whose names start with `q` and a capital are engine properties and must be
// described; other keys are dynamic properties the engine stores without interpreting them.
import { describeErrors, SchemaSet } from "./schemas.ts";
import type { Located } from "./schemas.ts";
import type { Check, Finding, Rule } from "./findings.ts";

export interface QixFrame {
  socket: number;
  from: "client" | "server";
  text: string;
  flow: string;
}

interface MethodParam {
  name: string;
  required?: boolean;
}

interface Method {
  index: number;
  name: string;
  params: MethodParam[];
}

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => v !== null && typeof v === "object" && !Array.isArray(v);

const REFERENCE = "engine-rpc.json";
/** Request keys of the engine's JSON-RPC dialect (`delta` and `return_empty` are enigma/@qlik/api options). */
const REQUEST_KEYS = new Set(["jsonrpc", "id", "handle", "method", "params", "delta", "return_empty"]);
const RESPONSE_KEYS = new Set(["jsonrpc", "id", "result", "error", "change", "close", "delta"]);
const NOTIFICATION_KEYS = new Set(["jsonrpc", "method", "params", "change", "close"]);
/** Engine properties (`qInfo`, `qHyperCubeDef`) must be described; anything else is a dynamic property. */
const isEngineProperty = (key: string): boolean => /^q[A-Z]/.test(key);

/**
 * The engine description names dynamic definitions (`qHyperCubeDef` …) in `additionalProperties` as an
 * `anyOf` of `{name, schema}` entries; read them as named properties (other keys stay dynamic
 * properties, which the key rule above allows).
 */
function readNamedAdditionalProperties(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(readNamedAdditionalProperties);
  if (!isNode(value)) return value;
  const out: Node = {};
  for (const [k, v] of Object.entries(value)) out[k] = readNamedAdditionalProperties(v);
  const extra = out.additionalProperties;
  if (isNode(extra) && Array.isArray(extra.anyOf) && extra.anyOf.every((e) => isNode(e) && "name" in e)) {
    const named: Node = {};
    for (const e of extra.anyOf as Node[]) named[String(e.name)] = e.schema ?? {};
    out.properties = { ...(isNode(out.properties) ? out.properties : {}), ...named };
    delete out.additionalProperties;
  }
  return out;
}

export class QixContract {
  private readonly schemas: SchemaSet;
  private readonly methods = new Map<string, Method>();

  constructor(engineRpc: unknown) {
    this.schemas = new SchemaSet({ [REFERENCE]: readNamedAdditionalProperties(engineRpc) });
    const doc = this.schemas.document(REFERENCE) as { methods?: Node[] };
    (doc.methods ?? []).forEach((m, index) => {
      const name = String(m.name);
      const params = Array.isArray(m.params) ? (m.params as MethodParam[]) : [];
      this.methods.set(name, { index, name, params });
    });
  }

  /** `Class.Method` names the description has. */
  has(name: string): boolean {
    return this.methods.has(name);
  }

  /** One Check per request (its response's findings included) and per engine notification. */
  check(frames: readonly QixFrame[]): Check[] {
    const bySocket = new Map<number, QixFrame[]>();
    for (const f of frames) {
      const list = bySocket.get(f.socket) ?? [];
      list.push(f);
      bySocket.set(f.socket, list);
    }
    const checks: Check[] = [];
    for (const list of bySocket.values()) checks.push(...this.session(list));
    return checks;
  }

  private session(frames: readonly QixFrame[]): Check[] {
    const handles = new Map<number, string>([[-1, "Global"]]);
    const pending = new Map<number, { check: Check; method?: Method }>();
    const checks: Check[] = [];
    for (const frame of frames) {
      let msg: Node;
      try {
        msg = JSON.parse(frame.text) as Node;
      } catch {
        checks.push(this.single(frame.flow, "(unparseable frame)", "qix-envelope", "not JSON"));
        continue;
      }
      if (frame.from === "client") {
        const { check, method } = this.request(msg, handles, frame.flow);
        checks.push(check);
        if (typeof msg.id === "number") pending.set(msg.id, { check, method });
        continue;
      }
      if (msg.id === undefined) {
        checks.push(this.notification(msg, frame.flow));
        continue;
      }
      const entry = pending.get(Number(msg.id));
      if (!entry) {
        checks.push(
          this.single(frame.flow, "(response)", "qix-envelope", `answer to unknown id ${String(msg.id)}`),
        );
        continue;
      }
      pending.delete(Number(msg.id));
      this.response(msg, entry.check, entry.method, handles);
    }
    for (const { check } of pending.values())
      check.findings.push({ rule: "qix-unanswered", subject: check.subject, detail: "no response" });
    return checks;
  }

  private single(flow: string, subject: string, rule: Rule, detail: string): Check {
    return { kind: "QIX", subject, reference: REFERENCE, flow, findings: [{ rule, subject, detail }] };
  }

  private request(msg: Node, handles: Map<number, string>, flow: string): { check: Check; method?: Method } {
    const cls = typeof msg.handle === "number" ? handles.get(msg.handle) : undefined;
    const subject = `${cls ?? "?"}.${String(msg.method)}`;
    const findings: Finding[] = [];
    const check: Check = { kind: "QIX", subject, reference: REFERENCE, flow, findings };
    const add = (rule: Rule, detail: string) => findings.push({ rule, subject, detail });
    for (const k of Object.keys(msg)) if (!REQUEST_KEYS.has(k)) add("qix-envelope", `request key '${k}'`);
    if (msg.jsonrpc !== "2.0") add("qix-envelope", "jsonrpc is not '2.0'");
    if (!Number.isInteger(msg.id)) add("qix-envelope", "id is not an integer");
    if (!cls) {
      add("qix-handle-unknown", `handle ${String(msg.handle)} was never returned by the engine`);
      return { check };
    }
    const method = this.methods.get(subject);
    if (!method) {
      add("qix-method-undescribed", `${subject} is not a method of ${cls}`);
      return { check };
    }
    const params = msg.params ?? [];
    const given = new Map<number, unknown>();
    if (Array.isArray(params)) {
      params.forEach((value, i) => {
        if (i >= method.params.length) add("qix-param-undescribed", `positional parameter ${i}`);
        else given.set(i, value);
      });
    } else if (isNode(params)) {
      for (const [name, value] of Object.entries(params)) {
        const i = method.params.findIndex((p) => p.name === name);
        if (i < 0) add("qix-param-undescribed", name);
        else given.set(i, value);
      }
    } else add("qix-envelope", "params is neither an array nor an object");
    method.params.forEach((p, i) => {
      if (p.required && !given.has(i)) add("qix-param-missing", p.name);
    });
    for (const [i, value] of given) {
      const name = method.params[i].name;
      const loc = this.schemas.at(REFERENCE, `/methods/${method.index}/params/${i}/schema`);
      this.checkValue(
        loc,
        value,
        "request",
        (detail) => add("qix-param-invalid", `${name}${detail}`),
        (path) => add("qix-param-field-undescribed", `${name}${path}`),
      );
    }
    return { check, method };
  }

  private response(msg: Node, check: Check, method: Method | undefined, handles: Map<number, string>): void {
    const add = (rule: Rule, detail: string) => check.findings.push({ rule, subject: check.subject, detail });
    for (const k of Object.keys(msg)) if (!RESPONSE_KEYS.has(k)) add("qix-envelope", `response key '${k}'`);
    for (const key of ["change", "close"] as const) {
      const list = msg[key];
      if (list !== undefined && !(Array.isArray(list) && list.every((h) => Number.isInteger(h))))
        add("qix-envelope", `${key} is not a list of handles`);
    }
    if (Array.isArray(msg.close)) for (const h of msg.close) handles.delete(h as number);
    if (msg.error !== undefined) {
      const e = msg.error;
      if (!isNode(e) || !Number.isInteger(e.code) || typeof e.message !== "string")
        add("qix-error-invalid", "error is not {code, parameter, message}");
      return;
    }
    const result = msg.result;
    const qReturn = isNode(result) ? result.qReturn : undefined;
    if (isNode(qReturn) && typeof qReturn.qType === "string" && Number.isInteger(qReturn.qHandle))
      handles.set(qReturn.qHandle as number, qReturn.qType);
    if (!method) return;
    const loc = this.schemas.at(REFERENCE, `/methods/${method.index}/result/schema`);
    if (loc.value === undefined) return;
    this.checkValue(
      loc,
      result ?? {},
      "response",
      (detail) => add("qix-result-invalid", `result${detail}`),
      (path) => add("qix-result-field-undescribed", `result${path}`),
    );
  }

  private notification(msg: Node, flow: string): Check {
    const subject = `notification ${String(msg.method)}`;
    const findings: Finding[] = [];
    for (const k of Object.keys(msg))
      if (!NOTIFICATION_KEYS.has(k)) findings.push({ rule: "qix-envelope", subject, detail: `key '${k}'` });
    if (typeof msg.method !== "string")
      findings.push({ rule: "qix-envelope", subject, detail: "a message without id names no method" });
    return { kind: "QIX", subject, reference: "JSON-RPC 2.0", flow, findings };
  }

  private checkValue(
    loc: Located,
    value: unknown,
    direction: "request" | "response",
    invalid: (detail: string) => void,
    undescribed: (path: string) => void,
  ): void {
    for (const e of describeErrors(this.schemas.validate(loc, value, direction))) invalid(` ${e}`);
    for (const path of this.schemas.undescribed(loc, value, direction, isEngineProperty)) undescribed(path);
  }
}
