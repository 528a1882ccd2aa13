/** Parsing files with errors that name the file, line and column. */
import { ConfigError } from "@qlik-cicd/common";
import YAML from "yaml";
import { parseConnectionsYaml } from "./connections-yaml.ts";
import { JsonSyntaxError, LocatedJson } from "./lint/json-locate.ts";
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

export function parseJsonText(text: string, file: string): JsonValue {
  try {
    return new LocatedJson(text).value as JsonValue;
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    const reason = error.message.charAt(0).toLowerCase() + error.message.slice(1);
    const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    throw fileError(file, positionAt(text.slice(bom), Math.max(0, error.offset - bom)), "JSON", reason);
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
