// Runs `node <args…>` on Node 24 whatever Node started npm (see node24-launcher.mjs): the npm scripts'
// entry point.
import { runOnNode24 } from "./node24-launcher.mjs";

runOnNode24(process.argv.slice(2));
