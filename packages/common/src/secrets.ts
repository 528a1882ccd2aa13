/**
 * Every secret value any library reads is registered here before anything can be logged, so the
 * Actions adapter can mask it (core.setSecret) and every other sink can redact it.
 */
import { redactCredentials } from "./redact-credentials.ts";

export type SecretListener = (value: string) => void;

export class SecretRegistry {
  private readonly values = new Set<string>();
  private readonly listeners = new Set<SecretListener>();
  /** One alternation of every secret, longest first; rebuilt lazily after a registration. */
  private pattern: RegExp | null = null;
  /**
   * The first four characters of every secret: a text none of whose 4-character windows is one of
   * these holds no secret, so the alternation (slow with a thousand tenants' keys) is not run on it.
   */
  private readonly prefixes = new Set<string>();
  /** The first two characters of every secret (as char codes): most windows are ruled out without a string. */
  private readonly leads = new Set<number>();

  register(value: string | undefined | null): void {
    if (!value || value.length < 4 || this.values.has(value)) return;
    this.values.add(value);
    this.prefixes.add(value.slice(0, 4));
    this.leads.add(value.charCodeAt(0) * 0x10000 + value.charCodeAt(1));
    this.pattern = null;
    for (const listener of this.listeners) listener(value);
  }

  /** Calls `listener` for every secret already known and every one registered later. */
  onRegister(listener: SecretListener): () => void {
    for (const value of this.values) listener(value);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  has(value: string): boolean {
    return this.values.has(value);
  }

  /**
   * Replaces every known secret in `text` with `***`, longest first so overlapping values are covered,
   * then every credential written into it (`password=…`, see redactCredentials).
   */
  redact(text: string): string {
    if (!text) return text;
    if (this.values.size === 0 || !this.mayHoldSecret(text)) return redactCredentials(text);
    if (!this.pattern) {
      const escaped = [...this.values]
        .sort((a, b) => b.length - a.length)
        .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      this.pattern = new RegExp(escaped.join("|"), "g");
    }
    return redactCredentials(text.replace(this.pattern, "***"));
  }

  private mayHoldSecret(text: string): boolean {
    // Every line logged or audited goes through here: check two char codes before making a substring.
    for (let i = 0; i + 4 <= text.length; i++) {
      if (!this.leads.has(text.charCodeAt(i) * 0x10000 + text.charCodeAt(i + 1))) continue;
      if (this.prefixes.has(text.slice(i, i + 4))) return true;
    }
    return false;
  }
}

/** Process-wide registry: libraries register here, adapters subscribe once at start-up. */
export const secrets = new SecretRegistry();
