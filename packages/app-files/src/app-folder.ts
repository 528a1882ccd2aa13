/** Telling an unbuilt app folder from any other folder, with the one sentence for a folder that is not. */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "@qlik-cicd/common";

/** Root files of the layout (this library's, qlik-cli's or corectl's): an app folder holds at least one. */
export const APP_FOLDER_MARKERS: readonly string[] = [
  "config.yml",
  "corectl.yml",
  "script.qvs",
  "app-properties.json",
];

/** A folder written by unbuild (or qlik-cli/corectl): it holds one of the layout's root files. */
export async function isAppFolder(dir: string): Promise<boolean> {
  for (const name of APP_FOLDER_MARKERS) {
    const isFile = await stat(path.join(dir, name)).then(
      (s) => s.isFile(),
      () => false,
    );
    if (isFile) return true;
  }
  return false;
}

/**
 * The error for a path with no app files, worded the same wherever an app folder is expected.
 * `orContainer`: the input also accepts folders (or patterns) that contain app folders.
 */
export function noAppFolderError(
  value: string,
  field: string,
  options: { orContainer?: boolean; hint?: string } = {},
): ConfigError {
  const also = options.orContainer ? ", or a folder or pattern that contains such folders" : "";
  return new ConfigError(
    `No app folder found at '${value}' (in '${field}'): expected a folder with config.yml or script.qvs${also}.`,
    { field, ...(options.hint ? { hint: options.hint } : {}) },
  );
}

/** Refuses `dir` unless it is an app folder; when it holds app folders, the hint names them. */
export async function requireAppFolder(dir: string, field: string): Promise<void> {
  if (await isAppFolder(dir)) return;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const inside: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.isDirectory() && (await isAppFolder(path.join(dir, e.name)))) inside.push(e.name);
  }
  const shown = inside.slice(0, 5).map((n) => `'${n}'`);
  if (inside.length > 5) shown.push(`${inside.length - 5} more`);
  throw noAppFolderError(dir, field, {
    ...(inside.length ? { hint: `It holds app folders (${shown.join(", ")}); name one of them.` } : {}),
  });
}
