/**
 * Reading `connections.yml` the way qlik-cli really writes it. Some qlik-cli versions list the same
 * connection twice, and some leave values that contain `: ` unquoted (`connectionstring: … timeout: 30`),
 * which is not valid YAML. Both are read: an identical repeat once, an unquoted value as the plain text
 * it was meant to be. A connection listed twice with different settings is still an error.
 */
import { isMap, isPair, isScalar, LineCounter, parseDocument } from "yaml";
import type { Document, Pair, YAMLMap } from "yaml";
import { sameCanonicalJson } from "@qlik-cicd/common";

export interface ConnectionsYamlProblem {
  message: string;
  /** Offset in the text (BOM removed). */
  offset: number;
}

export interface ConnectionsYaml {
  doc: Document;
  lines: LineCounter;
  /** What was tolerated, one sentence each (for warnings). */
  repairs: string[];
}

/** A plain (unquoted) mapping value on one line: `  key: value`. */
const PLAIN_VALUE = /^([ \t]*)([^\s#'"[\]{}:][^:#]*?):[ \t]+([^\s'"[\]{}|>&*!%@`#][^\r]*?)[ \t]*(\r?)$/;

/** Quotes one-line plain values that contain `: ` (as JSON strings, which YAML reads as double-quoted). */
function quoteColonValues(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const m = PLAIN_VALUE.exec(line);
      if (!m || !m[3].includes(": ")) return line;
      return `${m[1]}${m[2]}: ${JSON.stringify(m[3])}${m[4]}`;
    })
    .join("\n");
}

function parse(text: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  return { doc, lines };
}

/** The map that holds the connections: under `connections:` or the whole document. */
function connectionsMap(doc: Document): YAMLMap | undefined {
  const root = doc.contents;
  if (!isMap(root)) return undefined;
  const nested = root.get("connections", true);
  if (isMap(nested)) return nested;
  return root.items.some((p) => isScalar(p.key) && p.key.value === "connections") ? undefined : root;
}

const keyOf = (pair: Pair): string => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key));
const offsetOf = (pair: Pair): number =>
  (pair.key as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;

/** Repeated keys: tolerated (once) for identical connections, an error anywhere else. */
function checkDuplicates(
  node: unknown,
  connections: YAMLMap | undefined,
  repairs: string[],
): ConnectionsYamlProblem | undefined {
  if (!isMap(node)) return undefined;
  const seen = new Map<string, Pair>();
  const kept: Pair[] = [];
  for (const item of node.items) {
    if (!isPair(item)) continue;
    const key = keyOf(item);
    const first = seen.get(key);
    if (!first) {
      seen.set(key, item);
      kept.push(item);
      const inner = checkDuplicates(item.value, connections, repairs);
      if (inner) return inner;
      continue;
    }
    const same = sameCanonicalJson(
      (first.value as { toJSON?: () => unknown } | null)?.toJSON?.() ?? first.value,
      (item.value as { toJSON?: () => unknown } | null)?.toJSON?.() ?? item.value,
    );
    if (node !== connections || !same) {
      return {
        message:
          node === connections
            ? `connection "${key}" is listed twice with different settings`
            : `map keys must be unique ("${key}" is repeated)`,
        offset: offsetOf(item),
      };
    }
    repairs.push(`connection "${key}" is listed twice with the same settings; it is read once.`);
  }
  node.items = kept;
  return undefined;
}

/** Parses connections.yml text (BOM removed by the caller or here), tolerating what qlik-cli writes. */
export function parseConnectionsYaml(text: string): ConnectionsYaml | ConnectionsYamlProblem {
  const body = text.replace(/^\uFEFF/, "");
  const repairs: string[] = [];
  let parsed = parse(body);
  if (parsed.doc.errors.length > 0) {
    const quoted = quoteColonValues(body);
    const retry = quoted === body ? undefined : parse(quoted);
    if (!retry || retry.doc.errors.length > 0) {
      const first = parsed.doc.errors[0];
      return {
        message: first.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, ""),
        offset: first.pos[0],
      };
    }
    parsed = retry;
    repairs.push('values containing ": " are not quoted (not valid YAML); they were read as plain text.');
  }
  const problem = checkDuplicates(parsed.doc.contents, connectionsMap(parsed.doc), repairs);
  if (problem) return problem;
  return { ...parsed, repairs };
}
