import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, isAbsolute, relative, resolve } from "node:path";
import { ConfigError, resolvePathInput, sha256Hex, type PathPolicy } from "@qlik-cicd/common";

export interface EvidenceItem {
  /** The file path as given, or `inline` for markdown text. */
  source: string;
  sha256: string;
  bytes: number;
  /** Rendered for the request issue and the job summary. */
  markdown: string;
}

const MAX_ROWS = 50;
const MAX_COLUMNS = 12;
const MAX_BLOCK_CHARS = 15_000;
/** GitHub caps an issue body at 65,536 characters; leave room for the request text around it. */
export const MAX_EVIDENCE_CHARS = 50_000;

const isPrimitive = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);

function cell(v: unknown): string {
  const s = v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
  return s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function fence(text: string, lang: string): string {
  const body = text.length > MAX_BLOCK_CHARS ? `${text.slice(0, MAX_BLOCK_CHARS)}\n… (truncated)` : text;
  const ticks = body.includes("```") ? "````" : "```";
  return `${ticks}${lang}\n${body.replace(/\s+$/, "")}\n${ticks}`;
}

/** JSON as a table when it is a list of flat records or one flat record, else a fenced block. */
export function renderJson(value: unknown): string {
  if (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((r) => r && typeof r === "object" && !Array.isArray(r) && Object.values(r).every(isPrimitive))
  ) {
    const columns: string[] = [];
    for (const row of value as Record<string, unknown>[]) {
      for (const k of Object.keys(row))
        if (!columns.includes(k) && columns.length < MAX_COLUMNS) columns.push(k);
    }
    const lines = [`| ${columns.map(cell).join(" | ")} |`, `| ${columns.map(() => "---").join(" | ")} |`];
    for (const row of (value as Record<string, unknown>[]).slice(0, MAX_ROWS)) {
      lines.push(`| ${columns.map((c) => cell(row[c])).join(" | ")} |`);
    }
    if (value.length > MAX_ROWS) lines.push(`\n… and ${value.length - MAX_ROWS} more rows`);
    return lines.join("\n");
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length > 0 && entries.length <= MAX_ROWS && entries.every(([, v]) => isPrimitive(v))) {
      return [
        "| Field | Value |",
        "| --- | --- |",
        ...entries.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`),
      ].join("\n");
    }
  }
  return fence(JSON.stringify(value, null, 2), "json");
}

function fileItem(source: string, path: string): EvidenceItem {
  const bytes = readFileSync(path);
  const text = bytes.toString("utf8");
  const ext = extname(path).toLowerCase();
  let body: string;
  if (ext === ".json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ConfigError(`Evidence file '${source}' is not valid JSON.`, { field: "evidence" });
    }
    body = renderJson(parsed);
  } else if (ext === ".md" || ext === ".markdown") {
    body = text.replace(/\s+$/, "");
  } else {
    body = fence(text, ext.slice(1));
  }
  return { source, sha256: sha256Hex(bytes), bytes: bytes.length, markdown: `#### ${source}\n\n${body}` };
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Reads the `evidence` input: each line naming an existing file (relative to `workspace`) becomes a
 * rendered file; the other lines stay markdown text, in order. With a confining `paths` policy (on a
 * runner) a line naming a file outside the workspace is refused, so no other file reaches the issue.
 */
export function loadEvidence(
  input: string | undefined,
  workspace: string = process.cwd(),
  paths?: PathPolicy,
): EvidenceItem[] {
  if (!input || !input.trim()) return [];
  const items: EvidenceItem[] = [];
  let text: string[] = [];
  const flush = () => {
    const md = text.join("\n").trim();
    if (md)
      items.push({ source: "inline", sha256: sha256Hex(md), bytes: Buffer.byteLength(md), markdown: md });
    text = [];
  };
  for (const line of input.split(/\r?\n/)) {
    const candidate = line.trim();
    const path = candidate ? (isAbsolute(candidate) ? candidate : resolve(workspace, candidate)) : "";
    if (candidate && candidate.length < 1024 && isFile(path)) {
      if (paths?.confine) resolvePathInput(paths, candidate, { field: "evidence" });
      flush();
      const rel = relative(workspace, path);
      items.push(fileItem(rel.startsWith("..") || isAbsolute(rel) ? candidate : rel, path));
    } else {
      text.push(line);
    }
  }
  flush();
  return items;
}

/** All evidence as one markdown section body, capped to fit in an issue. */
export function evidenceMarkdown(items: EvidenceItem[]): string {
  const all = items.map((i) => i.markdown).join("\n\n");
  return all.length > MAX_EVIDENCE_CHARS
    ? `${all.slice(0, MAX_EVIDENCE_CHARS)}\n\n… (evidence truncated)`
    : all;
}
