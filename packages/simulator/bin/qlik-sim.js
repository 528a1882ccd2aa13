#!/usr/bin/env node
// Runs the simulator's TypeScript source directly: Node 24 strips types natively. The version is checked
// before the source is loaded, so an older Node gets one sentence instead of a loader crash.
if (Number(process.versions.node.split(".")[0]) < 24) {
  process.stderr.write(`qlik-sim needs Node 24 or later; this is Node ${process.versions.node}.\n`);
  process.exit(2);
}
await import("../src/cli.ts");
