// The simulator in a child process for the benchmarks (`qlik-sim`), so what they measure is their own
// process: resolves with the JSON line the simulator prints once it serves.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";

export interface SimulatorDescription {
  control: string;
  tenants: { name: string; url: string; apiKey: string; region: string }[];
}

/** Starts `qlik-sim` with `args`; stop it with `sim.kill("SIGTERM")`. */
export async function startSimulatorProcess(
  args: string[],
): Promise<{ sim: ChildProcess; description: SimulatorDescription }> {
  const bin = join(import.meta.dirname, "..", "..", "packages", "simulator", "bin", "qlik-sim.js");
  const sim = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const description: SimulatorDescription = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: sim.stdout! });
    lines.once("line", (line) => resolve(JSON.parse(line) as SimulatorDescription));
    sim.once("exit", (code) => reject(new Error(`qlik-sim exited with ${code}`)));
  });
  return { sim, description };
}
