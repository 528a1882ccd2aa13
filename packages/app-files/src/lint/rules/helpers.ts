import type { JsonFileModel, LintContext } from "../context.ts";
import type { JsonPath } from "../json-locate.ts";
import type { RuleFinding } from "../types.ts";

/** A finding in the script at a character offset. */
export function scriptFinding(
  ctx: LintContext,
  offset: number,
  message: string,
  endOffset?: number,
): RuleFinding {
  const script = ctx.script!;
  const pos = script.model.lines.position(offset);
  const finding: RuleFinding = { file: script.path, line: pos.line, column: pos.column, message };
  if (endOffset !== undefined) {
    const end = script.model.lines.position(Math.max(offset, endOffset - 1));
    if (end.line > pos.line) finding.endLine = end.line;
  }
  return finding;
}

/** A finding at a value inside a JSON file. */
export function jsonFinding(
  file: JsonFileModel,
  path: JsonPath,
  message: string,
  options?: { key?: boolean },
): RuleFinding {
  const pos = file.doc.locate(path, options);
  return { file: file.path, line: pos.line, column: pos.column, message };
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Visits every value in a plain JSON tree with its key path. The path array is reused while walking:
 * copy it (`[...path]`) to keep it.
 */
export function walkJson(value: unknown, visit: (value: unknown, path: JsonPath) => void): void {
  const path: (string | number)[] = [];
  const step = (v: unknown): void => {
    visit(v, path);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        step(v[i]);
        path.pop();
      }
    } else if (isRecord(v)) {
      for (const k of Object.keys(v)) {
        path.push(k);
        step(v[k]);
        path.pop();
      }
    }
  };
  step(value);
}

export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export type MasterKind = "dimension" | "measure" | "variable";

export interface MasterItem {
  kind: MasterKind;
  file: JsonFileModel;
  /** Path of the item in its file (its array index). */
  path: JsonPath;
  id: string | undefined;
  name: string | undefined;
  namePath: JsonPath;
}

/** Dimensions, measures and variables with their ids, names and where the names sit. */
export function masterItems(ctx: LintContext): MasterItem[] {
  const out: MasterItem[] = [];
  const add = (kind: MasterKind, file: JsonFileModel | undefined): void => {
    if (!file || !Array.isArray(file.doc.value)) return;
    file.doc.value.forEach((item, i) => {
      if (!isRecord(item)) return;
      const id = str(isRecord(item.qInfo) ? item.qInfo.qId : undefined);
      let name: string | undefined;
      let namePath: JsonPath = [i];
      const metaTitle = isRecord(item.qMetaDef) ? str(item.qMetaDef.title) : undefined;
      if (kind === "variable") {
        name = str(item.qName);
        namePath = [i, "qName"];
      } else if (metaTitle !== undefined && metaTitle.trim() !== "") {
        name = metaTitle;
        namePath = [i, "qMetaDef", "title"];
      } else if (kind === "measure" && isRecord(item.qMeasure) && str(item.qMeasure.qLabel)) {
        name = str(item.qMeasure.qLabel);
        namePath = [i, "qMeasure", "qLabel"];
      } else if (kind === "dimension" && isRecord(item.qDim) && str(item.qDim.title)) {
        name = str(item.qDim.title);
        namePath = [i, "qDim", "title"];
      }
      out.push({ kind, file, path: [i], id, name, namePath });
    });
  };
  add("dimension", ctx.dimensions);
  add("measure", ctx.measures);
  add("variable", ctx.variables);
  return out;
}

/** Compares connection names the way Qlik resolves them: case-insensitively, with or without a `Space:` prefix. */
export function connectionMatcher(names: Iterable<string>): (name: string) => boolean {
  const full = new Set<string>();
  const bare = new Set<string>();
  const strip = (n: string): string => n.slice(n.indexOf(":") + 1);
  for (const n of names) {
    full.add(n.toLowerCase());
    bare.add(strip(n).toLowerCase());
  }
  return (name) => {
    const lower = name.toLowerCase();
    return full.has(lower) || bare.has(strip(lower));
  };
}

export function declaredConnectionNames(ctx: LintContext): string[] {
  return ctx.connections?.entries.map((e) => e.name) ?? [];
}

export interface ObjectNode {
  file: JsonFileModel;
  /** Path to the object's properties (`qProperty` in a full property tree). */
  path: JsonPath;
  props: Record<string, unknown>;
  /** Child property trees (`qChildren`), when the file is a full property tree. */
  children: unknown[];
  depth: number;
}

/** Every object in an objects/*.json file: the root and, for full property trees, all descendants. */
const objectNodeCache = new WeakMap<JsonFileModel, ObjectNode[]>();

export function objectNodes(file: JsonFileModel): ObjectNode[] {
  const cached = objectNodeCache.get(file);
  if (cached) return cached;
  const out: ObjectNode[] = [];
  const visit = (tree: unknown, path: JsonPath, depth: number): void => {
    if (!isRecord(tree)) return;
    const isTree = isRecord(tree.qProperty);
    const props = isTree ? (tree.qProperty as Record<string, unknown>) : tree;
    const children = isTree && Array.isArray(tree.qChildren) ? tree.qChildren : [];
    out.push({ file, path: isTree ? [...path, "qProperty"] : path, props, children, depth });
    children.forEach((c, i) => visit(c, [...path, "qChildren", i], depth + 1));
  };
  visit(file.doc.value, [], 0);
  objectNodeCache.set(file, out);
  return out;
}

export const objectId = (o: ObjectNode): string | undefined =>
  isRecord(o.props.qInfo) ? str(o.props.qInfo.qId) : undefined;
export const objectType = (o: ObjectNode): string | undefined =>
  isRecord(o.props.qInfo) ? str(o.props.qInfo.qType) : undefined;

/**
 * Index in a JSON string's raw source (quotes included) of the decoded character at `decoded`, so a
 * column can point inside a string that contains escapes.
 */
export function rawIndex(raw: string, decoded: number): number {
  let r = 1;
  for (let d = 0; d < decoded && r < raw.length - 1; d++) {
    if (raw[r] === "\\") r += raw[r + 1] === "u" ? 6 : 2;
    else r++;
  }
  return r;
}
