/** Semantic diff of two app trees, as data and as markdown for job summaries and PR comments. */
import { redactCredentials } from "@qlik-cicd/common";
import type { AppTree } from "./app-tree.ts";
import { sameJson } from "./canonical.ts";
import { infoOf, isObject, titleOf, type JsonObject, type JsonValue, type ObjectEntry } from "./types.ts";

export type DiffKind =
  | "script"
  | "app-properties"
  | "connection"
  | "variable"
  | "dimension"
  | "measure"
  | "sheet"
  | "object"
  | "bookmark";

export type DiffChange = "added" | "changed" | "removed";

export interface DiffDetail {
  /** Readable name of what changed, e.g. `expression`, `title` or a property path. */
  label: string;
  before?: string;
  after?: string;
}

export interface DiffEntry {
  kind: DiffKind;
  change: DiffChange;
  /** qInfo.qId; the section name for script sections; the name for connections and variables. */
  id: string;
  title: string;
  /** Object type (sheet, barchart, …). */
  type?: string;
  /** Id of the parent object, for objects inside a sheet or container. */
  parentId?: string;
  details: DiffDetail[];
}

export interface AppDiff {
  changed: boolean;
  /** Ordered by kind (DIFF_KINDS), change (added, changed, removed), title, id. */
  entries: DiffEntry[];
  counts: Record<DiffKind, Record<DiffChange, number>>;
}

export const DIFF_KINDS: readonly DiffKind[] = [
  "script",
  "app-properties",
  "connection",
  "variable",
  "dimension",
  "measure",
  "sheet",
  "object",
  "bookmark",
];

const CHANGE_ORDER: Record<DiffChange, number> = { added: 0, changed: 1, removed: 2 };
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const MAX_DETAILS = 4;

const FRIENDLY: Record<string, string> = {
  "qMeasure.qDef": "expression",
  "qMeasure.qLabel": "label",
  "qMeasure.qLabelExpression": "label expression",
  "qMeasure.qNumFormat.qFmt": "number format",
  "qDim.qFieldDefs.0": "field",
  "qDim.qFieldLabels.0": "label",
  "qDim.qGrouping": "grouping",
  "qMetaDef.title": "title",
  "qMetaDef.description": "description",
  "qMetaDef.tags": "tags",
  qDefinition: "definition",
  qComment: "comment",
  qName: "name",
  title: "title",
  subtitle: "subtitle",
  visualization: "visualization",
  connectionString: "connection string",
  type: "type",
};

function scalarText(value: JsonValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** Leaf paths of a JSON value → scalar (arrays by index; empty containers as leaves). */
function flatten(value: JsonValue, prefix: string, out: Map<string, JsonValue>): Map<string, JsonValue> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(prefix, []);
    value.forEach((v, i) => flatten(v, prefix ? `${prefix}.${i}` : String(i), out));
  } else if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0 && prefix) out.set(prefix, {});
    for (const k of keys) flatten(value[k], prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, value);
  return out;
}

/** Short, readable property changes (at most a few, then a count of the rest). */
export function describeChanges(
  before: JsonValue,
  after: JsonValue,
  ignore: (path: string) => boolean = () => false,
) {
  const a = flatten(before, "", new Map());
  const b = flatten(after, "", new Map());
  const paths = [...new Set([...a.keys(), ...b.keys()])]
    .filter((p) => !ignore(p) && (a.has(p) !== b.has(p) || !sameJson(a.get(p), b.get(p))))
    .sort((x, y) => {
      const fx = FRIENDLY[x] ? 0 : 1;
      const fy = FRIENDLY[y] ? 0 : 1;
      return fx - fy || cmp(x, y);
    });
  const details: DiffDetail[] = paths.slice(0, MAX_DETAILS).map((p) => {
    const d: DiffDetail = { label: FRIENDLY[p] ?? p };
    const bt = scalarText(a.get(p));
    const at = scalarText(b.get(p));
    if (bt !== undefined) d.before = bt;
    if (at !== undefined) d.after = at;
    return d;
  });
  if (paths.length > MAX_DETAILS)
    details.push({ label: `${paths.length - MAX_DETAILS} more properties changed` });
  return details;
}

/** A bookmark's selections in one line: `Region = Nordics, Norway; Year = 2025 · Comparison: …`. */
function selectionSummary(bookmark: JsonObject): string {
  const state = bookmark.qBookmark;
  const states = isObject(state) && Array.isArray(state.qStateData) ? state.qStateData.filter(isObject) : [];
  const parts = states.map((data) => {
    const items = Array.isArray(data.qFieldItems) ? data.qFieldItems.filter(isObject) : [];
    const fields = items.map((item) => {
      const name = isObject(item.qDef) ? String(item.qDef.qName) : "";
      const info = isObject(item.qSelectInfo) ? item.qSelectInfo : {};
      const texts = (list: JsonValue | undefined) =>
        (Array.isArray(list) ? list.filter(isObject) : []).map((v) => String(v.qText)).join(", ");
      if (typeof info.qTextSearch === "string") return `${name} ~ "${info.qTextSearch}"`;
      if (Array.isArray(item.qValues)) return `${name} = ${texts(item.qValues)}`;
      return `${name} ≠ ${texts(item.qExcludedValues)}`;
    });
    return data.qStateName === "$" ? fields.join("; ") : `${String(data.qStateName)}: ${fields.join("; ")}`;
  });
  return parts.length ? parts.join(" · ") : "none";
}

/** Bookmark changes: the selections in one line, then its other properties. */
function bookmarkChanges(before: JsonObject, after: JsonObject): DiffDetail[] {
  const details: DiffDetail[] = [];
  const selections = (b: JsonObject) => b.qBookmark ?? null;
  if (!sameJson(selections(before), selections(after))) {
    details.push({ label: "selections", before: selectionSummary(before), after: selectionSummary(after) });
  }
  return [
    ...details,
    ...describeChanges(before, after, (p) => p === "qBookmark" || p.startsWith("qBookmark.")),
  ];
}

function summaryOf(kind: DiffKind, p: JsonObject): DiffDetail[] {
  const flat = flatten(p, "", new Map());
  const pick = (path: string) => {
    const v = scalarText(flat.get(path));
    return v === undefined || v === "" ? [] : [{ label: FRIENDLY[path] ?? path, after: v }];
  };
  if (kind === "measure") return pick("qMeasure.qDef");
  if (kind === "dimension") return pick("qDim.qFieldDefs.0");
  if (kind === "variable") return pick("qDefinition");
  if (kind === "bookmark" && p.qBookmark !== undefined)
    return [{ label: "selections", after: selectionSummary(p) }];
  return [];
}

interface Item {
  id: string;
  title: string;
  type?: string;
  parentId?: string;
  value: JsonValue;
}

function compareItems(kind: DiffKind, before: Item[], after: Item[], entries: DiffEntry[]) {
  const b = new Map(before.map((i) => [i.id, i]));
  const a = new Map(after.map((i) => [i.id, i]));
  const base = (i: Item) => ({
    kind,
    id: i.id,
    title: i.title,
    ...(i.type ? { type: i.type } : {}),
    ...(i.parentId ? { parentId: i.parentId } : {}),
  });
  for (const item of after) {
    const old = b.get(item.id);
    if (!old) {
      entries.push({
        ...base(item),
        change: "added",
        details: isObject(item.value) ? summaryOf(kind, item.value) : [],
      });
    } else if (!sameJson(old.value, item.value)) {
      const ignore = kind === "variable" ? (p: string) => p === "qInfo.qId" : undefined;
      const bookmark = kind === "bookmark" && isObject(old.value) && isObject(item.value);
      entries.push({
        ...base(item),
        change: "changed",
        details: bookmark
          ? bookmarkChanges(old.value as JsonObject, item.value as JsonObject)
          : describeChanges(old.value, item.value, ignore),
      });
    }
  }
  for (const item of before) {
    if (!a.has(item.id)) entries.push({ ...base(item), change: "removed", details: [] });
  }
}

/** Script sections by `///$tab` name; text before the first tab marker is its own section. */
export function scriptSections(script: string): { name: string; text: string }[] {
  const sections: { name: string; lines: string[] }[] = [];
  let current: { name: string; lines: string[] } | undefined;
  const seen = new Map<string, number>();
  for (const line of script.replace(/\r\n?/g, "\n").split("\n")) {
    const m = /^\/\/\/\$tab\s+(.*)$/.exec(line);
    if (m) {
      const base = m[1].trim() || "(unnamed)";
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      current = { name: n === 1 ? base : `${base} (${n})`, lines: [] };
      sections.push(current);
      continue;
    }
    if (!current) {
      current = { name: "(before first tab)", lines: [] };
      sections.push(current);
    }
    current.lines.push(line);
  }
  return sections
    .map((s) => ({ name: s.name, text: s.lines.join("\n").replace(/\n+$/, "") }))
    .filter((s) => s.name !== "(before first tab)" || s.text.trim() !== "");
}

function lineChanges(before: string, after: string): DiffDetail[] {
  const count = (text: string) => {
    const m = new Map<string, number>();
    for (const l of text.split("\n")) m.set(l, (m.get(l) ?? 0) + 1);
    return m;
  };
  const b = count(before);
  const a = count(after);
  let added = 0;
  let removed = 0;
  for (const [l, n] of a) added += Math.max(0, n - (b.get(l) ?? 0));
  for (const [l, n] of b) removed += Math.max(0, n - (a.get(l) ?? 0));
  const details: DiffDetail[] = [];
  if (added || removed)
    details.push({ label: `${added} line${added === 1 ? "" : "s"} added, ${removed} removed` });
  else details.push({ label: "lines reordered" });
  const firstNew = after.split("\n").find((l) => l.trim() && !b.has(l));
  if (firstNew) details.push({ label: "first new line", after: firstNew.trim() });
  return details;
}

function redactDetail(d: DiffDetail): DiffDetail {
  const out: DiffDetail = { label: redactCredentials(d.label) };
  if (d.before !== undefined) out.before = redactCredentials(d.before);
  if (d.after !== undefined) out.after = redactCredentials(d.after);
  return out;
}

function flattenObjects(entries: readonly ObjectEntry[], parentId: string | undefined, out: Item[]): Item[] {
  for (const e of entries) {
    const { id, type } = infoOf(e.qProperty);
    out.push({
      id,
      type,
      title: titleOf(e.qProperty),
      value: e.qProperty,
      ...(parentId ? { parentId } : {}),
    });
    flattenObjects(e.qChildren, id, out);
  }
  return out;
}

/** What changed from `before` to `after`; kinds neither tree manages are skipped. */
export function diffAppTrees(before: AppTree, after: AppTree): AppDiff {
  const entries: DiffEntry[] = [];
  const bc = before.content;
  const ac = after.content;

  if (bc.script !== undefined || ac.script !== undefined) {
    const bs = scriptSections(bc.script ?? "");
    const as = scriptSections(ac.script ?? "");
    const bm = new Map(bs.map((s) => [s.name, s.text]));
    const am = new Map(as.map((s) => [s.name, s.text]));
    for (const s of as) {
      const old = bm.get(s.name);
      if (old === undefined) {
        const lines = s.text ? s.text.split("\n").length : 0;
        entries.push({
          kind: "script",
          change: "added",
          id: s.name,
          title: s.name,
          details: [{ label: `${lines} line${lines === 1 ? "" : "s"}` }],
        });
      } else if (old !== s.text) {
        entries.push({
          kind: "script",
          change: "changed",
          id: s.name,
          title: s.name,
          details: lineChanges(old, s.text),
        });
      }
    }
    for (const s of bs) {
      if (!am.has(s.name))
        entries.push({ kind: "script", change: "removed", id: s.name, title: s.name, details: [] });
    }
  }
  if (bc.appProperties !== undefined || ac.appProperties !== undefined) {
    const b = bc.appProperties ?? {};
    const a = ac.appProperties ?? {};
    if (!sameJson(b, a)) {
      entries.push({
        kind: "app-properties",
        change: "changed",
        id: "app-properties",
        title: "App properties",
        details: describeChanges(b, a),
      });
    }
  }
  const both = (x: unknown, y: unknown) => x !== undefined || y !== undefined;
  if (both(bc.connections, ac.connections)) {
    const items = (t: AppTree): Item[] =>
      t.connections.map((c) => ({
        id: c.name,
        title: c.name,
        value: { connectionString: c.connectionString, type: c.type },
      }));
    compareItems("connection", items(before), items(after), entries);
  }
  if (both(bc.variables, ac.variables)) {
    const items = (t: AppTree): Item[] =>
      t.variables.map((v) => ({ id: String(v.qName), title: String(v.qName), value: v }));
    compareItems("variable", items(before), items(after), entries);
  }
  const byId = (list: readonly JsonObject[]): Item[] =>
    list.map((p) => ({ id: infoOf(p).id, title: titleOf(p), value: p }));
  if (both(bc.dimensions, ac.dimensions))
    compareItems("dimension", byId(before.dimensions), byId(after.dimensions), entries);
  if (both(bc.measures, ac.measures))
    compareItems("measure", byId(before.measures), byId(after.measures), entries);
  if (both(bc.objects, ac.objects)) {
    const b = flattenObjects(before.objects, undefined, []);
    const a = flattenObjects(after.objects, undefined, []);
    const isSheet = (i: Item) => i.type === "sheet";
    compareItems("sheet", b.filter(isSheet), a.filter(isSheet), entries);
    compareItems(
      "object",
      b.filter((i) => !isSheet(i)),
      a.filter((i) => !isSheet(i)),
      entries,
    );
  }
  if (both(bc.bookmarks, ac.bookmarks))
    compareItems("bookmark", byId(before.bookmarks), byId(after.bookmarks), entries);

  // Titles and details quote script lines, connection strings and expressions: credentials stay out.
  for (const e of entries) {
    e.title = redactCredentials(e.title);
    e.details = e.details.map(redactDetail);
  }
  const kindIndex = new Map(DIFF_KINDS.map((k, i) => [k, i]));
  entries.sort(
    (x, y) =>
      (kindIndex.get(x.kind) ?? 0) - (kindIndex.get(y.kind) ?? 0) ||
      CHANGE_ORDER[x.change] - CHANGE_ORDER[y.change] ||
      cmp(x.title, y.title) ||
      cmp(x.id, y.id),
  );
  const counts = Object.fromEntries(
    DIFF_KINDS.map((k) => [k, { added: 0, changed: 0, removed: 0 }]),
  ) as AppDiff["counts"];
  for (const e of entries) counts[e.kind][e.change]++;
  return { changed: entries.length > 0, entries, counts };
}

const HEADINGS: Record<DiffKind, string> = {
  script: "Script sections",
  "app-properties": "App properties",
  connection: "Connections",
  variable: "Variables",
  dimension: "Dimensions",
  measure: "Measures",
  sheet: "Sheets",
  object: "Charts and other objects",
  bookmark: "Bookmarks",
};

const ICON: Record<DiffChange, string> = { added: "➕ added", changed: "✏️ changed", removed: "➖ removed" };

function cell(text: string, max = 80): string {
  const one = text.replace(/\s+/g, " ").trim();
  const cut = [...one].length > max ? `${[...one].slice(0, max - 1).join("")}…` : one;
  return cut.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function code(text: string): string {
  const c = cell(text, 60);
  if (c === "") return "(empty)";
  return c.includes("`") ? `\`\` ${c} \`\`` : `\`${c}\``;
}

function detailText(d: DiffDetail): string {
  const label = cell(d.label, 60);
  if (d.before !== undefined && d.after !== undefined)
    return `${label}: ${code(d.before)} → ${code(d.after)}`;
  if (d.after !== undefined) return `${label}: ${code(d.after)}`;
  if (d.before !== undefined) return `${label}: ${code(d.before)} → (none)`;
  return label;
}

export interface MarkdownOptions {
  /** Heading above the report (default "App changes"); "" for none. */
  title?: string;
  /** Rows per table before the rest is summarised as a count (default 100). */
  maxRowsPerKind?: number;
}

/** A table per kind, with titles, ids and short change descriptions. Deterministic. */
export function renderDiffMarkdown(diff: AppDiff, options: MarkdownOptions = {}): string {
  const title = options.title ?? "App changes";
  const max = options.maxRowsPerKind ?? 100;
  const lines: string[] = [];
  if (title) lines.push(`## ${title}`, "");
  if (!diff.changed) {
    lines.push("No changes.");
    return `${lines.join("\n")}\n`;
  }
  const total = { added: 0, changed: 0, removed: 0 };
  for (const e of diff.entries) total[e.change]++;
  lines.push(`**${total.added} added, ${total.changed} changed, ${total.removed} removed.**`, "");
  for (const kind of DIFF_KINDS) {
    const rows = diff.entries.filter((e) => e.kind === kind);
    if (rows.length === 0) continue;
    const c = diff.counts[kind];
    lines.push(`### ${HEADINGS[kind]} (${c.added} added, ${c.changed} changed, ${c.removed} removed)`, "");
    const withType = kind === "object";
    const withId =
      kind !== "script" && kind !== "app-properties" && kind !== "connection" && kind !== "variable";
    const header = [
      "Change",
      ...(withType ? ["Type"] : []),
      kind === "script" ? "Section" : "Title",
      ...(withId ? ["Id"] : []),
      "Details",
    ];
    lines.push(`| ${header.join(" | ")} |`, `|${header.map(() => " --- ").join("|")}|`);
    for (const e of rows.slice(0, max)) {
      const details = e.details.map(detailText).join("<br>");
      const row = [
        ICON[e.change],
        ...(withType ? [cell(e.type ?? "")] : []),
        cell(e.title) || "(untitled)",
        ...(withId ? [code(e.id)] : []),
        details,
      ];
      lines.push(`| ${row.join(" | ")} |`);
    }
    if (rows.length > max) lines.push("", `…and ${rows.length - max} more.`);
    lines.push("");
  }
  return `${lines.join("\n").replace(/\n+$/, "")}\n`;
}
