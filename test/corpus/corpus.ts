/**
 * The real-app corpus (see SOURCES.md): the unbuilt apps Qlik publishes and public load scripts, and
 * how the corpus tests read them. A script is linted as the only file of an app folder.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { lintAppTree, type Finding } from "@qlik-cicd/app-files";

export const CORPUS = path.dirname(fileURLToPath(import.meta.url));
export const APPS_DIR = path.join(CORPUS, "apps");
export const SCRIPTS_DIR = path.join(CORPUS, "scripts");
export const VERDICTS_FILE = path.join(CORPUS, "lint-verdicts.yml");

export async function appNames(): Promise<string[]> {
  const entries = await readdir(APPS_DIR, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

export async function scriptNames(): Promise<string[]> {
  return (await readdir(SCRIPTS_DIR)).filter((n) => n.endsWith(".qvs")).sort();
}

/** Every finding the default rules report on the corpus (files relative to it), in a stable order. */
export async function lintCorpus(): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const name of await appNames()) {
    const result = await lintAppTree(path.join(APPS_DIR, name), {}, { pathBase: CORPUS });
    out.push(...result.findings);
  }
  const work = await mkdtemp(path.join(tmpdir(), "corpus-scripts-"));
  try {
    for (const name of await scriptNames()) {
      const dir = path.join(work, name);
      await mkdir(dir);
      await copyFile(path.join(SCRIPTS_DIR, name), path.join(dir, "script.qvs"));
      const result = await lintAppTree(dir, {});
      out.push(...result.findings.map((f) => ({ ...f, file: `scripts/${name}` })));
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return out;
}
