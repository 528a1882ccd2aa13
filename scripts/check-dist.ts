// Rebuilds every bundle and fails when the committed dist/ differs from the source (CI gate).
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
execFileSync(process.execPath, [join(root, "scripts", "build-actions.ts")], { cwd: root, stdio: "inherit" });
const status = execFileSync(
  "git",
  ["status", "--porcelain", "--untracked-files=all", "--", "actions/*/dist", "dist", "action.yml"],
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
