// Bundles every action (actions/<name>/src/index.ts → actions/<name>/dist/index.js), the shared
// artifact uploader and the root action deterministically, then fails when a bundle is over its budget
// (scripts/bundle/config.ts). Folders starting with "_" hold shared adapter code, not actions.
//   node scripts/build-actions.ts [name…] [--report]
// `--report` lists what takes the space in each bundle (from esbuild's metafile).
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, relative } from "node:path";
import { bundleOptions, bundleTargets, bytesByPackage, root } from "./bundle/config.ts";

const args = process.argv.slice(2);
const report = args.includes("--report");
const only = args.filter((a) => !a.startsWith("--"));
// Naming an action builds its engine too (its entry's build empties dist/).
const targets = bundleTargets().filter((t) =>
  only.length ? only.includes(t.name) || only.includes(t.name.replace(/\/engine$/, "")) : true,
);
if (only.length && targets.length !== only.length) {
  const known = bundleTargets().map((t) => t.name);
  console.error(
    `Unknown bundle: ${only.filter((n) => !known.includes(n)).join(", ")}. Known: ${known.join(", ")}.`,
  );
  process.exit(2);
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} kB`;
const over: string[] = [];
for (const target of targets) {
  // An action's dist/ holds only its bundles (emptied before its entry's, the first); the root dist/ is
  // left alone.
  if (target.name !== "root" && !target.name.endsWith("/engine")) {
    rmSync(dirname(target.outfile), { recursive: true, force: true });
  }
  const result = await build(bundleOptions(target));
  const bytes = Object.values(result.metafile!.outputs)[0].bytes;
  const note = bytes > target.budget ? "  OVER BUDGET" : "";
  console.log(`bundled ${relative(root, target.outfile)}: ${kb(bytes)} (budget ${kb(target.budget)})${note}`);
  if (note) over.push(`${target.name} is ${kb(bytes)}, over its ${kb(target.budget)} budget`);
  if (report) {
    for (const [name, size] of bytesByPackage(result.metafile!).slice(0, 15)) {
      console.log(`  ${kb(size).padStart(8)}  ${name}`);
    }
  }
}
if (over.length) {
  console.error(
    `${over.join("; ")}. Run \`node scripts/build-actions.ts <name> --report\` to see what takes the space.`,
  );
  process.exit(1);
}
