/**
 * `tenants-from`: a file naming the tenants a rollout takes part in — estate-status's not-current file
 * (`{"tenants": ["acme", …]}`), a JSON list of names, or plain text with one name per line (`#`
 * comments). The inventory is narrowed to these names; a name the inventory lacks is an error, so a
 * stale list never silently skips a tenant.
 */
import { readFileSync } from "node:fs";
import { ConfigError, displayPath } from "@qlik-cicd/common";
import type { InventoryTenant } from "./types.ts";

const FIELD = "tenants-from";

function namesIn(text: string, file: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new ConfigError(`Input '${FIELD}': '${file}' is not valid JSON.`, { field: FIELD });
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { tenants?: unknown } | null)?.tenants;
    if (!Array.isArray(list) || list.some((n) => typeof n !== "string")) {
      throw new ConfigError(
        `Input '${FIELD}': '${file}' must hold a list of tenant names, or an object whose 'tenants' is one (estate-status's not-current file).`,
        { field: FIELD },
      );
    }
    return list as string[];
  }
  return trimmed
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*$/, "").trim())
    .filter(Boolean);
}

/** The inventory's tenants named in `file`, in inventory order. */
export function tenantsFrom(file: string, tenants: readonly InventoryTenant[]): InventoryTenant[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(
      `Input '${FIELD}': the file '${displayPath(file)}' cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}).`,
      { field: FIELD, cause: error },
    );
  }
  const names = new Set(namesIn(text, displayPath(file)));
  const known = new Set(tenants.map((t) => t.name));
  const unknown = [...names].filter((n) => !known.has(n)).sort();
  if (unknown.length) {
    throw new ConfigError(
      `Input '${FIELD}' names ${unknown.length === 1 ? "a tenant" : `${unknown.length} tenants`} the inventory does not have (${unknown.slice(0, 10).join(", ")}); regenerate the list from the same inventory.`,
      { field: FIELD },
    );
  }
  return tenants.filter((t) => names.has(t.name));
}
