/**
 * Selections, as the engine keeps them: per session (one WebSocket connection), per state ("$" and the
 * app's alternate states), per field. Field values come from the data model of the last reload
 * (TableRecord.fieldValues). Each field is selected on its own: associations between fields are not
 * simulated, so no value becomes excluded by a selection in another field.
 *
 * Bookmarks capture this state as an NxBookmark (`captureBookmark`) and restore it (`applyBookmark`).
 */
import type { AppDocument, JsonObject, JsonValue } from "../model/app-document.ts";
import { evaluate } from "./layout.ts";
import type { CallContext } from "./context.ts";
import { formatNumber } from "./expression.ts";
import { isPlainObject } from "./records.ts";

export const DEFAULT_STATE = "$";

export interface FieldSelection {
  /** Keys (see valueKey) of the selected values. */
  selected: Set<string>;
  locked: boolean;
  /** The search string of the last Select, kept in bookmarks unless qDistinctValues. */
  search: string;
  andMode: boolean;
  oneAndOnlyOne: boolean;
}

/** One session's selections: state → field → selection. */
export class SessionSelections {
  readonly states = new Map<string, Map<string, FieldSelection>>();

  fields(state: string): Map<string, FieldSelection> {
    let fields = this.states.get(state);
    if (!fields) {
      fields = new Map();
      this.states.set(state, fields);
    }
    return fields;
  }

  get(state: string, field: string): FieldSelection | undefined {
    return this.states.get(state)?.get(field);
  }

  /** The field's selection record, created empty when missing. */
  entry(state: string, field: string): FieldSelection {
    const fields = this.fields(state);
    let sel = fields.get(field);
    if (!sel) {
      sel = { selected: new Set(), locked: false, search: "", andMode: false, oneAndOnlyOne: false };
      fields.set(field, sel);
    }
    return sel;
  }

  /** Clears every field of `state` (locked fields only when `lockedAlso`). */
  clearState(state: string, lockedAlso: boolean): void {
    const fields = this.states.get(state);
    if (!fields) return;
    for (const [name, sel] of fields) {
      if (sel.locked && !lockedAlso) continue;
      fields.delete(name);
    }
  }

  forget(state: string): void {
    this.states.delete(state);
  }
}

// ---------------------------------------------------------------- field values

/** A field value's text is numeric when it reads as a number (the data model keeps duals). */
function isNumericText(text: string): boolean {
  return /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text.trim());
}

/** Identity of a value: its number when numeric (1 and 1.0 are one value), else its text. */
function valueKey(text: string): string {
  return isNumericText(text) ? `n:${Number(text)}` : `t:${text}`;
}

/** The values of a field across the data model (first text wins), or null when no table has the field. */
export function fieldValues(doc: AppDocument, field: string): string[] | null {
  let found = false;
  const byKey = new Map<string, string>();
  for (const t of doc.tables) {
    if (!t.fields.includes(field)) continue;
    found = true;
    for (const v of t.fieldValues?.[field] ?? []) {
      const k = valueKey(v);
      if (!byKey.has(k)) byKey.set(k, v);
    }
  }
  return found ? [...byKey.values()] : null;
}

function fieldValueOf(text: string): JsonObject {
  return isNumericText(text)
    ? { qText: text, qIsNumeric: true, qNumber: Number(text) }
    : { qText: text, qIsNumeric: false };
}

/** The data value a FieldValue names: by number when it says it is numeric, else by text. */
function matchValue(values: string[], wanted: unknown): string | undefined {
  if (!isPlainObject(wanted)) return undefined;
  if (wanted.qIsNumeric === true && typeof wanted.qNumber === "number") {
    const key = `n:${wanted.qNumber}`;
    const hit = values.find((v) => valueKey(v) === key);
    if (hit !== undefined) return hit;
  }
  if (typeof wanted.qText === "string") {
    const text = wanted.qText;
    return values.find((v) => v === text) ?? values.find((v) => valueKey(v) === valueKey(text));
  }
  return undefined;
}

/** Values a search string selects: `*`/`?` wildcards, `>`/`<` numeric ranges, else words starting with it. */
function searchValues(values: string[], match: string): string[] {
  const m = match.trim();
  const range = /^(>=|<=|>|<)\s*([+-]?\d+(?:\.\d+)?)$/.exec(m);
  if (range) {
    const bound = Number(range[2]);
    const test = {
      ">": (n: number) => n > bound,
      "<": (n: number) => n < bound,
      ">=": (n: number) => n >= bound,
      "<=": (n: number) => n <= bound,
    }[range[1] as ">" | "<" | ">=" | "<="];
    return values.filter((v) => isNumericText(v) && test(Number(v)));
  }
  if (/[*?]/.test(m)) {
    const body = m
      .replace(/^"|"$/g, "")
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".");
    const re = new RegExp(`^${body}$`, "i");
    return values.filter((v) => re.test(v));
  }
  const needle = m.replace(/^"|"$/g, "").toLowerCase();
  if (!needle) return [];
  return values.filter((v) => {
    const text = v.toLowerCase();
    return (
      text === needle || text.split(/\s+/).some((word) => word.startsWith(needle)) || text.startsWith(needle)
    );
  });
}

// ---------------------------------------------------------------- selecting

export interface FieldRef {
  state: string;
  field: string;
}

function selectable(sel: FieldSelection | undefined, softLock: boolean): boolean {
  return !sel?.locked || softLock;
}

function setSelected(sessions: SessionSelections, ref: FieldRef, keys: Set<string>, search: string): void {
  const sel = sessions.entry(ref.state, ref.field);
  sel.selected = keys;
  sel.search = search;
  if (keys.size === 0 && !sel.locked && !sel.andMode && !sel.oneAndOnlyOne) {
    sessions.fields(ref.state).delete(ref.field);
  }
}

/** The selection after selecting `hits` (value keys): they replace it, or toggle in and out of it. */
function nextKeys(current: FieldSelection | undefined, hits: string[], toggle: boolean): Set<string> {
  const keys = new Set(toggle ? (current?.selected ?? []) : []);
  for (const k of hits) {
    if (toggle && keys.has(k)) keys.delete(k);
    else keys.add(k);
  }
  return keys;
}

/**
 * Selects the values `pick` chooses among the field's values: they replace the selection, or toggle
 * in and out of it. False when the field is locked (and softLock is not set).
 */
function select(
  doc: AppDocument,
  sessions: SessionSelections,
  ref: FieldRef,
  softLock: boolean,
  how: { pick: (values: string[]) => string[]; toggle?: boolean; search?: string },
): boolean {
  const current = sessions.get(ref.state, ref.field);
  if (!selectable(current, softLock)) return false;
  const hits = how.pick(fieldValues(doc, ref.field) ?? []).map(valueKey);
  setSelected(sessions, ref, nextKeys(current, hits, how.toggle ?? false), how.search ?? "");
  return true;
}

/** Field.SelectValues. */
export function selectValues(
  doc: AppDocument,
  sessions: SessionSelections,
  ref: FieldRef,
  wanted: unknown[],
  toggle: boolean,
  softLock: boolean,
): boolean {
  const pick = (values: string[]) =>
    wanted.map((w) => matchValue(values, w)).filter((v): v is string => v !== undefined);
  return select(doc, sessions, ref, softLock, { pick, toggle });
}

/** Field.Select / ToggleSelect: selects what a search string matches (a Select keeps the string). */
export function selectMatch(
  doc: AppDocument,
  sessions: SessionSelections,
  ref: FieldRef,
  match: string,
  softLock: boolean,
  toggle: boolean,
): boolean {
  const pick = (values: string[]) => searchValues(values, match);
  return select(doc, sessions, ref, softLock, { pick, toggle, search: toggle ? "" : match });
}

/** Field.SelectAll. */
export function selectAll(
  doc: AppDocument,
  sessions: SessionSelections,
  ref: FieldRef,
  softLock: boolean,
): boolean {
  return select(doc, sessions, ref, softLock, { pick: (values) => values });
}

/** Field.Clear: false when the field is locked. */
export function clearField(sessions: SessionSelections, ref: FieldRef): boolean {
  const current = sessions.get(ref.state, ref.field);
  if (current?.locked) return false;
  sessions.fields(ref.state).delete(ref.field);
  return true;
}

/** Field.Lock / Unlock: locking needs a selection. */
export function setLocked(sessions: SessionSelections, ref: FieldRef, locked: boolean): boolean {
  const current = sessions.get(ref.state, ref.field);
  if (!current || (locked && current.selected.size === 0)) return false;
  current.locked = locked;
  return true;
}

/** Selected values of a field, in the field's value order (values the data no longer has drop out). */
function selectedTexts(doc: AppDocument, sel: FieldSelection, field: string): string[] {
  return (fieldValues(doc, field) ?? []).filter((v) => sel.selected.has(valueKey(v)));
}

// ---------------------------------------------------------------- bookmarks

/** Days since 1899-12-30 (the engine's timestamps). */
function engineTime(date: Date): number {
  return date.getTime() / 86_400_000 + 25_569;
}

const RANGE_NULL = -1e300;

function selectInfo(search: string): JsonObject {
  return {
    qTextSearch: search,
    qRangeLo: RANGE_NULL,
    qRangeHi: RANGE_NULL,
    qNumberFormat: { qType: "U", qnDec: 10, qUseThou: 0 },
    qRangeInfo: [],
    qSoftLock: false,
    qContinuousRangeInfo: [],
    qSelectFieldSearch: false,
  };
}

/**
 * A BookmarkFieldItem. Like the engine, it lists either the selected values or, when more than half of
 * the field's values are selected, the excluded ones.
 */
function fieldItem(
  doc: AppDocument,
  field: string,
  sel: FieldSelection,
  distinct: boolean,
): JsonObject | null {
  const all = fieldValues(doc, field) ?? [];
  const selected = selectedTexts(doc, sel, field);
  if (selected.length === 0) return null;
  const byExclusion = selected.length > all.length / 2 && selected.length < all.length;
  const excluded = byExclusion ? all.filter((v) => !sel.selected.has(valueKey(v))) : [];
  const item: JsonObject = {
    qDef: { qName: field, qType: "PRESENT" },
    qLocked: sel.locked,
    qSelectInfo: selectInfo(distinct ? "" : sel.search),
    qValues: byExclusion ? [] : selected.map(fieldValueOf),
    qExcludedValues: excluded.map(fieldValueOf),
  };
  if (sel.andMode) item.qAndMode = true;
  if (sel.oneAndOnlyOne) item.qOneAndOnlyOne = true;
  return item;
}

/** Persistent variables with their current values (BookmarkVariableItem). */
function variableItems(ctx: CallContext): JsonObject[] {
  const items: JsonObject[] = [];
  for (const rec of ctx.doc.variables.values()) {
    const name = rec.properties.qName;
    if (typeof name !== "string") continue;
    const definition = String(rec.properties.qDefinition ?? "");
    const value = definition.trim().startsWith("=") ? evaluate(ctx, definition) : definition;
    const text = value === undefined ? definition : typeof value === "number" ? formatNumber(value) : value;
    items.push({ qName: name, qValue: fieldValueOf(text), qDefinition: definition });
  }
  return items;
}

/** Selections of a session as an NxBookmark without variables (seeds use it for their bookmarks). */
function captureSelections(
  doc: AppDocument,
  sessions: SessionSelections,
  at: Date,
  options: { distinct?: boolean } = {},
): JsonObject {
  const qStateData = [DEFAULT_STATE, ...doc.alternateStates].map((state) => {
    const items: JsonValue[] = [];
    for (const [field, sel] of sessions.states.get(state) ?? []) {
      const item = fieldItem(doc, field, sel, options.distinct === true);
      if (item) items.push(item);
    }
    return { qStateName: state, qFieldItems: items };
  });
  return {
    qStateData,
    qUtcModifyTime: engineTime(at),
    qVariableItems: [],
    qPatches: [],
    qCyclicGroupStates: [],
    qGroupStates: [],
  };
}

/** The session's selections (and variables when asked) as the NxBookmark CreateBookmark stores. */
export function captureBookmark(ctx: CallContext, props: JsonObject): JsonObject {
  const state = captureSelections(ctx.doc, ctx.selections, ctx.now(), {
    distinct: props.qDistinctValues === true,
  });
  if (props.qIncludeVariables === true) state.qVariableItems = variableItems(ctx);
  return state;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const textOf = (v: unknown): string | undefined =>
  isPlainObject(v) && typeof v.qText === "string" ? v.qText : undefined;

/**
 * Restores a captured NxBookmark in the session: every state is cleared (locked fields too), then each
 * field item of a state the app has is selected again, by search string when one was kept, else by
 * value (or by everything but its excluded values). Variables are set when the principal may write.
 */
export function applyBookmark(ctx: CallContext, state: JsonObject | undefined): void {
  const doc = ctx.doc;
  const sessions = ctx.selections;
  for (const name of [DEFAULT_STATE, ...doc.alternateStates]) sessions.clearState(name, true);
  if (!state) return;
  const known = new Set([DEFAULT_STATE, ...doc.alternateStates]);
  for (const data of asList(state.qStateData)) {
    if (!isPlainObject(data)) continue;
    const stateName =
      typeof data.qStateName === "string" && data.qStateName ? data.qStateName : DEFAULT_STATE;
    if (!known.has(stateName)) continue;
    for (const item of asList(data.qFieldItems)) {
      if (!isPlainObject(item) || !isPlainObject(item.qDef) || typeof item.qDef.qName !== "string") continue;
      const ref = { state: stateName, field: item.qDef.qName };
      const search = isPlainObject(item.qSelectInfo) ? item.qSelectInfo.qTextSearch : undefined;
      const excluded = asList(item.qExcludedValues);
      if (typeof search === "string" && search !== "") {
        selectMatch(doc, sessions, ref, search, true, false);
      } else if (asList(item.qValues).length === 0 && excluded.length > 0) {
        selectAll(doc, sessions, ref, true);
        selectValues(doc, sessions, ref, excluded, true, true);
      } else {
        selectValues(doc, sessions, ref, asList(item.qValues), false, true);
      }
      const sel = sessions.get(ref.state, ref.field);
      if (sel) {
        sel.andMode = item.qAndMode === true;
        sel.oneAndOnlyOne = item.qOneAndOnlyOne === true;
        if (item.qLocked === true) setLocked(sessions, ref, true);
      }
    }
  }
  if (!ctx.canWrite()) return;
  let changed = false;
  for (const item of asList(state.qVariableItems)) {
    if (!isPlainObject(item) || typeof item.qName !== "string") continue;
    const text = textOf(item.qValue);
    if (text === undefined) continue;
    for (const rec of doc.variables.values()) {
      if (rec.properties.qName !== item.qName || rec.properties.qDefinition === text) continue;
      rec.properties = { ...rec.properties, qDefinition: text };
      rec.modifiedDate = ctx.nowIso();
      changed = true;
    }
  }
  if (changed) ctx.changed();
}

/** The NxBookmark a session with these selections would capture (for seeded bookmarks). */
export function bookmarkStateFor(
  doc: AppDocument,
  picks: { state?: string; field: string; values: string[] }[],
  at: Date,
): JsonObject {
  const sessions = new SessionSelections();
  for (const pick of picks) {
    const ref = { state: pick.state ?? DEFAULT_STATE, field: pick.field };
    selectValues(doc, sessions, ref, pick.values.map(fieldValueOf), false, false);
  }
  return captureSelections(doc, sessions, at);
}
