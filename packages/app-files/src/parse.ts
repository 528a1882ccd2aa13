/** Parsing files with errors that name the file, line and column. */
import { ConfigError } from "@qlik-cicd/common";
import YAML from "yaml";
import { parseConnectionsYaml } from "./connections-yaml.ts";
import type { JsonValue } from "./types.ts";

export interface TextPosition {
  line: number;
  column: number;
}

/** 1-based line and column (in characters) of a UTF-16 offset. */
export function positionAt(text: string, offset: number): TextPosition {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split("\n");
  return { line: lines.length, column: [...lines[lines.length - 1]].length + 1 };
}

function fileError(file: string, pos: TextPosition, kind: string, reason: string): ConfigError {
  return new ConfigError(`${file} line ${pos.line}, column ${pos.column}: invalid ${kind} (${reason}).`, {
    field: file,
    hint: "Fix the file and run again.",
  });
}

interface ScanError {
  offset: number;
  reason: string;
}

/** Finds the first syntax error of a JSON text (JSON.parse messages do not always carry a position). */
export function findJsonError(text: string): ScanError | undefined {
  let i = 0;
  const fail = (reason: string, at = i): never => {
    throw { offset: at, reason } satisfies ScanError;
  };
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r"))
      i++;
  };
  const describe = () =>
    i >= text.length ? "unexpected end of file" : `unexpected character ${JSON.stringify(text[i])}`;
  const string = () => {
    if (text[i] !== '"') fail(`expected a double-quoted string, found ${describe()}`);
    i++;
    for (;;) {
      if (i >= text.length) fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail("control character in string (use \\n, \\t, …)");
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail("invalid \\u escape");
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail("invalid escape in string");
      } else i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a double-quoted property name, found ${describe()}`);
        string();
        ws();
        if (text[i] !== ":") fail(`expected ':' after property name, found ${describe()}`);
        i++;
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        fail(`expected ',' or '}', found ${describe()}`);
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ",") {
          i++;
          ws();
          if (text[i] === "]") fail("trailing comma before ']'");
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        fail(`expected ',' or ']', found ${describe()}`);
      }
    }
    if (c === '"') return string();
    const num = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    num.lastIndex = i;
    if (c !== undefined && /[-0-9]/.test(c)) {
      if (!num.test(text)) fail("invalid number");
      i = num.lastIndex;
      return;
    }
    for (const literal of ["true", "false", "null"]) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    fail(`expected a value, found ${describe()}`);
  };
  try {
    value();
    ws();
    if (i < text.length)
      fail(`unexpected content after the end of the JSON value: ${JSON.stringify(text[i])}`);
    return undefined;
  } catch (error) {
    if (error && typeof error === "object" && "offset" in error) return error as ScanError;
    throw error;
  }
}

export function parseJsonText(text: string, file: string): JsonValue {
  const body = text.replace(/^\uFEFF/, "");
  try {
    return JSON.parse(body) as JsonValue;
  } catch (error) {
    const found = findJsonError(body);
    if (found) throw fileError(file, positionAt(body, found.offset), "JSON", found.reason);
    const m = /position (\d+)/.exec(String((error as Error).message));
    const offset = m ? Number(m[1]) : body.length;
    throw fileError(file, positionAt(body, offset), "JSON", (error as Error).message);
  }
}

export function parseYamlText(text: string, file: string): JsonValue {
  const body = text.replace(/^\uFEFF/, "");
  const doc = YAML.parseDocument(body, { uniqueKeys: true, prettyErrors: false });
  const err = doc.errors[0];
  if (err) {
    const lp = err.linePos?.[0];
    const pos = lp ? { line: lp.line, column: lp.col } : positionAt(body, err.pos[0]);
    throw fileError(file, pos, "YAML", err.message.split("\n")[0]);
  }
  return (doc.toJS({ maxAliasCount: 100 }) ?? null) as JsonValue;
}

/**
 * Parses a connections.yml text, tolerating what qlik-cli writes (see connections-yaml.ts); what was
 * tolerated is added to `warnings`, prefixed with the file name.
 */
export function parseConnectionsText(text: string, file: string, warnings?: string[]): JsonValue {
  const parsed = parseConnectionsYaml(text);
  if (!("doc" in parsed)) {
    throw fileError(file, positionAt(text.replace(/^\uFEFF/, ""), parsed.offset), "YAML", parsed.message);
  }
  for (const repair of parsed.repairs) warnings?.push(`${file}: ${repair}`);
  return (parsed.doc.toJS({ maxAliasCount: 100 }) ?? null) as JsonValue;
}
