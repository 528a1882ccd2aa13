import { LineCounter, parseDocument } from "yaml";
import type { Document } from "yaml";
import { parseConnectionsYaml } from "../connections-yaml.ts";
import { positionAt } from "../parse.ts";
import type { JsonPath } from "./json-locate.ts";
import type { Position } from "./types.ts";

export interface YamlSyntaxProblem {
  message: string;
  position: Position;
}

/** A parsed YAML document that can say where its values sit. */
export class LocatedYaml {
  readonly value: unknown;
  readonly #doc: Document;
  readonly #lines: LineCounter;

  private constructor(doc: Document, lines: LineCounter) {
    this.#doc = doc;
    this.#lines = lines;
    this.value = doc.toJS({ maxAliasCount: 100 });
  }

  /** Parses YAML text; returns the first syntax error (with its position) instead of throwing. */
  static parse(text: string): LocatedYaml | YamlSyntaxProblem {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const first = doc.errors[0];
    if (first) {
      const offset = first.pos[0];
      const pos = lines.linePos(offset);
      const message = first.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
      return { message, position: { line: pos.line, column: pos.col } };
    }
    try {
      return new LocatedYaml(doc, lines);
    } catch (error) {
      return {
        message: error instanceof Error ? error.message : String(error),
        position: { line: 1, column: 1 },
      };
    }
  }

  /** Parses a connections.yml text, tolerating what qlik-cli writes (see connections-yaml.ts). */
  static parseConnections(text: string): LocatedYaml | YamlSyntaxProblem {
    const parsed = parseConnectionsYaml(text);
    if ("doc" in parsed) {
      try {
        return new LocatedYaml(parsed.doc, parsed.lines);
      } catch (error) {
        return {
          message: error instanceof Error ? error.message : String(error),
          position: { line: 1, column: 1 },
        };
      }
    }
    return { message: parsed.message, position: positionAt(text.replace(/^\uFEFF/, ""), parsed.offset) };
  }

  /** Where the value at `path` starts (or its key with `{ key: true }`); falls back to the nearest ancestor. */
  locate(path: JsonPath, options?: { key?: boolean }): Position {
    for (let n = path.length; n >= 0; n--) {
      const sub = path.slice(0, n);
      if (options?.key && n === path.length && n > 0) {
        const parent = sub.length > 1 ? this.#doc.getIn(sub.slice(0, -1), true) : this.#doc.contents;
        const pair = findPair(parent, sub[sub.length - 1]);
        const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
        if (range) return this.#position(range[0]);
      }
      const node = (n === 0 ? this.#doc.contents : this.#doc.getIn(sub, true)) as
        { range?: [number, number, number] } | null | undefined;
      if (node && typeof node === "object" && node.range) return this.#position(node.range[0]);
    }
    return { line: 1, column: 1 };
  }

  #position(offset: number): Position {
    const p = this.#lines.linePos(offset);
    return { line: p.line, column: p.col };
  }
}

function findPair(collection: unknown, key: string | number): { key?: unknown } | undefined {
  const items = (collection as { items?: unknown[] } | null | undefined)?.items;
  if (!Array.isArray(items)) return undefined;
  for (const item of items) {
    const k = (item as { key?: { value?: unknown } } | null)?.key;
    if (k && typeof k === "object" && String(k.value) === String(key)) return item as { key?: unknown };
  }
  return undefined;
}
