#!/usr/bin/env node
// `qlik-cicd`: runs the CLI's TypeScript source, which needs Node 24 (it strips types natively). On an
// older Node the cached Node 24 runs it as a child that gets this process's signals, exits with it and
// never outlives it (scripts/node24-launcher.mjs).
import { fileURLToPath } from "node:url";
import { isNode24, runOnNode24 } from "../../../scripts/node24-launcher.mjs";

if (isNode24()) {
  const { cli } = await import("../src/cli.ts");
  await cli();
} else {
  runOnNode24([fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    ipc: true,
    whileParentLives: Boolean(process.env.npm_command),
  });
}
