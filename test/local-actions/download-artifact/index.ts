// actions/download-artifact stand-in: <store>/<run id>/<name>/… copied into the workspace.
import { cpSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fail, input, requiredEnv, setOutput } from "../common.ts";
import { STAND_IN_ENV } from "../index.ts";

const workspace = requiredEnv("GITHUB_WORKSPACE");
const store = requiredEnv(STAND_IN_ENV.artifacts);
const runId = input("run-id") || requiredEnv("GITHUB_RUN_ID");
if (input("run-id") && !input("github-token")) fail("Input 'github-token' is required with 'run-id'.");
const dest = resolve(workspace, input("path") || ".");
const runDir = join(store, runId);
const available = existsSync(runDir) ? readdirSync(runDir).sort() : [];
const name = input("name");
mkdirSync(dest, { recursive: true });
if (name) {
  if (!available.includes(name)) fail(`Unable to download artifact(s): Artifact not found for name: ${name}`);
  cpSync(join(runDir, name), dest, { recursive: true });
  console.log(`Downloaded artifact '${name}' to ${dest}.`);
} else {
  const pattern = input("pattern");
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  const chosen = available.filter((a) => !pattern || re.test(a));
  const merge = input("merge-multiple") === "true";
  for (const a of chosen) cpSync(join(runDir, a), merge ? dest : join(dest, a), { recursive: true });
  console.log(`Downloaded ${chosen.length} artifact(s) to ${dest}: ${chosen.join(", ") || "none"}.`);
}
setOutput("download-path", dest);
