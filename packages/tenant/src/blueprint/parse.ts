import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import type { ErrorObject } from "ajv";
import { isSeq, LineCounter, parseDocument } from "yaml";
import { ConfigError, lazy, moreProblems, yamlProblem } from "@qlik-cicd/common";
import { blueprintSchema } from "./schema.ts";
import type { Blueprint } from "./types.ts";

/** Compiled on first use, not when the module loads: most importers never read a blueprint. */
const schemaValidator = lazy(() => new Ajv({ allErrors: true, strict: false }).compile(blueprintSchema));

type PathPart = string | number;

/** `spaces[1].members[0].roles` from ["spaces", 1, "members", 0, "roles"]. */
export function formatYamlPath(parts: readonly PathPart[]): string {
  let out = "";
  for (const p of parts) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? p : `.${p}`;
  }
  return out || "(top level)";
}

function pointerParts(pointer: string): PathPart[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

interface Located {
  parts: PathPart[];
  sentence: string;
}

function describe(error: ErrorObject): Located {
  const parts = pointerParts(error.instancePath);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties":
      return {
        parts: [...parts, String(p.additionalProperty)],
        sentence: "is not a known key",
      };
    case "required":
      return { parts: [...parts, String(p.missingProperty)], sentence: "is required" };
    case "enum":
      return {
        parts,
        sentence: `must be one of ${(p.allowedValues as unknown[]).map(String).join(", ")}`,
      };
    case "const":
      return { parts, sentence: `must be ${JSON.stringify(p.allowedValue)}` };
    case "type":
      return { parts, sentence: `must be ${String(p.type)}` };
    case "pattern":
      return { parts, sentence: `does not have the expected form (${String(p.pattern)})` };
    case "uniqueItems":
      return { parts, sentence: "must not repeat items" };
    case "minItems":
      return { parts, sentence: `must have at least ${String(p.limit)} item(s)` };
    case "minLength":
      return { parts, sentence: "must not be empty" };
    case "minProperties":
      return { parts, sentence: `must have at least ${String(p.limit)} key(s)` };
    default:
      return { parts, sentence: error.message ?? "is not valid" };
  }
}

/** Errors that only repeat a more precise one (if/then wrappers, anyOf summaries). */
const NOISE = new Set(["if", "anyOf", "oneOf", "allOf"]);

function lineOf(text: string, parts: PathPart[]): number | undefined {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  // The deepest node that exists on the path (a missing required key points at its parent).
  for (let n = parts.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(parts.slice(0, n), true)) as
      { range?: [number, number, number] } | null | undefined;
    if (node && Array.isArray(node.range)) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

/** `'users[0].email' must be a string (line 7)`: one problem, for the list after the first. */
function problem(text: string | undefined, parts: PathPart[], sentence: string): string {
  const line = text === undefined ? undefined : lineOf(text, parts);
  return `'${formatYamlPath(parts)}' ${sentence}${line === undefined ? "" : ` (line ${line})`}`;
}

function fail(
  source: string,
  text: string | undefined,
  parts: PathPart[],
  sentence: string,
  more: readonly string[] = [],
): never {
  const path = formatYamlPath(parts);
  const line = text === undefined ? undefined : lineOf(text, parts);
  const where = line === undefined ? source : `${source}:${line}`;
  throw new ConfigError(`Blueprint ${where}: '${path}' ${sentence}${moreProblems(more)}.`, {
    field: path,
    hint: "See schemas/tenant-blueprint.schema.json for the blueprint format.",
  });
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Checks what the schema cannot say: unique names, one assignee per member, a home for new secrets. */
function checkSemantics(b: Blueprint, source: string, text: string | undefined): void {
  const unique = <T>(list: T[] | undefined, key: (x: T) => string, path: string, field: string) => {
    const seen = new Map<string, number>();
    list?.forEach((item, i) => {
      const k = key(item).toLowerCase();
      if (seen.has(k))
        fail(source, text, [path, i, field], `repeats '${key(item)}' from ${path}[${seen.get(k)}]`);
      seen.set(k, i);
    });
  };
  unique(b.users, (u) => u.subject, "users", "subject");
  unique(b.spaces, (s) => s.name, "spaces", "name");
  unique(b.oauthClients, (c) => c.name, "oauthClients", "name");
  b.spaces?.forEach((s, i) =>
    s.members?.forEach((m, j) => {
      if ((m.user === undefined) === (m.group === undefined))
        fail(source, text, ["spaces", i, "members", j], "must name exactly one of 'user' or 'group'");
    }),
  );
  b.oauthClients?.forEach((c, i) => {
    if (c.appType === "web" && !c.secret)
      fail(
        source,
        text,
        ["oauthClients", i, "secret"],
        "is required for a web client: its secret is shown once and must be stored (githubSecret or exportVariable)",
      );
  });
  b.monitoring?.apps?.forEach((app, i) => {
    const zone = app.schedule?.timeZone;
    if (zone !== undefined && !isTimeZone(zone))
      fail(
        source,
        text,
        ["monitoring", "apps", i, "schedule", "timeZone"],
        `'${zone}' is not an IANA time zone name (e.g. UTC, Europe/Zurich)`,
      );
  });
  if (b.monitoring?.failedReloadWebhook && !b.monitoring.failedReloadWebhook.secretEnv) {
    fail(
      source,
      text,
      ["monitoring", "failedReloadWebhook", "secretEnv"],
      "is required so deliveries are signed and can be verified",
    );
  }
}

/** Validates an already parsed blueprint object; `source` names it in messages. */
export function validateBlueprint(value: unknown, source = "blueprint", text?: string): Blueprint {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(`Blueprint ${source} must be a YAML mapping with at least 'version: 1'.`, {
      field: "blueprint",
    });
  }
  const validateSchema = schemaValidator();
  if (!validateSchema(value)) {
    const errors = (validateSchema.errors ?? []).filter((e) => !NOISE.has(e.keyword));
    const first = errors[0] ?? validateSchema.errors![0];
    const { parts, sentence } = describe(first);
    const rest = errors.slice(1).map((e) => {
      const other = describe(e);
      return problem(text, other.parts, other.sentence);
    });
    fail(source, text, parts, sentence, rest);
  }
  const blueprint = value as Blueprint;
  checkSemantics(blueprint, source, text);
  return blueprint;
}

/** Parses and validates blueprint YAML text. */
export function parseBlueprint(text: string, source = "blueprint"): Blueprint {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line;
    throw new ConfigError(
      `Blueprint ${source}${line ? `:${line}` : ""} is not valid YAML: ${yamlProblem(text, e)}.`,
      {
        field: "blueprint",
      },
    );
  }
  const value = doc.toJS() as unknown;
  if (isSeq(doc.contents)) {
    throw new ConfigError(`Blueprint ${source} must be a YAML mapping, not a list.`, { field: "blueprint" });
  }
  return validateBlueprint(value, source, text);
}

/** Reads, parses and validates a blueprint file. */
export function loadBlueprint(path: string, displayName = path): Blueprint {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      `Blueprint file ${displayName} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
      {
        field: "blueprint",
        cause: error,
      },
    );
  }
  return parseBlueprint(text, displayName);
}
