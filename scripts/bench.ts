// `npm run bench`: runs every benchmark one after another and prints the ratios each measured in its
// own run. Benchmarks are scripts, not tests, and are not part of CI. Pass names to run a subset:
// `npm run bench -- unbuild`.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const benches: Record<string, string> = {
  client: "client.ts",
  unbuild: "unbuild.ts",
  rollout: "rollout.ts",
  estate: "estate.ts",
};

const selected = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = selected.length ? selected : Object.keys(benches);
let failed = 0;
for (const name of names) {
  const file = benches[name];
  if (!file) {
    console.error(`Unknown benchmark '${name}'; choose from ${Object.keys(benches).join(", ")}.`);
    process.exit(2);
  }
  console.log(`\n=== ${name}`);
  const run = spawnSync(process.execPath, [join(import.meta.dirname, "bench", file)], { stdio: "inherit" });
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
