#!/usr/bin/env node
// Runs the simulator's TypeScript source directly: Node 24 strips types natively.
import "../src/cli.ts";
