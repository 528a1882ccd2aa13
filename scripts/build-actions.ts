// Bundles every action (actions/<name>/src/index.ts → actions/<name>/dist/index.js) deterministically.
// Folders starting with "_" hold shared adapter code, not actions.
import { build } from "esbuild";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const actionsDir = join(root, "actions");

export function actionNames(): string[] {
  return readdirSync(actionsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith("_"))
    .filter((d) => existsSync(join(actionsDir, d.name, "src", "index.ts")))
    .map((d) => d.name)
    .sort();
}

async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    charset: "utf8",
    legalComments: "none",
    sourcemap: false,
    minify: false,
    logLevel: "warning",
    // Some CommonJS dependencies call require() for Node built-ins; ESM output needs a real require.
    banner: {
      js: 'import { createRequire as __cicdCreateRequire } from "node:module"; const require = __cicdCreateRequire(import.meta.url);',
    },
  });
}

async function bundleAction(name: string): Promise<void> {
  const outdir = join(actionsDir, name, "dist");
  rmSync(outdir, { recursive: true, force: true });
  await bundle(join(actionsDir, name, "src", "index.ts"), join(outdir, "index.js"));
  console.log(`bundled actions/${name}/dist/index.js`);
}

/** Shared modules loaded on demand by every action (one copy instead of one per bundle). */
async function bundleShared(): Promise<void> {
  const outdir = join(actionsDir, "_shared", "dist");
  rmSync(outdir, { recursive: true, force: true });
  await bundle(join(actionsDir, "_shared", "src", "artifact-upload.ts"), join(outdir, "artifact-upload.js"));
  console.log("bundled actions/_shared/dist/artifact-upload.js");
}

const only = process.argv.slice(2);
if (only.length === 0) await bundleShared();
for (const name of only.length ? only : actionNames()) await bundleAction(name);
if (only.length === 0)
  await bundle(join(root, "packages", "cli", "src", "root-dispatch.ts"), join(root, "dist", "index.js"));
