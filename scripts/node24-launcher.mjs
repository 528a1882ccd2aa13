// Runs a script on Node 24 whatever Node started it. The project's sources are TypeScript that Node 24
// runs directly; machines that ship an older Node get Node 24 from the npm registry (the node@24 package
// carries the official binary), cached under ~/.cache/qlik-cicd/node24. Plain JavaScript so it runs on
// any Node that npm supports. Used by the npm scripts (scripts/node24.mjs) and by the bins
// (`npx qlik-sim`, `npx qlik-cicd`), which must not leave their Node 24 child behind.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";

export const WANTED_NODE = 24;

/** True when this Node can run the TypeScript sources itself. */
export function isNode24() {
  return Number(process.versions.node.split(".")[0]) >= WANTED_NODE;
}

/** This Node when it is recent enough, else the cached Node 24 (installed on first use). */
export function node24Binary() {
  if (isNode24()) return process.execPath;
  const prefix = process.env.NODE24_PREFIX || join(homedir(), ".cache", "qlik-cicd", `node${WANTED_NODE}`);
  const binary = join(prefix, "node_modules", "node", "bin", "node");
  if (!existsSync(binary)) {
    process.stderr.write(
      `This project needs Node ${WANTED_NODE}; installing it from the npm registry into ${prefix}.\n`,
    );
    mkdirSync(prefix, { recursive: true });
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const install = spawnSync(
      npm,
      ["install", "--prefix", prefix, "--no-save", "--no-audit", "--no-fund", `node@${WANTED_NODE}`],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    if (install.status !== 0 || !existsSync(binary)) {
      process.stderr.write(
        `Could not install Node ${WANTED_NODE}; install it yourself (see .node-version) and run again.\n`,
      );
      process.exit(1);
    }
  }
  return binary;
}

/**
 * Runs `node <args…>` on Node 24 as a child and stands in for it: SIGINT/SIGTERM are passed on, this
 * process exits with the child's code (or signal). With `ipc`, the child gets a channel that closes when
 * this process dies in any way, so a child that listens for `disconnect` never outlives it. With
 * `whileParentLives`, losing this process's own parent (npm's shell dies on SIGTERM without passing it
 * on) stops the child as a signal would.
 */
export function runOnNode24(args, options = {}) {
  const binary = node24Binary();
  // Child processes that call plain `node` (tests spawning the CLI, for instance) get the same version.
  const env = { ...process.env, PATH: `${dirname(binary)}${delimiter}${process.env.PATH ?? ""}` };
  const stdio = options.ipc ? ["inherit", "inherit", "inherit", "ipc"] : "inherit";
  const child = spawn(binary, args, { stdio, env });
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const signals = ["SIGINT", "SIGTERM"];
  for (const signal of signals) process.on(signal, forward);
  if (options.whileParentLives) onParentGone(() => forward("SIGTERM"));
  child.on("exit", (code, signal) => {
    if (!signal) process.exit(code ?? 1);
    // End the way the child ended: the same signal, with this process's own handlers out of the way.
    for (const s of signals) process.off(s, forward);
    process.kill(process.pid, signal);
  });
  return child;
}

/** Calls `callback` once when the process that started this one is gone (checked twice a second). */
export function onParentGone(callback) {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    callback();
  }, 500);
  timer.unref();
}
