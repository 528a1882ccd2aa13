// Runs `node <args…>` on Node 24 whatever Node started npm. The project's scripts are TypeScript that
// Node 24 runs directly; machines that ship an older Node get Node 24 from the npm registry (the node@24
// package carries the official binary), cached under ~/.cache/qlik-cicd/node24. Plain JavaScript so it
// runs on any Node that npm supports.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";

const WANTED = 24;

function node24Binary() {
  if (Number(process.versions.node.split(".")[0]) >= WANTED) return process.execPath;
  const prefix = process.env.NODE24_PREFIX || join(homedir(), ".cache", "qlik-cicd", `node${WANTED}`);
  const binary = join(prefix, "node_modules", "node", "bin", "node");
  if (!existsSync(binary)) {
    process.stderr.write(
      `This project needs Node ${WANTED}; installing it from the npm registry into ${prefix}.\n`,
    );
    mkdirSync(prefix, { recursive: true });
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const install = spawnSync(
      npm,
      ["install", "--prefix", prefix, "--no-save", "--no-audit", "--no-fund", `node@${WANTED}`],
      {
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    if (install.status !== 0 || !existsSync(binary)) {
      process.stderr.write(
        `Could not install Node ${WANTED}; install it yourself (see .node-version) and run again.\n`,
      );
      process.exit(1);
    }
  }
  return binary;
}

const binary = node24Binary();
// Child processes that call plain `node` (tests spawning the CLI, for instance) get the same version.
const env = { ...process.env, PATH: `${dirname(binary)}${delimiter}${process.env.PATH ?? ""}` };
const child = spawn(binary, process.argv.slice(2), { stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1)));
