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

  register(value: string | undefined | null): void {
    if (!value || value.length < 4 || this.values.has(value)) return;
    this.values.add(value);
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
    if (this.values.size === 0) return redactCredentials(text);
    if (!this.pattern) {
      const escaped = [...this.values]
        .sort((a, b) => b.length - a.length)
        .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      this.pattern = new RegExp(escaped.join("|"), "g");
    }
    return redactCredentials(text.replace(this.pattern, "***"));
  }
}

/** Process-wide registry: libraries register here, adapters subscribe once at start-up. */
export const secrets = new SecretRegistry();
