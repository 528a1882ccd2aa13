/** Reading an unbuilt app folder into an AppTree and writing one back, deterministically. */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "@qlik-cicd/common";
import { AppTree } from "./app-tree.ts";
import { parseConnectionsText, parseJsonText, parseYamlText } from "./parse.ts";
import {
  FILES,
  infoOf,
  isObject,
  type AppConnection,
  type AppTreeContent,
  type JsonObject,
  type JsonValue,
  type ObjectEntry,
} from "./types.ts";

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

type Spec = string | string[] | undefined;

interface ReadContext {
  dir: string;
  configName: string | undefined;
  warnings: string[];
}

/** Relative paths a config value points at (a path, a `dir/*.json` glob, or a list of either). */
async function resolveSpec(ctx: ReadContext, key: string, spec: Spec): Promise<string[]> {
  const list = spec === undefined ? [] : Array.isArray(spec) ? spec : [spec];
  const out: string[] = [];
  for (const item of list) {
    const rel = item.replace(/\\/g, "/").replace(/^\.\//, "");
    const full = path.resolve(ctx.dir, rel);
    const inside = path.relative(ctx.dir, full);
    if (path.isAbsolute(rel) || inside.startsWith("..") || path.isAbsolute(inside)) {
      throw new ConfigError(`${ctx.configName}: "${key}" points outside the app folder (${item}).`, {
        field: ctx.configName,
        hint: "Use paths relative to the app folder.",
      });
    }
    if (!rel.includes("*")) {
      out.push(rel);
      continue;
    }
    const slash = rel.lastIndexOf("/");
    const folder = slash < 0 ? "" : rel.slice(0, slash);
    if (folder.includes("*")) {
      throw new ConfigError(`${ctx.configName}: "${key}" may use "*" only in the file name (${item}).`, {
        field: ctx.configName,
      });
    }
    const pattern = new RegExp(
      `^${rel
        .slice(slash + 1)
        .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")}$`,
    );
    const names = await readdir(path.join(ctx.dir, folder)).catch(() => [] as string[]);
    for (const name of names.filter((n) => pattern.test(n)).sort()) {
      if (await isFile(path.join(ctx.dir, folder, name))) out.push(folder ? `${folder}/${name}` : name);
    }
  }
  return out;
}

function specOf(config: JsonObject | undefined, key: string): Spec | JsonObject {
  const value = config?.[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  if (isObject(value)) return value;
  throw new ConfigError(
    `config "${key}" must be a file path, a glob such as objects/*.json, or a list of paths.`,
    {
      field: key,
    },
  );
}

/** Files for one kind: those the config names (all must exist) or the default when present. */
async function filesFor(ctx: ReadContext, config: JsonObject | undefined, key: string, fallback: string) {
  const spec = specOf(config, key);
  if (isObject(spec)) {
    throw new ConfigError(`${ctx.configName}: "${key}" must be a file path or a list of paths.`, {
      field: ctx.configName,
    });
  }
  if (spec === undefined) {
    if (fallback.includes("*")) {
      const found = await resolveSpec(ctx, key, fallback);
      const folder = fallback.slice(0, fallback.lastIndexOf("/"));
      const folderExists = await stat(path.join(ctx.dir, folder)).then(
        (s) => s.isDirectory(),
        () => false,
      );
      return folderExists || found.length > 0 ? found : undefined;
    }
    return (await isFile(path.join(ctx.dir, fallback))) ? [fallback] : undefined;
  }
  const files = await resolveSpec(ctx, key, spec);
  for (const rel of files) {
    if (!(await isFile(path.join(ctx.dir, rel)))) {
      throw new ConfigError(`${ctx.configName} names ${rel} for "${key}", but that file does not exist.`, {
        field: rel,
      });
    }
  }
  return files;
}

async function readJson(ctx: ReadContext, rel: string): Promise<JsonValue> {
  const text = (await readText(path.join(ctx.dir, rel))) ?? "";
  return parseJsonText(text, rel);
}

async function readEntityList(
  ctx: ReadContext,
  files: string[],
  label: string,
  identity: "id" | "name",
): Promise<JsonObject[]> {
  const items: JsonObject[] = [];
  const seen = new Map<string, string>();
  for (const rel of files) {
    const parsed = await readJson(ctx, rel);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    list.forEach((item, index) => {
      const where = Array.isArray(parsed) ? `${rel} item ${index + 1}` : rel;
      if (!isObject(item)) {
        throw new ConfigError(`${where} must be a JSON object with the ${label}'s properties.`, {
          field: rel,
        });
      }
      const key = identity === "id" ? infoOf(item).id : typeof item.qName === "string" ? item.qName : "";
      if (!key) {
        const what = identity === "id" ? "qInfo.qId" : "qName";
        throw new ConfigError(`${where} has no ${what}; every ${label} needs a unique ${what}.`, {
          field: rel,
        });
      }
      if (seen.has(key)) {
        throw new ConfigError(`${where} repeats the ${label} "${key}" already defined in ${seen.get(key)}.`, {
          field: rel,
        });
      }
      if (item.qIsScriptCreated === true) {
        ctx.warnings.push(
          `${where}: skipped script-created ${label} "${key}" (the reload script defines it).`,
        );
        return;
      }
      seen.set(key, where);
      items.push(item);
    });
  }
  return items;
}

function toObjectEntry(value: JsonValue, where: string, rel: string): ObjectEntry {
  if (!isObject(value)) throw new ConfigError(`${where} must be a JSON object.`, { field: rel });
  if (!("qProperty" in value)) return { qProperty: value, qChildren: [] };
  if (!isObject(value.qProperty))
    throw new ConfigError(`${where}: qProperty must be an object.`, { field: rel });
  const children = value.qChildren ?? [];
  if (!Array.isArray(children)) throw new ConfigError(`${where}: qChildren must be a list.`, { field: rel });
  return {
    qProperty: value.qProperty,
    qChildren: children.map((c, i) => toObjectEntry(c, `${where} child ${i + 1}`, rel)),
  };
}

async function readObjects(ctx: ReadContext, files: string[]): Promise<ObjectEntry[]> {
  const out: ObjectEntry[] = [];
  const seen = new Map<string, string>();
  const check = (entry: ObjectEntry, rel: string) => {
    const { id } = infoOf(entry.qProperty);
    if (!id) throw new ConfigError(`${rel} has an object without qInfo.qId.`, { field: rel });
    if (seen.has(id)) {
      throw new ConfigError(`${rel} repeats the object "${id}" already defined in ${seen.get(id)}.`, {
        field: rel,
      });
    }
    seen.set(id, rel);
    entry.qChildren.forEach((c) => check(c, rel));
  };
  for (const rel of files) {
    const entry = toObjectEntry(await readJson(ctx, rel), rel, rel);
    check(entry, rel);
    out.push(entry);
  }
  return out;
}

function readConnections(ctx: ReadContext, parsed: JsonValue, rel: string): AppConnection[] {
  const root = isObject(parsed) && "connections" in parsed ? parsed.connections : parsed;
  if (root === null || root === undefined) return [];
  if (!isObject(root)) {
    throw new ConfigError(
      `${rel}: "connections" must map each connection name to its type and connectionstring.`,
      {
        field: rel,
      },
    );
  }
  const out: AppConnection[] = [];
  for (const [name, def] of Object.entries(root)) {
    if (!isObject(def)) {
      throw new ConfigError(`${rel}: connection "${name}" must have "type" and "connectionstring".`, {
        field: rel,
      });
    }
    const connectionString = def.connectionstring ?? def.connectionString;
    if (typeof connectionString !== "string" || !connectionString) {
      throw new ConfigError(`${rel}: connection "${name}" has no connectionstring.`, { field: rel });
    }
    if (typeof def.password === "string" && def.password !== "") {
      throw new ConfigError(
        `${rel}: connection "${name}" contains a password; credentials must not be kept in files.`,
        {
          field: rel,
          hint: "Remove it and keep the credentials in the connection in Qlik Cloud.",
        },
      );
    }
    if (typeof def.username === "string" && def.username !== "") {
      ctx.warnings.push(
        `${rel}: ignored the username of connection "${name}" (credentials are not kept in files).`,
      );
    }
    out.push({ name, type: typeof def.type === "string" ? def.type : "", connectionString });
  }
  return out;
}

/**
 * Reads an unbuilt app folder — this library's layout or one written by qlik-cli/corectl
 * (`config.yml` or `corectl.yml`, objects as full property trees or plain properties, variables as a
 * list of variable properties). A kind whose file is absent stays unmanaged (`undefined`).
 */
export async function readAppTree(dir: string): Promise<AppTree> {
  const root = path.resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new ConfigError(`App folder ${dir} does not exist or is not a folder.`, { field: dir });
  }
  const ctx: ReadContext = { dir: root, configName: undefined, warnings: [] };
  let config: JsonObject | undefined;
  for (const name of [FILES.config, "corectl.yml"]) {
    const text = await readText(path.join(root, name));
    if (text === undefined) continue;
    const parsed = parseYamlText(text, name);
    if (parsed !== null && !isObject(parsed)) {
      throw new ConfigError(`${name} must be a mapping of keys such as script, measures and objects.`, {
        field: name,
      });
    }
    config = parsed ?? {};
    ctx.configName = name;
    break;
  }

  const content: AppTreeContent = {};
  const scriptFiles = await filesFor(ctx, config, "script", FILES.script);
  if (scriptFiles) {
    content.script = (await Promise.all(scriptFiles.map((f) => readText(path.join(root, f))))).join("");
  }
  const propsFiles = await filesFor(ctx, config, "app-properties", FILES.appProperties);
  if (propsFiles && propsFiles.length > 0) {
    const merged: JsonObject = {};
    for (const rel of propsFiles) {
      const parsed = await readJson(ctx, rel);
      if (!isObject(parsed))
        throw new ConfigError(`${rel} must be a JSON object of app properties.`, { field: rel });
      Object.assign(merged, parsed);
    }
    content.appProperties = merged;
  }

  const inlineConnections = specOf(config, "connections");
  if (isObject(inlineConnections)) {
    content.connections = readConnections(ctx, inlineConnections, ctx.configName ?? FILES.config);
  } else {
    const connFiles = await filesFor(ctx, config, "connections", FILES.connections);
    if (connFiles) {
      content.connections = [];
      for (const rel of connFiles) {
        const text = (await readText(path.join(root, rel))) ?? "";
        content.connections.push(...readConnections(ctx, parseConnectionsText(text, rel, ctx.warnings), rel));
      }
    }
  }

  const entity = async (key: string, fallback: string, label: string, identity: "id" | "name") => {
    const files = await filesFor(ctx, config, key, fallback);
    return files ? readEntityList(ctx, files, label, identity) : undefined;
  };
  content.dimensions = await entity("dimensions", FILES.dimensions, "dimension", "id");
  content.measures = await entity("measures", FILES.measures, "measure", "id");
  content.variables = await entity("variables", FILES.variables, "variable", "name");
  content.bookmarks = await entity("bookmarks", FILES.bookmarks, "bookmark", "id");
  const objectFiles = await filesFor(ctx, config, "objects", `${FILES.objectsDir}/*.json`);
  if (objectFiles) content.objects = await readObjects(ctx, objectFiles);

  for (const key of Object.keys(content) as (keyof AppTreeContent)[]) {
    if (content[key] === undefined) delete content[key];
  }
  return new AppTree(content, { warnings: ctx.warnings });
}

export interface WriteResult {
  /** Relative paths whose content was created or changed. */
  written: string[];
  /** Relative paths of layout files that the tree no longer has. */
  removed: string[];
  changed: boolean;
}

const LAYOUT_ROOT_FILES = new Set<string>([
  FILES.config,
  FILES.script,
  FILES.connections,
  FILES.dimensions,
  FILES.measures,
  FILES.variables,
  FILES.bookmarks,
  FILES.appProperties,
]);

/**
 * Writes `tree` into `dir`: every file is computed first, then only changed files are written (each
 * through a temporary file and an atomic rename), then layout files the tree no longer has are
 * removed. Other files in `dir` (README, lint config, …) are left alone.
 */
export async function writeAppTree(dir: string, tree: AppTree): Promise<WriteResult> {
  const root = path.resolve(dir);
  const texts = tree.fileTexts();
  await mkdir(root, { recursive: true });

  const existing: string[] = [];
  for (const name of await readdir(root)) {
    if (LAYOUT_ROOT_FILES.has(name) && (await isFile(path.join(root, name)))) existing.push(name);
  }
  const objectsDir = path.join(root, FILES.objectsDir);
  const objectNames = await readdir(objectsDir).catch(() => [] as string[]);
  for (const name of objectNames) {
    if (name.endsWith(".json") && (await isFile(path.join(objectsDir, name)))) {
      existing.push(`${FILES.objectsDir}/${name}`);
    }
  }

  const changes: [string, string][] = [];
  await Promise.all(
    [...texts].map(async ([rel, text]) => {
      const current = await readText(path.join(root, rel));
      if (current !== text) changes.push([rel, text]);
    }),
  );
  changes.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const suffix = `.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  for (const [rel, text] of changes) {
    const full = path.join(root, rel);
    if (!full.startsWith(root + path.sep)) throw new Error(`Refusing to write outside ${root}: ${rel}`);
    await mkdir(path.dirname(full), { recursive: true });
    const tmp = `${full}${suffix}`;
    try {
      await writeFile(tmp, text, "utf8");
      await rename(tmp, full);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  const removed = existing.filter((rel) => !texts.has(rel)).sort();
  for (const rel of removed) await unlink(path.join(root, rel));
  return { written: changes.map(([rel]) => rel), removed, changed: changes.length + removed.length > 0 };
}
