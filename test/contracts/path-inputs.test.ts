// Every path input of every action is refused when it leads out of the workspace on a runner: the
// operation reads it through the one workspace-path helper, with the policy the Actions adapter uses.
// The same values are accepted inside the workspace, and in a terminal (where the person running the
// command owns every file they name).
import { afterAll, describe, expect, it } from "@jest/globals";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadEvidence } from "@qlik-cicd/approval";
import { ConfigError, createInputReader, MemoryLogger, type OperationHost } from "@qlik-cicd/common";
import { loadOperation } from "@qlik-cicd/cli";
import { actionHost } from "../../actions/_shared/src/host.ts";

const root = mkdtempSync(join(tmpdir(), "path-inputs-"));
const workspace = join(root, "ws");
const runnerTemp = join(root, "runner-temp");
const outside = join(root, "outside");
for (const dir of [workspace, runnerTemp, outside]) mkdirSync(dir, { recursive: true });
writeFileSync(join(outside, "secret.json"), "{}");
symlinkSync(outside, join(workspace, "link"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const connection = { "tenant-url": "https://acme.eu.qlikcloud.com", "api-key": "k3y-for-path-tests" };

/** Per action: inputs that make its options valid, and every input that names a path. */
const ACTIONS: Record<string, { base: Record<string, string>; paths: string[] }> = {
  "deploy-to-space": {
    base: { ...connection, space: "test", source: "apps/sales" },
    paths: ["source", "parameters", "rollback-dir", "artifact-output"],
  },
  "evaluate-app": {
    base: { ...connection, source: "apps/sales" },
    paths: ["source", "report-path", "baseline"],
  },
  "rollout-canary": {
    base: { "tenants-file": "tenants.yml", source: "apps/sales", space: "production" },
    paths: [
      "tenants-file",
      "source",
      "artifact",
      "rollback-dir",
      "state-file",
      "merge-states",
      "tenants-from",
    ],
  },
  "estate-status": {
    base: { "tenants-file": "tenants.yml", space: "production", "app-name": "Sales" },
    paths: ["tenants-file", "blueprint", "report-dir", "merge-reports"],
  },
  "configure-tenant": {
    base: { ...connection, blueprint: "tenant.yml" },
    paths: ["blueprint", "drift-report-dir"],
  },
  "provision-tenant": {
    base: { region: "eu", "client-id": "id", "client-secret": "s3cret-value", blueprint: "tenant.yml" },
    paths: ["blueprint"],
  },
  "unbuild-app": { base: { ...connection, "app-id": "a1" }, paths: ["path"] },
  "validate-app": { base: { path: "apps/sales" }, paths: ["config"] },
};

function runnerHost(): OperationHost {
  return actionHost(undefined, {
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    GITHUB_REPOSITORY: "acme/bi",
  }) as OperationHost;
}

async function readOptions(action: string, inputs: Record<string, string>, host: OperationHost) {
  const operation = await loadOperation(action);
  const reader = createInputReader(operation!.inputs, { get: (name) => inputs[name] }, host.paths);
  return operation!.options(reader, host);
}

const escapes = ["../outside/secret.json", join(outside, "secret.json"), "link/secret.json"];

describe("path inputs on a runner", () => {
  const cases = Object.entries(ACTIONS).flatMap(([action, { base, paths }]) =>
    paths.flatMap((input) => escapes.map((value) => [action, input, value, base] as const)),
  );

  it.each(cases)("%s refuses '%s' = %s", async (action, input, value, base) => {
    const error = await readOptions(action, { ...base, [input]: value }, runnerHost()).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe(input);
    expect((error as Error).message).toMatch(/must (stay|be a folder) inside the workspace/);
  });

  it.each(Object.entries(ACTIONS))(
    "%s accepts the same inputs inside the workspace",
    async (action, spec) => {
      const inside = Object.fromEntries(spec.paths.map((p) => [p, `inside/${p}.json`]));
      mkdirSync(join(workspace, "inside"), { recursive: true });
      for (const file of Object.values(inside)) writeFileSync(join(workspace, file), "{}\n");
      await expect(readOptions(action, { ...spec.base, ...inside }, runnerHost())).resolves.toBeDefined();
    },
  );

  it("deploy-to-space: 'artifact' is refused outside the workspace and accepted inside (instead of source)", async () => {
    const { source: _source, ...base } = ACTIONS["deploy-to-space"].base;
    for (const value of escapes) {
      const error = await readOptions("deploy-to-space", { ...base, artifact: value }, runnerHost()).catch(
        (e) => e,
      );
      expect((error as ConfigError).field).toBe("artifact");
      expect((error as Error).message).toMatch(/must (stay|be a folder) inside the workspace/);
    }
    mkdirSync(join(workspace, "inside", "artifact"), { recursive: true });
    const options = (await readOptions(
      "deploy-to-space",
      { ...base, artifact: "inside/artifact" },
      runnerHost(),
    )) as { artifact?: { path?: string } };
    expect(options.artifact?.path).toBe(join(workspace, "inside", "artifact"));
  });

  it("accepts the runner's temp folder", async () => {
    const options = (await readOptions(
      "evaluate-app",
      { ...ACTIONS["evaluate-app"].base, "report-path": join(runnerTemp, "report.json") },
      runnerHost(),
    )) as { reportPath?: string };
    expect(options.reportPath).toBe(join(runnerTemp, "report.json"));
  });

  it("approve-gate: evidence naming a file outside the workspace is refused, not posted", () => {
    const host = runnerHost();
    expect(() => loadEvidence(join(outside, "secret.json"), workspace, host.paths)).toThrow(
      "Input 'evidence' ('" + join(outside, "secret.json") + "') must stay inside the workspace",
    );
    writeFileSync(join(workspace, "evidence.md"), "# ok\n");
    expect(loadEvidence("evidence.md\nLooks fine.", workspace, host.paths).map((i) => i.source)).toEqual([
      "evidence.md",
      "inline",
    ]);
  });
});

describe("path inputs in a terminal", () => {
  it("resolves them against the current folder without confining them", async () => {
    const host = {
      ...runnerHost(),
      kind: "cli",
      logger: new MemoryLogger(),
      paths: { workspace, confine: false },
    } as OperationHost;
    const options = (await readOptions(
      "deploy-to-space",
      { ...ACTIONS["deploy-to-space"].base, source: "../outside" },
      host,
    )) as { deploy: { source?: string } };
    expect(options.deploy.source).toBe(outside);
  });
});
