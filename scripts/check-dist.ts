// Rebuilds every bundle and fails when one is over its size budget (scripts/bundle/config.ts) or the
// committed dist/ differs from the source (CI gate).
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const build = spawnSync(process.execPath, [join(root, "scripts", "build-actions.ts")], {
  cwd: root,
  stdio: "inherit",
});
if (build.status !== 0) {
  console.error("The bundles could not be built, or one is over its budget (see above).");
  process.exit(1);
}
const status = execFileSync(
  "git",
  // A file pattern, not a folder: `actions/*/dist` matches no file inside those folders.
  ["status", "--porcelain", "--untracked-files=all", "--", "actions/*/dist/*", "dist", "action.yml"],
  {
    cwd: root,
    encoding: "utf8",
  },
);
if (status.trim()) {
  console.error("Committed bundles are out of date with the source. Run `npm run build` and commit:");
  console.error(status);
  process.exit(1);
}
console.log("dist/ matches the source.");
