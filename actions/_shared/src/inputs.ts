import * as core from "@actions/core";
import { ConfigError, secrets } from "@qlik-cicd/common";

/** Trimmed input value, or undefined when empty. Throws a ConfigError naming the input when required. */
export function readInput(name: string, options: { required?: boolean } = {}): string | undefined {
  const value = core.getInput(name).trim();
  if (!value) {
    if (options.required) throw new ConfigError(`Input '${name}' is required.`, { field: name });
    return undefined;
  }
  return value;
}

export function readRequiredInput(name: string): string {
  return readInput(name, { required: true }) as string;
}

/** A secret input: registered for masking before the value is returned. */
export function readSecretInput(name: string, options: { required?: boolean } = {}): string | undefined {
  const value = readInput(name, options);
  secrets.register(value);
  return value;
}

export function readBooleanInput(name: string, defaultValue: boolean): boolean {
  const value = readInput(name);
  if (value === undefined) return defaultValue;
  const lower = value.toLowerCase();
  if (["true", "yes", "1", "on"].includes(lower)) return true;
  if (["false", "no", "0", "off"].includes(lower)) return false;
  throw new ConfigError(`Input '${name}' must be true or false, got '${value}'.`, { field: name });
}

export function readNumberInput(
  name: string,
  defaultValue: number,
  bounds: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const value = readInput(name);
  if (value === undefined) return defaultValue;
  const n = Number(value);
  const kind = bounds.integer ? "a whole number" : "a number";
  if (!Number.isFinite(n) || (bounds.integer && !Number.isInteger(n))) {
    throw new ConfigError(`Input '${name}' must be ${kind}, got '${value}'.`, { field: name });
  }
  if ((bounds.min !== undefined && n < bounds.min) || (bounds.max !== undefined && n > bounds.max)) {
    const range = `${bounds.min ?? "-∞"} to ${bounds.max ?? "∞"}`;
    throw new ConfigError(`Input '${name}' must be ${kind} from ${range}, got '${value}'.`, { field: name });
  }
  return n;
}

export function readEnumInput<T extends string>(name: string, allowed: readonly T[], defaultValue: T): T {
  const value = readInput(name);
  if (value === undefined) return defaultValue;
  const match = allowed.find((a) => a === value.toLowerCase());
  if (!match) {
    throw new ConfigError(`Input '${name}' must be one of ${allowed.join(", ")}, got '${value}'.`, {
      field: name,
    });
  }
  return match;
}
