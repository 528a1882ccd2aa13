/**
 * The one JSON-schema setup: every config file is validated against its published schema (`schemas/*.json`)
 * here, by one Ajv, each schema compiled the first time a file of its kind is validated (an action that
 * reads no config file pays nothing: see test/contracts/lazy-schemas.test.ts).
 *
 * Ajv's errors become one sentence per problem, on the user's own path and line. Schemas carry an
 * `errorMessage` annotation (also shown by editors such as VS Code) where a generic sentence would not
 * help: it replaces the sentence for a value that fails the schema node it sits on, including every
 * alternative of an `anyOf` / `oneOf` / `not` below it, and for a key its `required` demands. An unknown
 * key is always named by itself, with the nearest known key as a suggestion.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { ConfigDocument, ConfigPath, ConfigProblem } from "./config-file.ts";
import { nearbyNames } from "./did-you-mean.ts";
import { lazy } from "./lazy.ts";

type Schema = Readonly<Record<string, unknown>>;

const ajv = lazy(
  () =>
    new Ajv({
      allErrors: true,
      // Unknown keywords and formats fail at compile time (a typo in a schema is a bug, not an annotation);
      // branches that only add `required` or `properties` (if/then, oneOf) are ordinary JSON Schema.
      strict: true,
      strictTypes: false,
      strictTuples: false,
      strictRequired: false,
      allowUnionTypes: true,
      keywords: ["errorMessage"],
      // The schemas are the project's own, and a contract test checks every published one against the
      // JSON Schema meta-schema; checking them again at every start cost a fifth of the compile's CPU
      // in a fresh process (the inventory schema: about 130 ms against 105).
      validateSchema: false,
    }),
);

const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: Schema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv().compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * Validates a document against its format's schema and returns its value, typed by the caller. Throws a
 * `ConfigFileError` listing every problem, one sentence each.
 */
export function validateConfig<T>(doc: ConfigDocument): T {
  const validate = validatorFor(doc.format.schema);
  if (!validate(doc.value)) throw doc.error(schemaProblems(doc, validate.errors ?? []));
  return doc.value as T;
}

// ---------------------------------------------------------------------------------------------------
// From ajv's errors to sentences.

/** Applicators whose failing alternatives are not problems by themselves. */
const SPECULATIVE = new Set(["anyOf", "oneOf", "not", "if"]);
/** Keywords followed by a name or an index before the subschema. */
const NAMED = new Set([
  "properties",
  "patternProperties",
  "definitions",
  "$defs",
  "dependencies",
  "allOf",
  "anyOf",
  "oneOf",
]);
/** Keywords whose subschema applies to a child of the value (a property, an item, a key). */
const DESCENDS = new Set([
  "properties",
  "patternProperties",
  "additionalProperties",
  "items",
  "additionalItems",
  "contains",
  "propertyNames",
]);

const unescapePointer = (s: string) => s.replace(/~1/g, "/").replace(/~0/g, "~");

/**
 * The schema nodes that apply to the erring value itself, deepest first (the first is the one holding the
 * failed keyword), and whether one of them is an alternative that may legitimately fail.
 */
function schemaNodes(schemaPath: string): { nodes: string[][]; speculative: boolean } {
  const segments = schemaPath.replace(/^#\/?/, "").split("/").map(unescapePointer);
  const keywordless = segments.slice(0, -1);
  let ends = [0];
  let speculative = false;
  for (let i = 0; i < keywordless.length;) {
    const keyword = keywordless[i];
    i += NAMED.has(keyword) || (keyword === "items" && /^\d+$/.test(keywordless[i + 1] ?? "")) ? 2 : 1;
    if (DESCENDS.has(keyword)) {
      ends = [i];
      speculative = false;
    } else {
      ends.push(i);
      if (SPECULATIVE.has(keyword)) speculative = true;
    }
  }
  return { nodes: ends.reverse().map((n) => keywordless.slice(0, n)), speculative };
}

function schemaAt(schema: Schema, pointer: readonly string[]): Schema | undefined {
  let node: unknown = schema;
  for (const step of pointer) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  return node !== null && typeof node === "object" ? (node as Schema) : undefined;
}

function pointerPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map(unescapePointer)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

const TYPE_WORDS: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  null: "empty",
};

function orList(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? "")
    : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

function didYouMean(typed: unknown, candidates: readonly unknown[]): string {
  if (typeof typed !== "string") return "";
  const near = nearbyNames(
    typed,
    candidates.filter((c): c is string => typeof c === "string" && c !== typed),
    1,
  );
  return near.length ? ` (did you mean '${near[0]}'?)` : "";
}

/** What a keyword's failure says when the schema gives no `errorMessage`. */
function genericSentence(error: ErrorObject, value: unknown): string {
  const p = error.params as Record<string, unknown>;
  const limit = Number(p.limit);
  switch (error.keyword) {
    case "type": {
      const types = (Array.isArray(p.type) ? p.type : String(p.type).split(",")).map(String);
      const shown = types.length > 1 ? types.filter((t) => t !== "null") : types;
      return `must be ${orList(shown.map((t) => TYPE_WORDS[t] ?? t))}`;
    }
    case "enum": {
      const allowed = p.allowedValues as unknown[];
      return `must be one of ${allowed.map(String).join(", ")}${didYouMean(value, allowed)}`;
    }
    case "const":
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case "pattern":
      return `does not have the expected form (${String(p.pattern)})`;
    case "minLength":
      return limit === 1 ? "must not be empty" : `must have at least ${limit} characters`;
    case "maxLength":
      return `must have at most ${limit} characters`;
    case "minItems":
      return limit === 1 ? "must not be an empty list" : `must have at least ${limit} items`;
    case "maxItems":
      return `must have at most ${limit} item${limit === 1 ? "" : "s"}`;
    case "minProperties":
      return limit === 1 ? "must not be empty" : `must have at least ${limit} keys`;
    case "maxProperties":
      return `must have at most ${limit} key${limit === 1 ? "" : "s"}`;
    case "uniqueItems":
      return `lists the same item twice (items [${String(p.j)}] and [${String(p.i)}])`;
    case "minimum":
      return `must be at least ${String(p.limit)}`;
    case "maximum":
      return `must be at most ${String(p.limit)}`;
    default:
      return "does not have any of the allowed forms";
  }
}

function unknownKeySentence(key: string, known: readonly string[]): string {
  const hint = didYouMean(key, known);
  if (hint) return `is not a known key${hint}`;
  if (known.length > 0 && known.length <= 6)
    return `is not a known key: use ${orList(known.map((k) => `'${k}'`))}`;
  return "is not a known key";
}

interface Draft {
  path: ConfigPath;
  sentence: string;
  /** The value the error is about, as ajv names it (to drop alternatives' noise next to an unknown key). */
  instance: string;
  kind: "unknown-key" | "alternative" | "plain";
}

function draft(schema: Schema, doc: ConfigDocument, error: ErrorObject): Draft | undefined {
  // Summaries of errors reported on their own.
  if (error.keyword === "if" || error.keyword === "propertyNames") return undefined;
  const { nodes, speculative } = schemaNodes(error.schemaPath);
  const anchorAt = nodes.findIndex((n) => typeof schemaAt(schema, n)?.errorMessage === "string");
  const anchor = anchorAt >= 0 ? (schemaAt(schema, nodes[anchorAt])!.errorMessage as string) : undefined;
  // An alternative's own failure is reported by the anyOf / oneOf / not that holds it, unless a schema node
  // on the way says what the value must be.
  if (speculative && anchor === undefined) return undefined;
  const base = pointerPath(error.instancePath);
  const own = error.propertyName === undefined ? base : [...base, error.propertyName];
  const instance = error.instancePath;
  const p = error.params as Record<string, unknown>;

  if (error.keyword === "additionalProperties" && !speculative) {
    const key = String(p.additionalProperty);
    // `$schema` is for editors: allowed everywhere, suggested nowhere.
    const known = Object.keys((schemaAt(schema, nodes[0])?.properties as object | undefined) ?? {}).filter(
      (k) => !k.startsWith("$"),
    );
    return { path: [...own, key], sentence: unknownKeySentence(key, known), instance, kind: "unknown-key" };
  }
  if (error.keyword === "required" && !speculative) {
    const path = [...own, String(p.missingProperty)];
    return { path, sentence: anchorAt === 0 ? anchor! : "is required", instance, kind: "plain" };
  }
  const kind = speculative || SPECULATIVE.has(error.keyword) ? "alternative" : "plain";
  const value = error.propertyName ?? doc.get(own);
  if (anchor !== undefined) {
    const hint = error.keyword === "enum" ? didYouMean(value, p.allowedValues as unknown[]) : "";
    return { path: own, sentence: `${anchor}${hint}`, instance, kind };
  }
  return { path: own, sentence: genericSentence(error, value), instance, kind };
}

function schemaProblems(doc: ConfigDocument, errors: readonly ErrorObject[]): ConfigProblem[] {
  const drafts = errors
    .map((e) => draft(doc.format.schema, doc, e))
    .filter((d): d is Draft => d !== undefined);
  // An unknown key says what is wrong with its mapping better than "none of the forms match" does.
  const withUnknownKey = new Set(drafts.filter((d) => d.kind === "unknown-key").map((d) => d.instance));
  return drafts
    .filter((d) => !(d.kind === "alternative" && withUnknownKey.has(d.instance)))
    .map((d) => doc.problem(d.path, d.sentence));
}
