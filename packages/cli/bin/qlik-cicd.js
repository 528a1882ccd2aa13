#!/usr/bin/env node
// Runs the CLI's TypeScript source directly: Node 24 strips types natively.
import { cli } from "../src/cli.ts";

await cli();
