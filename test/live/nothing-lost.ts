// "Nothing lost": every file of the source is in the unbuilt app, and every value in it is there too
// (a tenant may add keys the files never had, such as defaults the engine fills in, or list the space's
// own data connections in config.yml and connections.yml; that is not a loss).
// The script is compared up to line endings.
import { parse as parseYaml } from "yaml";
import type { AppTree } from "@qlik-cicd/app-files";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function missing(expected: Json, actual: Json | undefined, where: string, out: string[]): void {
  if (actual === undefined) {
    out.push(`${where}: missing`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      out.push(
        `${where}: expected ${expected.length} items, got ${Array.isArray(actual) ? actual.length : typeof actual}`,
      );
      return;
    }
    expected.forEach((item, i) => missing(item, actual[i], `${where}/${i}`, out));
    return;
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) {
      out.push(`${where}: expected an object`);
      return;
    }
    for (const [key, value] of Object.entries(expected)) missing(value, actual[key], `${where}/${key}`, out);
    return;
  }
  if (expected !== actual)
    out.push(`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** What `actual` lost of `expected`, one line per file or JSON path (empty when nothing is lost). */
export function lostContent(expected: AppTree, actual: AppTree): string[] {
  const out: string[] = [];
  const actualFiles = actual.fileTexts();
  for (const [file, text] of expected.fileTexts()) {
    const got = actualFiles.get(file);
    if (got === undefined) {
      out.push(`${file}: missing`);
    } else if (file.endsWith(".json")) {
      missing(JSON.parse(text) as Json, JSON.parse(got) as Json, file, out);
    } else if (file.endsWith(".yml")) {
      missing(parseYaml(text) as Json, parseYaml(got) as Json, file, out);
    } else if (file.endsWith(".qvs")) {
      if (text.replace(/\r\n/g, "\n") !== got.replace(/\r\n/g, "\n")) out.push(`${file}: the script differs`);
    } else if (text !== got) {
      out.push(`${file}: differs`);
    }
  }
  return out;
}
