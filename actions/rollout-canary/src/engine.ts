// The rollout itself, bundled to dist/engine.js and run by dist/index.js in a worker thread (see
// actions/_shared/src/engine-thread.ts for why).
import { run } from "./main.ts";

await run();
