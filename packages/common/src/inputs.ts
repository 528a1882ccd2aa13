// Typed reads of an operation's inputs, shared by every adapter: the GitHub Actions adapter reads raw
// values with @actions/core, the CLI from its parsed arguments; both hand them to `createInputReader`,
// so defaults, parsing and every message about a bad value are written once.
import { sortKeysDeep } from "./canonical-json.ts";
import { ConfigError } from "./errors.ts";
import { redactCredentials } from "./redact-credentials.ts";
import { secrets } from "./secrets.ts";
import { resolvePathInput, type PathPolicy } from "./workspace-path.ts";

/** One input as the operation declares it (action.yml repeats it for GitHub; a contract test compares). */
export interface InputSpec {
  /** The action.yml `required` flag: the CLI refuses to start without it. */
  required?: boolean;
  /**
   * The default, as action.yml writes it. Applied by the reader whenever the input is empty, so the
   * runner, the root action and the CLI all get the same value from this one place. A `${{ … }}`
   * default is evaluated by the runner; outside a runner only `${{ github.token }}` means something
   * (GITHUB_TOKEN).
   */
  default?: string;
}

export type InputSpecs = Readonly<Record<string, InputSpec>>;

export interface NumberBounds {
  min?: number;
  max?: number;
  integer?: boolean;
}

/**
 * What an operation's `options()` reads its inputs through. Every value is trimmed; an empty input
 * takes its declared default. Each method throws a ConfigError naming the input for a bad value.
 */
export interface InputReader {
  /** The value, or undefined when the input is empty and has no default. */
  string(name: string): string | undefined;
  /** The value; a ConfigError when the input is empty. */
  required(name: string): string;
  /** true/false (also yes/no, 1/0, on/off); undefined when empty without a default. */
  boolean(name: string): boolean | undefined;
  number(name: string, bounds?: NumberBounds): number | undefined;
  /** One of `allowed` (case-insensitive). */
  choice<T extends string>(name: string, allowed: readonly T[]): T | undefined;
  /** Items separated by commas or new lines, empty items dropped. */
  list(name: string): string[] | undefined;
  /** A path, absolute; on a runner it must stay inside the workspace (see PathPolicy). */
  path(name: string, options?: { kind?: "folder" | "path" }): string | undefined;
  /** A credential: registered with the secret registry before it is returned. */
  secret(name: string): string | undefined;
  /** Whether the input was given (not empty), ignoring its default. */
  given(name: string): boolean;
}

export interface InputSource {
  /** The raw value of an input as given (undefined or "" when not given). */
  get(name: string): string | undefined;
  /** Resolves a `${{ … }}` default outside a runner (the CLI: `${{ github.token }}` → GITHUB_TOKEN). */
  expression?(expression: string): string | undefined;
}

/** A default the runner evaluates (`${{ github.token }}`) rather than a literal value. */
export function isExpression(value: unknown): boolean {
  return typeof value === "string" && value.includes("${{");
}

const TRUE_WORDS = ["true", "yes", "1", "on"];
const FALSE_WORDS = ["false", "no", "0", "off"];

export function createInputReader(specs: InputSpecs, source: InputSource, paths: PathPolicy): InputReader {
  const known = (name: string): InputSpec => {
    const spec = specs[name];
    // A programming error, not a user's: the operation reads an input it does not declare.
    if (!spec) throw new Error(`The input '${name}' is not declared.`);
    return spec;
  };
  const given = (name: string): string | undefined => {
    known(name);
    const value = (source.get(name) ?? "").trim();
    return value || undefined;
  };
  const raw = (name: string): string | undefined => {
    const value = given(name);
    if (value !== undefined) return value;
    const fallback = specs[name].default;
    if (fallback === undefined) return undefined;
    if (isExpression(fallback)) return source.expression?.(fallback)?.trim() || undefined;
    return fallback.trim() || undefined;
  };
  const reader: InputReader = {
    string: raw,
    required(name) {
      const value = raw(name);
      if (value === undefined) throw new ConfigError(`Input '${name}' is required.`, { field: name });
      return value;
    },
    boolean(name) {
      const value = raw(name);
      if (value === undefined) return undefined;
      const lower = value.toLowerCase();
      if (TRUE_WORDS.includes(lower)) return true;
      if (FALSE_WORDS.includes(lower)) return false;
      throw new ConfigError(`Input '${name}' must be true or false, got '${value}'.`, { field: name });
    },
    number(name, bounds = {}) {
      const value = raw(name);
      if (value === undefined) return undefined;
      const n = Number(value);
      const kind = bounds.integer ? "a whole number" : "a number";
      if (!Number.isFinite(n) || (bounds.integer && !Number.isInteger(n))) {
        throw new ConfigError(`Input '${name}' must be ${kind}, got '${value}'.`, { field: name });
      }
      if ((bounds.min !== undefined && n < bounds.min) || (bounds.max !== undefined && n > bounds.max)) {
        const range = `${bounds.min ?? "-∞"} to ${bounds.max ?? "∞"}`;
        throw new ConfigError(`Input '${name}' must be ${kind} from ${range}, got '${value}'.`, {
          field: name,
        });
      }
      return n;
    },
    choice(name, allowed) {
      const value = raw(name);
      if (value === undefined) return undefined;
      const match = allowed.find((a) => a === value.toLowerCase());
      if (!match) {
        throw new ConfigError(`Input '${name}' must be one of ${allowed.join(", ")}, got '${value}'.`, {
          field: name,
        });
      }
      return match;
    },
    list(name) {
      const value = raw(name);
      if (value === undefined) return undefined;
      return value
        .split(/[,\n]/)
        .map((item) => item.trim())
        .filter(Boolean);
    },
    path(name, options = {}) {
      const value = raw(name);
      return value === undefined ? undefined : resolvePathInput(paths, value, { ...options, field: name });
    },
    secret(name) {
      const value = raw(name);
      secrets.register(value);
      return value;
    },
    given: (name) => given(name) !== undefined,
  };
  return reader;
}

/**
 * An output value as the runner stores it: strings as they are, numbers and booleans as text,
 * anything else as JSON with sorted keys; credentials written into quoted text are redacted.
 */
export function outputText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return redactCredentials(typeof value === "string" ? value : JSON.stringify(sortKeysDeep(value)));
}
