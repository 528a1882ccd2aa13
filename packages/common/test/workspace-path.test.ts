// The one workspace-path helper: folders a tool writes into stay strictly inside the workspace; other
// paths may be the workspace itself; on a runner the temp folder is allowed too; in a terminal paths are
// only resolved.
import { afterAll, describe, expect, it } from "@jest/globals";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, resolvePathInput, resolveWorkspacePath } from "../src/index.ts";

const root = mkdtempSync(join(tmpdir(), "workspace-path-"));
const ws = join(root, "ws");
const scratch = join(root, "scratch");
const runnerTemp = join(root, "runner-temp");
for (const dir of [ws, scratch, runnerTemp]) mkdirSync(dir, { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("resolveWorkspacePath", () => {
  it("accepts folders inside the workspace and rejects escapes", () => {
    expect(resolveWorkspacePath(ws, "apps/sales", { kind: "folder" })).toEqual({
      absolute: join(ws, "apps", "sales"),
      relative: "apps/sales",
    });
    expect(resolveWorkspacePath(ws, join(ws, "apps", "x"), { kind: "folder" }).relative).toBe("apps/x");
    for (const bad of ["../outside", "apps/../../x", "/etc", ".", ""]) {
      const error = errorOf(() => resolveWorkspacePath(ws, bad, { kind: "folder" }));
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe("path");
    }
    symlinkSync(scratch, join(ws, "link"));
    expect(() => resolveWorkspacePath(ws, "link/apps", { kind: "folder" })).toThrow(
      /must be a folder inside the workspace/,
    );
    expect(existsSync(join(scratch, "apps"))).toBe(false);
  });

  it("lets other paths be the workspace itself, names the input, and allows the runner's temp folder", () => {
    expect(resolveWorkspacePath(ws, ".").relative).toBe(".");
    const error = errorOf(() => resolveWorkspacePath(ws, "../scratch/x.json", { field: "report-path" }));
    expect((error as ConfigError).message).toBe(
      `Input 'report-path' ('../scratch/x.json') must stay inside the workspace ${ws}.`,
    );
    expect((error as ConfigError).field).toBe("report-path");
    expect(resolveWorkspacePath(ws, join(runnerTemp, "r.json"), { alsoInside: [runnerTemp] }).absolute).toBe(
      join(runnerTemp, "r.json"),
    );
    expect(() => resolveWorkspacePath(ws, join(scratch, "r.json"), { alsoInside: [runnerTemp] })).toThrow(
      ConfigError,
    );
  });
});

describe("resolvePathInput", () => {
  it("confines on a runner and only resolves in a terminal", () => {
    const runner = { workspace: ws, confine: true, alsoInside: [runnerTemp] };
    expect(() => resolvePathInput(runner, "../x", { field: "source" })).toThrow(
      "Input 'source' ('../x') must stay inside the workspace",
    );
    const terminal = { workspace: ws, confine: false };
    expect(resolvePathInput(terminal, "../x", { field: "source" })).toBe(join(root, "x"));
    expect(resolvePathInput(terminal, "/elsewhere/y")).toBe("/elsewhere/y");
    expect(() => resolvePathInput(terminal, "  ", { field: "source" })).toThrow("Input 'source' is empty");
  });
});
