// The root action's entry point, bundled to dist/index.js (see packages/cli/src/dispatch.ts).
import { fileURLToPath } from "node:url";
import { dispatch, escapeData } from "./dispatch.ts";

// dist/index.js → ../actions/ at run time (a runtime URL, so esbuild leaves the sub-action import alone).
const actionsDir = fileURLToPath(new URL("../actions/", import.meta.url));
try {
  await dispatch(actionsDir);
} catch (error) {
  const text = error instanceof Error ? error.message : String(error);
  process.stdout.write(`::error::${escapeData(`The command could not be started: ${text}`)}\n`);
  process.exitCode = 1;
}
