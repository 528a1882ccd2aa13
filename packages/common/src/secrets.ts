/**
 * Every secret value any library reads is registered here before anything can be logged, so the
 * Actions adapter can mask it (core.setSecret) and every other sink can redact it.
 */
import { redactCredentials } from "./redact-credentials.ts";

export type SecretListener = (value: string) => void;

type Env = Record<string, string | undefined>;

/** Where a registered secret came from: an environment variable, read (and trimmed) by name. */
export interface SecretSource {
  env: Env;
  name: string;
}

/**
 * A secret's fingerprint: its length and an FNV-1a hash of its characters, kept within V8's small
 * integers so a map keyed by it holds no boxed numbers. Equal fingerprints are confirmed on the value.
 */
function fingerprint(text: string, start: number, length: number): number {
  let hash = 0x811c9dc5 ^ length;
  for (let i = start; i < start + length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash & 0x3fffffff;
}

/** One value or several under one key (collisions are rare, so the common case is not an array). */
type OneOrMore = string | string[];

function add(map: Map<number, OneOrMore>, key: number, item: string): void {
  const have = map.get(key);
  if (have === undefined) map.set(key, item);
  else if (typeof have === "string") map.set(key, [have, item]);
  else have.push(item);
}

function each(entry: OneOrMore | undefined): readonly string[] {
  return entry === undefined ? [] : typeof entry === "string" ? [entry] : entry;
}

export class SecretRegistry {
  /**
   * The secrets, by fingerprint: values kept here, and the names of the environment variables that hold
   * the rest. A secret read from the environment is read again when it is needed rather than copied:
   * a rollout registers a key per tenant, and a thousand keys held twice were a third of a megabyte.
   */
  private readonly values = new Map<number, OneOrMore>();
  private readonly fromEnv = new Map<number, OneOrMore>();
  /** The environments those names are read from (in practice one: process.env). */
  private readonly envs: Env[] = [];
  private count = 0;
  /** The lengths of the secrets, longest first: at each place in a text the longest secret wins. */
  private lengths: number[] = [];
  private readonly listeners = new Set<SecretListener>();
  /**
   * The first four characters of every secret: a text none of whose 4-character windows is one of
   * these holds no secret, so most texts are not searched at all.
   */
  private readonly prefixes = new Set<string>();
  /** The first two characters of every secret (as char codes): most windows are ruled out without a string. */
  private readonly leads = new Set<number>();

  /**
   * Registers a secret. `from` names the environment variable it was read from (trimmed): the registry
   * then keeps the name, not a copy of the value, and reads it again when it redacts.
   */
  register(value: string | undefined | null, from?: SecretSource): void {
    if (!value || value.length < 4 || this.has(value)) return;
    const key = fingerprint(value, 0, value.length);
    if (from && from.env[from.name]?.trim() === value) {
      if (!this.envs.includes(from.env)) this.envs.push(from.env);
      add(this.fromEnv, key, from.name);
    } else add(this.values, key, value);
    this.count++;
    if (!this.lengths.includes(value.length)) {
      this.lengths = [...this.lengths, value.length].sort((a, b) => b - a);
    }
    this.prefixes.add(value.slice(0, 4));
    this.leads.add(value.charCodeAt(0) * 0x10000 + value.charCodeAt(1));
    for (const listener of this.listeners) listener(value);
  }

  /** Calls `listener` for every secret already known and every one registered later. */
  onRegister(listener: SecretListener): () => void {
    for (const entry of this.values.values()) for (const value of each(entry)) listener(value);
    for (const entry of this.fromEnv.values()) {
      for (const name of each(entry)) {
        for (const env of this.envs) {
          const value = env[name]?.trim();
          if (value) listener(value);
        }
      }
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  has(value: string): boolean {
    return this.count > 0 && this.matchAt(value, 0, value.length);
  }

  /**
   * Replaces every known secret in `text` with `***`, longest first so overlapping values are covered,
   * then every credential written into it (`password=…`, see redactCredentials).
   */
  redact(text: string): string {
    if (!text) return text;
    if (this.count === 0) return redactCredentials(text);
    let out = "";
    let copied = 0;
    // Every line logged or audited goes through here: check two char codes before making a substring.
    for (let i = 0; i + 4 <= text.length; i++) {
      if (!this.leads.has(text.charCodeAt(i) * 0x10000 + text.charCodeAt(i + 1))) continue;
      if (!this.prefixes.has(text.slice(i, i + 4))) continue;
      const length = this.lengths.find((l) => i + l <= text.length && this.matchAt(text, i, l));
      if (length === undefined) continue;
      out += `${text.slice(copied, i)}***`;
      copied = i + length;
      i = copied - 1;
    }
    return redactCredentials(copied === 0 ? text : out + text.slice(copied));
  }

  /** Whether the `length` characters of `text` at `start` are a registered secret. */
  private matchAt(text: string, start: number, length: number): boolean {
    const key = fingerprint(text, start, length);
    for (const value of each(this.values.get(key))) {
      if (value.length === length && text.startsWith(value, start)) return true;
    }
    for (const name of each(this.fromEnv.get(key))) {
      for (const env of this.envs) {
        const value = env[name]?.trim();
        if (value?.length === length && text.startsWith(value, start)) return true;
      }
    }
    return false;
  }
}

/** Process-wide registry: libraries register here, adapters subscribe once at start-up. */
export const secrets = new SecretRegistry();
