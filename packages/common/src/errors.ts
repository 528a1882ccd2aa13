import { redactCredentials } from "./redact-credentials.ts";

/**
 * Errors a user can act on carry one sentence that names the field or resource and what to do.
 * Adapters print `message` alone (never a stack) and exit 1.
 */
export class CicdError extends Error {
  /** What the user can do about it, appended to the message when printed. */
  readonly hint: string | undefined;
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options?.hint;
  }
}

/** A mistake in inputs, files or configuration: nothing was changed on any tenant. */
export class ConfigError extends CicdError {
  /** The input, file or field at fault, e.g. `space` or `apps/sales/measures.json`. */
  readonly field: string | undefined;
  constructor(message: string, options?: { field?: string; hint?: string; cause?: unknown }) {
    super(message, options);
    this.field = options?.field;
  }
}

/**
 * One line for people: the message, its hint, and nothing else (no stack, no cause chain, no
 * credential quoted from a script or connection string).
 */
export function describeError(error: unknown): string {
  if (error instanceof CicdError) {
    return redactCredentials(error.hint ? `${error.message} ${error.hint}` : error.message);
  }
  return redactCredentials(error instanceof Error ? error.message : String(error));
}
