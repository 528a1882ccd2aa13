// The root action's entry point, bundled to dist/index.js (see dispatch.ts).
import * as core from "@actions/core";
import { fileURLToPath } from "node:url";
import { dispatch } from "./dispatch.ts";

// dist/index.js → ../actions/ at run time (a runtime URL, so esbuild leaves the sub-action import alone).
const actionsDir = fileURLToPath(new URL("../actions/", import.meta.url));
try {
  await dispatch(actionsDir);
} catch (error) {
  core.setFailed(
    `The command could not be started: ${error instanceof Error ? error.message : String(error)}`,
  );
}
