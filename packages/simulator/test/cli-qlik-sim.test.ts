import { describe, expect, test } from "@jest/globals";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/qlik-sim.js", import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe("qlik-sim CLI", () => {
  test("prints one JSON line, serves, and exits 0 on SIGTERM", async () => {
    const p = run(["--tenants", "2", "--seed", "demo"]);
    const start = Date.now();
    while (!p.out().includes("\n") && Date.now() - start < 15000) await new Promise((r) => setTimeout(r, 50));
    const lines = p
      .out()
      .split("\n")
      .filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    const desc = JSON.parse(lines[0]) as {
      url: string;
      control: string;
      regions: Record<string, { registrationUrl: string; clientId: string; clientSecret: string }>;
      tenants: { name: string; url: string; apiKey: string; region: string }[];
    };
    expect(desc.tenants).toHaveLength(2);
    expect(desc.url).toBe(desc.tenants[0].url);
    expect(Object.keys(desc.regions)).toEqual(["eu", "us"]);
    const res = await fetch(`${desc.url}/api/v1/spaces`, {
      headers: { authorization: `Bearer ${desc.tenants[0].apiKey}` },
    });
    expect(res.status).toBe(200);
    expect((await fetch(`${desc.control}/state`)).status).toBe(200);
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    expect(
      p
        .out()
        .split("\n")
        .filter((l) => l !== ""),
    ).toHaveLength(1);
  });

  test("a bad flag prints one sentence on stderr and exits 2", async () => {
    for (const args of [["--tenants", "zero"], ["--fault-rate", "7"], ["--bogus"]]) {
      const p = run(args);
      expect(await p.exited).toBe(2);
      expect(p.out()).toBe("");
      const err = p.err().trim();
      expect(err.split("\n")).toHaveLength(1);
      expect(err.length).toBeGreaterThan(10);
    }
  });
});
