import { invalidParams } from "./errors.ts";

export function reqString(v: unknown, name: string): string {
  if (typeof v !== "string") throw invalidParams(name);
  return v;
}

export function optString(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalidParams(name);
  return v;
}

export function optBool(v: unknown): boolean | undefined {
  return typeof v === "boolean" ? v : undefined;
}
