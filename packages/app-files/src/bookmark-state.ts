/**
 * A bookmark's selection state, as the files keep it. The engine holds it only in the bookmark's
 * layout (`GenericBookmarkLayout.qBookmark`, an NxBookmark) and captures it from the session when the
 * bookmark is created; the files keep it next to the bookmark's properties, under the same key, trimmed
 * to what selects something:
 *
 *   "qBookmark": {
 *     "qStateData": [
 *       { "qStateName": "$", "qFieldItems": [
 *         { "qDef": { "qName": "Region" }, "qValues": [{ "qText": "Nordics" }] },
 *         { "qDef": { "qName": "Year" }, "qValues": [{ "qIsNumeric": true, "qNumber": 2025, "qText": "2025" }] }
 *       ] },
 *       { "qStateName": "Comparison", "qFieldItems": [ … ] }
 *     ],
 *     "qVariableItems": [{ "qName": "vTopN", "qValue": { "qIsNumeric": true, "qNumber": 5, "qText": "5" } }]
 *   }
 *
 * States ("$" first) and fields are sorted by name, values by number then text; defaults (unlocked,
 * OR mode, no search, empty lists) and volatile fields (qUtcModifyTime) are left out, so equal
 * selections give equal text. A bookmark without selections has no `qBookmark`.
 */
import { canonicalJson, sha256Hex, sortKeysDeep } from "@qlik-cicd/common";
import { isObject, type JsonObject, type JsonValue } from "./types.ts";

/** Where the files keep a bookmark's selection state (the layout's key in Qlik's schema). */
export const SELECTIONS_KEY = "qBookmark";

/**
 * A property build writes on a bookmark whose selections could not all be reproduced (values the
 * data does not hold): digests of what the files asked for and of what the engine captured. While both
 * still match, the bookmark is up to date and is not created again. A record of the deploy, not
 * design: unbuild leaves it out of the files.
 */
export const SELECTION_RECORD_KEY = "qlikCicdSelections";

export const DEFAULT_STATE = "$";

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const list = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);

/** A FieldValue kept as `{qText}` (text) or `{qIsNumeric: true, qNumber, qText}` (number). */
function canonicalValue(v: JsonValue): JsonObject | undefined {
  if (!isObject(v)) return undefined;
  const text = typeof v.qText === "string" ? v.qText : undefined;
  if (v.qIsNumeric === true && typeof v.qNumber === "number" && Number.isFinite(v.qNumber)) {
    return { qIsNumeric: true, qNumber: v.qNumber, qText: text ?? String(v.qNumber) };
  }
  return text === undefined ? undefined : { qText: text };
}

function valueOrder(a: JsonObject, b: JsonObject): number {
  const an = a.qIsNumeric === true;
  const bn = b.qIsNumeric === true;
  if (an !== bn) return an ? -1 : 1;
  if (an && a.qNumber !== b.qNumber) return (a.qNumber as number) - (b.qNumber as number);
  return cmp(String(a.qText), String(b.qText));
}

function canonicalValues(v: JsonValue | undefined): JsonObject[] {
  const seen = new Set<string>();
  const out: JsonObject[] = [];
  for (const raw of list(v)) {
    const value = canonicalValue(raw);
    if (!value) continue;
    const key = valueKey(value);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(value);
  }
  return out.sort(valueOrder);
}

/** Identity of a value: its number when numeric, else its text. */
function valueKey(v: JsonObject): string {
  return v.qIsNumeric === true ? `n:${String(v.qNumber)}` : `t:${String(v.qText)}`;
}

/** The engine's "no range" value for qRangeLo/qRangeHi (and NaN written as text). */
function isRangeBound(v: JsonValue | undefined): boolean {
  return typeof v === "number" && Number.isFinite(v) && v > -1e299;
}

function canonicalSelectInfo(info: JsonValue | undefined): JsonObject | undefined {
  if (!isObject(info)) return undefined;
  const out: JsonObject = {};
  if (typeof info.qTextSearch === "string" && info.qTextSearch !== "") out.qTextSearch = info.qTextSearch;
  if (isRangeBound(info.qRangeLo)) out.qRangeLo = info.qRangeLo as number;
  if (isRangeBound(info.qRangeHi)) out.qRangeHi = info.qRangeHi as number;
  for (const key of ["qRangeInfo", "qContinuousRangeInfo"]) {
    if (list(info[key]).length > 0) out[key] = sortKeysDeep(info[key] as JsonValue);
  }
  if (info.qSelectFieldSearch === true) out.qSelectFieldSearch = true;
  return Object.keys(out).length > 0 ? out : undefined;
}

function canonicalFieldItem(item: JsonValue): JsonObject | undefined {
  if (!isObject(item) || !isObject(item.qDef) || typeof item.qDef.qName !== "string") return undefined;
  const qDef: JsonObject = { qName: item.qDef.qName };
  if (typeof item.qDef.qType === "string" && item.qDef.qType !== "PRESENT" && item.qDef.qType !== "") {
    qDef.qType = item.qDef.qType;
  }
  const out: JsonObject = { qDef };
  const values = canonicalValues(item.qValues);
  const excluded = canonicalValues(item.qExcludedValues);
  const selectInfo = canonicalSelectInfo(item.qSelectInfo);
  if (values.length === 0 && excluded.length === 0 && !selectInfo) return undefined;
  if (values.length > 0) out.qValues = values;
  if (excluded.length > 0) out.qExcludedValues = excluded;
  if (selectInfo) out.qSelectInfo = selectInfo;
  for (const flag of ["qLocked", "qAndMode", "qOneAndOnlyOne"]) if (item[flag] === true) out[flag] = true;
  return out;
}

function stateName(data: JsonObject): string {
  return typeof data.qStateName === "string" && data.qStateName !== "" ? data.qStateName : DEFAULT_STATE;
}

const stateOrder = (a: string, b: string) =>
  a === DEFAULT_STATE ? (b === DEFAULT_STATE ? 0 : -1) : b === DEFAULT_STATE ? 1 : cmp(a, b);

/**
 * The canonical (file) form of an NxBookmark, or undefined when it selects nothing. Idempotent:
 * canonicalising the canonical form gives it back.
 */
export function canonicalSelectionState(raw: unknown): JsonObject | undefined {
  if (!isObject(raw as JsonValue)) return undefined;
  const nx = raw as JsonObject;
  const byState = new Map<string, Map<string, JsonObject>>();
  for (const data of list(nx.qStateData)) {
    if (!isObject(data)) continue;
    const name = stateName(data);
    const fields = byState.get(name) ?? new Map<string, JsonObject>();
    for (const rawItem of list(data.qFieldItems)) {
      const item = canonicalFieldItem(rawItem);
      if (item) fields.set((item.qDef as JsonObject).qName as string, item);
    }
    if (fields.size > 0) byState.set(name, fields);
  }
  const out: JsonObject = {};
  if (byState.size > 0) {
    out.qStateData = [...byState.keys()].sort(stateOrder).map((name) => {
      const fields = byState.get(name) as Map<string, JsonObject>;
      return {
        qFieldItems: [...fields.keys()].sort(cmp).map((f) => fields.get(f) as JsonObject),
        qStateName: name,
      };
    });
  }
  const variables = new Map<string, JsonObject>();
  for (const item of list(nx.qVariableItems)) {
    if (!isObject(item) || typeof item.qName !== "string") continue;
    const value = canonicalValue(item.qValue ?? null);
    if (value) variables.set(item.qName, { qName: item.qName, qValue: value });
  }
  if (variables.size > 0)
    out.qVariableItems = [...variables.keys()].sort(cmp).map((n) => variables.get(n) as JsonObject);
  const groups = list(nx.qGroupStates);
  if (groups.length > 0) out.qGroupStates = sortKeysDeep(groups);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The selection state a bookmark (file form) holds, or undefined. */
export function selectionsOf(bookmark: JsonObject | undefined): JsonObject | undefined {
  const state = bookmark?.[SELECTIONS_KEY];
  return isObject(state) ? state : undefined;
}

/** The bookmark's properties without its selection state and build record: what CreateBookmark takes. */
export function bookmarkProperties(bookmark: JsonObject): JsonObject {
  const props: JsonObject = { ...bookmark };
  delete props[SELECTIONS_KEY];
  delete props[SELECTION_RECORD_KEY];
  return props;
}

/** Digest of a (canonical) selection state; "" for none. */
export function selectionDigest(state: JsonObject | undefined): string {
  return state ? sha256Hex(canonicalJson(state)).slice(0, 32) : "";
}

export interface SelectionRecord {
  /** Digest of the selections the files asked for. */
  requested: string;
  /** Digest of the selections the engine captured. */
  captured: string;
}

export function readSelectionRecord(props: JsonObject | undefined): SelectionRecord | undefined {
  const r = props?.[SELECTION_RECORD_KEY];
  if (!isObject(r) || typeof r.requested !== "string" || typeof r.captured !== "string") return undefined;
  return { requested: r.requested, captured: r.captured };
}

/** What a field item lacks after reproducing it: values asked for that the engine did not select. */
export interface SelectionGap {
  state: string;
  field: string;
  /** How many of the values asked for are not selected (all of them when the field is not in the data). */
  missing: number;
  requested: number;
}

export interface VariableGap {
  variable: string;
}

function itemsByField(state: JsonObject | undefined): Map<string, Map<string, JsonObject>> {
  const out = new Map<string, Map<string, JsonObject>>();
  for (const data of list(state?.qStateData)) {
    if (!isObject(data)) continue;
    const fields = new Map<string, JsonObject>();
    for (const item of list(data.qFieldItems)) {
      if (isObject(item) && isObject(item.qDef)) fields.set(String(item.qDef.qName), item);
    }
    out.set(stateName(data), fields);
  }
  return out;
}

/**
 * Values the requested selections name that the captured ones lack, per state and field (both in file
 * form). A field selected by its excluded values counts as missing only when nothing is selected.
 */
export function selectionGaps(
  requested: JsonObject | undefined,
  captured: JsonObject | undefined,
): SelectionGap[] {
  const want = itemsByField(requested);
  const got = itemsByField(captured);
  const gaps: SelectionGap[] = [];
  for (const [state, fields] of want) {
    for (const [field, item] of fields) {
      const have = got.get(state)?.get(field);
      const values = list(item.qValues).filter(isObject);
      if (values.length === 0) {
        const count = list(item.qExcludedValues).length;
        if (!have) gaps.push({ state, field, missing: Math.max(count, 1), requested: Math.max(count, 1) });
        continue;
      }
      const selected = new Set(list(have?.qValues).filter(isObject).map(valueKey));
      const excluded = new Set(list(have?.qExcludedValues).filter(isObject).map(valueKey));
      const byExclusion = have !== undefined && selected.size === 0 && excluded.size > 0;
      const missing = values.filter((v) =>
        byExclusion ? excluded.has(valueKey(v)) : !selected.has(valueKey(v)),
      );
      if (missing.length > 0) gaps.push({ state, field, missing: missing.length, requested: values.length });
    }
  }
  return gaps;
}

/** Variables the requested state sets that the captured one does not hold with the same value. */
export function variableGaps(
  requested: JsonObject | undefined,
  captured: JsonObject | undefined,
): VariableGap[] {
  const got = new Map(
    list(captured?.qVariableItems)
      .filter(isObject)
      .map((v) => [String(v.qName), canonicalJson(v.qValue ?? null)]),
  );
  return list(requested?.qVariableItems)
    .filter(isObject)
    .filter((v) => got.get(String(v.qName)) !== canonicalJson(v.qValue ?? null))
    .map((v) => ({ variable: String(v.qName) }));
}
