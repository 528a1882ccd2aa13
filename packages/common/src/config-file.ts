/**
 * The config files users write — tenant inventory, tenant blueprint, parameters file, `.qlik-lint.yml` —
 * read as YAML (JSON is YAML too) into a document that knows where each of its values sits, so every
 * problem is one sentence naming the file, the line and the path exactly as the user wrote them:
 *
 *   Tenant inventory tenants.yml:14: 'tenants[1].lables' (tenant 'acme') is not a known key (did you mean 'labels'?).
 *
 * Schema validation of such a document is in config-schema.ts (the one place that uses ajv); the checks a
 * schema cannot express are written next to each parser with `problem()` and `error()` from here.
 */
import { isAbsolute, relative, sep } from "node:path";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { ConfigError } from "./errors.ts";
import { offendingLine } from "./problems.ts";

/** A path into a document: keys and list indexes, e.g. `["tenants", 1, "credentials"]`. */
export type ConfigPath = readonly (string | number)[];

/** A kind of config file: how messages name it and the JSON schema that defines it. */
export interface ConfigFormat {
  /** How messages name a file of this kind, e.g. `Tenant inventory`. */
  label: string;
  /** The JSON schema (draft-07), the same object as the file published in `schemas/`. */
  schema: Readonly<Record<string, unknown>>;
  /** Where the schema is published, e.g. `schemas/tenant-inventory.schema.json`. */
  schemaFile: string;
  /** Who a path is about, for people: `tenant 'acme'` for a path under `tenants[1]`. */
  subject?: (path: ConfigPath, value: unknown) => string | undefined;
}

/**
 * The `$schema` key every config schema allows, so a JSON file can name its schema for editors (YAML files
 * use a `# yaml-language-server: $schema=…` comment instead). The product ignores it.
 */
export const SCHEMA_KEY_SCHEMA = {
  type: "string",
  description: "The JSON schema this file follows (for editors; ignored by the actions).",
} as const;

/** One problem in a config file, where the user can find it. */
export interface ConfigProblem {
  file: string;
  /** 1-based; absent for a value given in code rather than read from a file. */
  line?: number;
  column?: number;
  /** The path as written in messages, e.g. `tenants[1].credentials.apiKeyEnv` ("" for the top level). */
  path: string;
  /** The whole sentence, e.g. `Blueprint tenant.yml:13: 'spaces[0].colour' is not a known key.` */
  message: string;
}

/** Every problem found in one config file; the message lists them, one sentence per line. */
export class ConfigFileError extends ConfigError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[], options: { field?: string; hint?: string } = {}) {
    const shown = problems.slice(0, MAX_LISTED).map((p) => p.message);
    const rest = problems.length - shown.length;
    if (rest > 0) shown.push(`…and ${rest} more problem${rest === 1 ? "" : "s"} in ${problems[0].file}.`);
    super(shown.join("\n"), {
      field: options.field ?? (problems[0]?.path || problems[0]?.file),
      hint: options.hint,
    });
    this.problems = problems;
  }
}

const MAX_LISTED = 50;

/** `tenants[1].credentials`, `connections["Sales DB"].password`; keys with dots or spaces are quoted. */
export function formatConfigPath(path: ConfigPath): string {
  let out = "";
  for (const step of path) {
    if (typeof step === "number") out += `[${step}]`;
    else if (step === "" || /[\s.[\]'"]/.test(step)) out += `[${JSON.stringify(step)}]`;
    else out += out === "" ? step : `.${step}`;
  }
  return out;
}

type YamlNode = { range?: [number, number, number] | null };

/** The value node under `step` of a collection node, and its key node for a mapping entry. */
function childOf(doc: Document, node: unknown, step: string | number): { key?: YamlNode; value?: unknown } {
  const target = isAlias(node) ? node.resolve(doc) : node;
  if (isSeq(target)) return typeof step === "number" ? { value: target.items[step] } : {};
  if (!isMap(target)) return {};
  let found: { key?: YamlNode; value?: unknown } = {};
  for (const pair of target.items) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (String(key) === String(step)) found = { key: pair.key as YamlNode, value: pair.value };
  }
  return found;
}

/** A config file's content, and where each of its values sits when it was read from text. */
export class ConfigDocument {
  readonly format: ConfigFormat;
  /** The file as the user names it (an input value, a path relative to the workspace). */
  readonly file: string;
  readonly value: unknown;
  readonly #yaml: Document | undefined;
  readonly #lines: LineCounter | undefined;

  private constructor(
    format: ConfigFormat,
    file: string,
    value: unknown,
    yaml?: Document,
    lines?: LineCounter,
  ) {
    this.format = format;
    this.file = file;
    this.value = value;
    this.#yaml = yaml;
    this.#lines = lines;
  }

  /** Reads YAML (or JSON) text; a syntax error is one sentence with its line and column. */
  static parse(format: ConfigFormat, text: string, file: string): ConfigDocument {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const syntax = doc.errors[0];
    let value: unknown;
    let problem: string | undefined;
    if (syntax) problem = syntax.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    else {
      try {
        value = doc.toJS({ maxAliasCount: 100 }) ?? null;
      } catch (error) {
        problem = (error as Error).message;
      }
    }
    if (problem !== undefined) {
      const at = lines.linePos(syntax?.pos[0] ?? 0);
      // The offending line itself, so a person sees what to fix without opening the file.
      const quoted = offendingLine(text, at.line);
      throw new ConfigError(
        `${format.label} ${file}:${at.line}:${at.col}: the file is not valid YAML (${problem.replace(/\.$/, "")})${quoted ? `: \`${quoted}\`` : ""}.`,
        { field: file, hint: `See ${format.schemaFile} for the format.` },
      );
    }
    return new ConfigDocument(format, file, value, doc, lines);
  }

  /** A value given in code rather than read from a file: messages name `source` and no line. */
  static of(format: ConfigFormat, value: unknown, source: string): ConfigDocument {
    return new ConfigDocument(format, source, value ?? null);
  }

  /** The value at `path`, or undefined. */
  get(path: ConfigPath): unknown {
    let value = this.value;
    for (const step of path) {
      if (value === null || typeof value !== "object") return undefined;
      value = (value as Record<string | number, unknown>)[step];
    }
    return value;
  }

  /**
   * Where `path` is written: the key of the last step for a mapping entry, else the value; the nearest
   * written ancestor for a path that is not in the file (a missing key points at its parent).
   */
  position(path: ConfigPath): { line: number; column: number } | undefined {
    const doc = this.#yaml;
    const lines = this.#lines;
    if (!doc || !lines) return undefined;
    const nodes: { key?: YamlNode; value?: unknown }[] = [{ value: doc.contents }];
    for (const step of path) {
      const next = childOf(doc, nodes[nodes.length - 1].value, step);
      if (!next.key && !next.value) break;
      nodes.push(next);
    }
    for (let i = nodes.length - 1; i >= 0; i--) {
      const range = nodes[i].key?.range ?? (nodes[i].value as YamlNode | null | undefined)?.range;
      if (range) {
        const at = lines.linePos(range[0]);
        return { line: at.line, column: at.col };
      }
    }
    return { line: 1, column: 1 };
  }

  /** One problem: `<Label> <file>:<line>: '<path>' (<subject>) <sentence>.` */
  problem(path: ConfigPath, sentence: string): ConfigProblem {
    const at = this.position(path);
    const written = formatConfigPath(path);
    const subject = this.format.subject?.(path, this.value);
    const where = at ? `${this.file}:${at.line}` : this.file;
    const what = `${written ? `'${written}'` : "the top level"}${subject ? ` (${subject})` : ""}`;
    const end = /[.?!]$/.test(sentence) ? "" : ".";
    return {
      file: this.file,
      ...(at ? { line: at.line, column: at.column } : {}),
      path: written,
      message: `${this.format.label} ${where}: ${what} ${sentence}${end}`,
    };
  }

  /** The error for these problems (repeats removed, in the order they appear in the file). */
  error(problems: readonly ConfigProblem[], options: { field?: string } = {}): ConfigFileError {
    const unique = [...new Map(problems.map((p) => [p.message, p])).values()].sort(
      (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
    );
    return new ConfigFileError(unique, { ...options, hint: `See ${this.format.schemaFile} for the format.` });
  }

  /** Throws the error for `problems` when there are any. */
  check(problems: readonly ConfigProblem[]): void {
    if (problems.length > 0) throw this.error(problems);
  }
}

/** The sentence for a reference to an environment variable that is not set, e.g. `names … 'DB_PASS', …`. */
export function unsetVariableSentence(name: string, neededBy?: string): string {
  return `names environment variable '${name}'${neededBy ? `, which ${neededBy} needs and` : ", which"} is not set: pass it to the step (env: ${name}: \${{ secrets.${name} }})`;
}

/**
 * How messages name a file the user gave: relative to the working folder (the workspace, in Actions) when
 * it is inside it, so it reads as the path in the repository; otherwise as given.
 */
export function displayPath(file: string, base = process.cwd()): string {
  if (!isAbsolute(file)) return file;
  const inside = relative(base, file);
  return inside && !inside.startsWith("..") && !isAbsolute(inside) ? inside.split(sep).join("/") : file;
}
