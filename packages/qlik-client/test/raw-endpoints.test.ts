// Every Qlik call goes through the client and @qlik/api's typed functions: a raw request only from
// src/raw-endpoints.ts (which names each endpoint @qlik/api lacks), and no fetch of its own anywhere
// but the client's one exchange. The simulator is a server, not a caller, and is left out.
import { describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

function productSources(): string[] {
  const dirs = [
    ...readdirSync(join(root, "packages"))
      .filter((p) => p !== "simulator")
      .map((p) => join(root, "packages", p, "src")),
    ...readdirSync(join(root, "actions")).map((a) => join(root, "actions", a, "src")),
  ];
  return dirs.flatMap((dir) => {
    try {
      return sources(dir);
    } catch {
      return [];
    }
  });
}

/** `file:line` of every line matching `pattern`. */
function uses(pattern: RegExp): string[] {
  const found: string[] = [];
  for (const file of productSources()) {
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (pattern.test(line)) found.push(`${relative(root, file)}:${i + 1}`);
      });
  }
  return found.map((where) => where.replace(/:\d+$/, "")).sort();
}

describe("Qlik calls in product code", () => {
  it("send raw requests only from raw-endpoints.ts", () => {
    expect(uses(/\.fetch\(\s*\{/)).toEqual(["packages/qlik-client/src/raw-endpoints.ts"]);
  });

  it("call fetch only in the client's one exchange and the transport under it", () => {
    expect(uses(/(?:await|return|=|\(|,)\s*(?:globalThis\.)?fetch\(/)).toEqual([
      "packages/qlik-client/src/client.ts",
      "packages/qlik-client/src/transport.ts",
    ]);
  });
});
