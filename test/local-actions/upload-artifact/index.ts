// actions/upload-artifact stand-in: <store>/<run id>/<name>/…, paths relative to their common folder.
import { cpSync, existsSync, globSync, mkdirSync, rmSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fail, input, requiredEnv, setOutput } from "../common.ts";
import { STAND_IN_ENV } from "../index.ts";

const workspace = requiredEnv("GITHUB_WORKSPACE");
const store = requiredEnv(STAND_IN_ENV.artifacts);
const runId = requiredEnv("GITHUB_RUN_ID");
const name = input("name") || "artifact";
if (/[":<>|*?\\/\r\n]/.test(name)) fail(`The artifact name '${name}' contains a character GitHub rejects.`);
const patterns = input("path")
  .split("\n")
  .map((l) => l.trim())
  .filter(Boolean);
if (patterns.length === 0) fail("Input required and not supplied: path");
const files: string[] = [];
for (const p of patterns) {
  const abs = isAbsolute(p) ? p : resolve(workspace, p);
  const matches = /[*?[]/.test(p) ? globSync(abs) : existsSync(abs) ? [abs] : [];
  files.push(...matches);
}
if (files.length === 0) {
  const mode = input("if-no-files-found") || "warn";
  const message = `No files were found with the provided path: ${patterns.join(", ")}. No artifacts will be uploaded.`;
  if (mode === "error") fail(message);
  if (mode === "warn") process.stdout.write(`::warning::${message}\n`);
  process.exit(0);
}
// The root is the common folder of everything matched (a single folder uploads its contents).
const dirs = files.map((f) => (statSync(f).isDirectory() && files.length === 1 ? f : dirname(f)));
let root = dirs[0];
for (const d of dirs)
  while (root !== dirname(root) && !(d === root || d.startsWith(root + sep))) root = dirname(root);
const target = join(store, runId, name);
if (existsSync(target)) {
  if (input("overwrite") !== "true") {
    fail(`Failed to CreateArtifact: an artifact with this name already exists on the workflow run: ${name}`);
  }
  rmSync(target, { recursive: true, force: true });
}
mkdirSync(target, { recursive: true });
for (const f of files) {
  // A single folder uploads its contents; otherwise paths stay relative to their common folder.
  const rel = relative(root, f);
  cpSync(f, rel ? join(target, rel) : target, { recursive: true });
}
console.log(`Uploaded ${files.length} path(s) as artifact '${name}'.`);
setOutput(
  "artifact-id",
  String(Math.abs([...`${runId}/${name}`].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7))),
);
setOutput("artifact-url", `https://github.com/artifacts/${runId}/${encodeURIComponent(name)}`);
