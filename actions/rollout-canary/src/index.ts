// The action's entry (dist/index.js): runs the rollout (dist/engine.js) in a worker thread with heap
// limits suited to hundreds of concurrent tenants (see actions/_shared/src/engine-thread.ts).
import { ESTATE_ENGINE_LIMITS, runEngineThread } from "../../_shared/src/engine-thread.ts";

// A runtime URL beside this bundle, so esbuild leaves it alone.
await runEngineThread(
  new URL("./engine.js", import.meta.url),
  ESTATE_ENGINE_LIMITS,
  "run it again with `resume: true`, and split the estate with `shards` if it happens again",
);
