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

async function bundle(name: string): Promise<void> {
  const outdir = join(actionsDir, name, "dist");
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: [join(actionsDir, name, "src", "index.ts")],
    outfile: join(outdir, "index.js"),
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

const only = process.argv.slice(2);
const names = only.length ? only : actionNames();
for (const name of names) {
  await bundle(name);
  console.log(`bundled actions/${name}/dist/index.js`);
}
