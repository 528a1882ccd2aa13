import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { ResolvedLintConfig } from "./config.ts";
import { JsonSyntaxError, LocatedJson } from "./json-locate.ts";
import type { JsonPath } from "./json-locate.ts";
import { analyzeScript } from "./script.ts";
import type { ScriptModel } from "./script.ts";
import type { Position, RuleFinding } from "./types.ts";
import { LocatedYaml } from "./yaml-file.ts";

export interface JsonFileModel {
  /** Relative to the app directory, POSIX separators. */
  path: string;
  doc: LocatedJson;
}

export interface ConnectionEntry {
  name: string;
  /** File that declares it (connections.yml, or config.yml for inline connections). */
  file: string;
  doc: LocatedYaml;
  /** Key path of the entry inside connections.yml. */
  keyPath: JsonPath;
  value: unknown;
}

export interface ConnectionsModel {
  /** The file(s) connections are declared in, for messages. */
  path: string;
  entries: ConnectionEntry[];
}

export interface FileProblem {
  rule: "file-parse" | "file-missing";
  finding: RuleFinding;
}

/** Everything a rule can look at: the parsed files of one unbuilt app, with positions. */
export interface LintContext {
  dir: string;
  config: ResolvedLintConfig;
  script?: { path: string; model: ScriptModel };
  connections?: ConnectionsModel;
  dimensions?: JsonFileModel;
  measures?: JsonFileModel;
  variables?: JsonFileModel;
  appProperties?: JsonFileModel;
  bookmarks?: JsonFileModel;
  objects: JsonFileModel[];
  fileProblems: FileProblem[];
}

const DEFAULT_PATHS = {
  script: "script.qvs",
  connections: "connections.yml",
  dimensions: "dimensions.json",
  measures: "measures.json",
  variables: "variables.json",
  "app-properties": "app-properties.json",
  bookmarks: "bookmarks.json",
  objects: "objects",
};
type FileKey = keyof typeof DEFAULT_PATHS;

const toPosix = (p: string): string => p.split(path.sep).join("/");

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === "ENOENT" ||
      (error as NodeJS.ErrnoException).code === "EISDIR"
    ) {
      return undefined;
    }
    throw error;
  }
}

/** A relative path from config.yml that stays inside the app directory, or undefined. */
function safeRelative(value: unknown): string | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const normal = path.posix.normalize(value.trim().replaceAll("\\", "/"));
  if (normal.startsWith("../") || normal === ".." || path.posix.isAbsolute(normal)) return undefined;
  return normal.replace(/^\.\//, "");
}

function parseProblem(file: string, position: Position, message: string): FileProblem {
  return {
    rule: "file-parse",
    finding: {
      file,
      line: position.line,
      column: position.column,
      message: `${file} is not valid: ${message}`,
    },
  };
}

function loadJson(
  ctx: LintContext,
  rel: string,
  text: string,
  expect: "array" | "object",
): JsonFileModel | undefined {
  let doc: LocatedJson;
  try {
    doc = new LocatedJson(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    const lines = text.slice(0, error.offset).split(/\r\n|\r|\n/);
    const position = { line: lines.length, column: lines[lines.length - 1].length + 1 };
    ctx.fileProblems.push(
      parseProblem(rel, position, `${error.message} (line ${position.line}, column ${position.column}).`),
    );
    return undefined;
  }
  const ok =
    expect === "array"
      ? Array.isArray(doc.value)
      : doc.value !== null && typeof doc.value === "object" && !Array.isArray(doc.value);
  if (!ok) {
    ctx.fileProblems.push(parseProblem(rel, doc.locate([]), `expected a JSON ${expect} at the top level.`));
    return undefined;
  }
  return { path: rel, doc };
}

/** Connection entries of a parsed YAML document whose connections sit at `base` (or under `connections:`). */
function connectionEntries(
  ctx: LintContext,
  rel: string,
  parsed: LocatedYaml,
  base: JsonPath,
): ConnectionEntry[] {
  let map: unknown = base.length
    ? (parsed.value as Record<string, unknown>)[base[0] as string]
    : parsed.value;
  // qlik-cli and corectl write `connections:` as the top-level key; a bare map is accepted too.
  if (base.length === 0 && map && typeof map === "object" && !Array.isArray(map) && "connections" in map) {
    map = (map as Record<string, unknown>).connections;
    base = ["connections"];
  }
  if (map === null || map === undefined) return [];
  if (typeof map !== "object" || Array.isArray(map)) {
    ctx.fileProblems.push(
      parseProblem(rel, parsed.locate(base), "expected a mapping of connection name to its definition."),
    );
    return [];
  }
  return Object.entries(map as Record<string, unknown>).map(([name, value]) => ({
    name,
    file: rel,
    doc: parsed,
    keyPath: [...base, name],
    value,
  }));
}

function loadConnections(ctx: LintContext, rel: string, text: string): ConnectionEntry[] {
  const parsed = LocatedYaml.parseConnections(text);
  if (!(parsed instanceof LocatedYaml)) {
    ctx.fileProblems.push(
      parseProblem(
        rel,
        parsed.position,
        `${parsed.message} (line ${parsed.position.line}, column ${parsed.position.column}).`,
      ),
    );
    return [];
  }
  return connectionEntries(ctx, rel, parsed, []);
}

/** Reads an unbuilt app directory. Parse failures become file problems; nothing here throws on bad content. */
export async function loadLintContext(dir: string, config: ResolvedLintConfig): Promise<LintContext> {
  const ctx: LintContext = { dir, config, objects: [], fileProblems: [] };
  const paths: Record<FileKey, string> = { ...DEFAULT_PATHS };
  let connectionFiles: string[] = [DEFAULT_PATHS.connections];
  let inlineConnections: ConnectionEntry[] | undefined;

  const configText = await readText(path.join(dir, "config.yml"));
  if (configText !== undefined) {
    const parsed = LocatedYaml.parse(configText);
    if (!(parsed instanceof LocatedYaml)) {
      ctx.fileProblems.push(
        parseProblem(
          "config.yml",
          parsed.position,
          `${parsed.message} (line ${parsed.position.line}, column ${parsed.position.column}).`,
        ),
      );
    } else if (parsed.value && typeof parsed.value === "object" && !Array.isArray(parsed.value)) {
      const values = parsed.value as Record<string, unknown>;
      for (const key of Object.keys(DEFAULT_PATHS) as FileKey[]) {
        if (key === "connections" && values.connections && typeof values.connections === "object") {
          if (Array.isArray(values.connections)) {
            const files = values.connections.map(safeRelative).filter((v): v is string => v !== undefined);
            if (files.length) connectionFiles = files;
          } else {
            // Connections written inline in config.yml.
            inlineConnections = connectionEntries(ctx, "config.yml", parsed, ["connections"]);
          }
        } else if (key === "objects") {
          const list = Array.isArray(values.objects) ? values.objects : [values.objects];
          const dirs = list
            .map((v) => safeRelative(v)?.replace(/\/?\*[^/]*$/, ""))
            .filter((v) => v !== undefined);
          if (dirs.length === 1 && dirs[0]) paths.objects = dirs[0];
        } else {
          const rel = safeRelative(values[key]);
          if (rel) paths[key] = rel;
          if (rel && key === "connections") connectionFiles = [rel];
        }
      }
    }
  }

  const scriptText = await readText(path.join(dir, paths.script));
  if (scriptText === undefined) {
    ctx.fileProblems.push({
      rule: "file-missing",
      finding: {
        file: paths.script,
        line: 1,
        message: `${paths.script} is missing: every app needs its load script.`,
      },
    });
  } else {
    ctx.script = { path: paths.script, model: analyzeScript(scriptText) };
  }

  if (inlineConnections) {
    ctx.connections = { path: "config.yml", entries: inlineConnections };
  } else {
    const entries: ConnectionEntry[] = [];
    const found: string[] = [];
    for (const rel of connectionFiles) {
      const text = await readText(path.join(dir, rel));
      if (text === undefined) continue;
      found.push(rel);
      entries.push(...loadConnections(ctx, rel, text));
    }
    if (found.length) ctx.connections = { path: found.join(", "), entries };
  }

  const jsonFiles = [
    ["dimensions", "array"],
    ["measures", "array"],
    ["variables", "array"],
    ["app-properties", "object"],
    ["bookmarks", "array"],
  ] as const;
  for (const [key, expect] of jsonFiles) {
    const text = await readText(path.join(dir, paths[key]));
    if (text === undefined) continue;
    const model = loadJson(ctx, paths[key], text, expect);
    if (key === "app-properties") ctx.appProperties = model;
    else ctx[key] = model;
  }

  let names: string[] = [];
  try {
    names = (await readdir(path.join(dir, paths.objects), { withFileTypes: true }))
      .filter((e) => e.isFile() && e.name.toLowerCase().endsWith(".json"))
      .map((e) => e.name)
      .sort();
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code !== "ENOENT" &&
      (error as NodeJS.ErrnoException).code !== "ENOTDIR"
    ) {
      throw error;
    }
  }
  for (const name of names) {
    const rel = toPosix(path.posix.join(paths.objects, name));
    const text = await readFile(path.join(dir, paths.objects, name), "utf8");
    const model = loadJson(ctx, rel, text, "object");
    if (model) ctx.objects.push(model);
  }
  return ctx;
}
