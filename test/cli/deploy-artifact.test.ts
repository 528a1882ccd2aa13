// deploy-to-space with artifacts, as the action and the CLI run it: test builds from files and writes
// the artifact; acceptance and production deploy that same file (their consumers' apps run the export's
// digest); an artifact whose file does not match its manifest is refused before the tenant is touched;
// a workflow artifact name without artifact storage says what to do.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runOperationInTerminal } from "@qlik-cicd/cli";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator, type RunningSimulator } from "@qlik-cicd/simulator";
import { deployToSpaceOperation, readDeploymentRecord } from "@qlik-cicd/delivery";
import { APP, appsBySpace, writeSources } from "../../packages/delivery/test/rollout-helpers.ts";

let sim: RunningSimulator;
let work: string;
let v1: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sim = await startSimulator({
    tenants: 1,
    seed: "demo",
    timings: { reloadMs: 10, publishAccessWindowMs: 0 },
  });
  work = mkdtempSync(join(tmpdir(), "deploy-artifact-"));
  ({ v1 } = await writeSources(sim, work));
  const t = sim.description.tenants[0];
  env = {
    QLIK_TENANT_URL: t.url,
    QLIK_API_KEY: t.apiKey,
    GITHUB_WORKSPACE: work,
    RUNNER_TEMP: join(work, "tmp"),
  };
}, 20_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

const run = (inputs: Record<string, string>) =>
  runOperationInTerminal(deployToSpaceOperation as never, { inputs, env, log: () => undefined });

describe("deploy-to-space with an artifact", () => {
  it("builds in test, then promotes the same bytes to acceptance and production", async () => {
    const built = await run({ source: v1, space: "test", "app-name": APP, "artifact-output": "artifact" });
    expect(built.error).toBeUndefined();
    expect(built.outputs["artifact-digest"]).toMatch(/^sha256:[0-9a-f]{64}$/);
    const manifest = JSON.parse(readFileSync(join(work, "artifact", "manifest.json"), "utf8")) as {
      artifactDigest: string;
    };
    expect(manifest.artifactDigest).toBe(built.outputs["artifact-digest"]);

    const client = new QlikClient({
      tenantUrl: env.QLIK_TENANT_URL as string,
      apiKey: env.QLIK_API_KEY as string,
    });
    try {
      for (const space of ["acceptance", "production"]) {
        const shipped = await run({ artifact: "artifact", space, "rollback-dir": "rollback" });
        expect(shipped.error).toBeUndefined();
        expect(shipped.outputs["artifact-digest"]).toBe(manifest.artifactDigest);
        expect(shipped.outputs.changed).toBe("true");
        const published = shipped.outputs["published-app-id"];
        expect((await readDeploymentRecord(client, published))?.artifactDigest).toBe(manifest.artifactDigest);
        expect(appsBySpace(sim, sim.description.tenants[0].name)[space]).toEqual([published]);
      }
      const again = await run({ artifact: "artifact", space: "production" });
      expect(again.outputs.changed).toBe("false");
    } finally {
      await client.close();
    }
  });

  it("refuses an artifact whose file does not match its manifest, before touching the tenant", async () => {
    const manifest = JSON.parse(readFileSync(join(work, "artifact", "manifest.json"), "utf8")) as Record<
      string,
      unknown
    >;
    writeFileSync(
      join(work, "artifact", "manifest.json"),
      JSON.stringify({ ...manifest, artifactDigest: `sha256:${"0".repeat(64)}` }),
    );
    const before = sim.control.requestLog(sim.description.tenants[0].name).length;
    const refused = await run({ artifact: "artifact", space: "production" });
    expect(refused.exitCode).toBe(1);
    expect(refused.error).toMatch(
      /Input 'artifact': the app file's digest \w+ does not match the manifest's/,
    );
    expect(sim.control.requestLog(sim.description.tenants[0].name).length).toBe(before);
  });

  it("says what to do with an artifact name where no artifact storage is", async () => {
    const r = await run({ artifact: "qlik-app-artifact", space: "production" });
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(/cannot download workflow artifacts; download it first and give its folder/);
    await expect(run({ artifact: "artifact", source: v1, space: "production" })).rejects.toThrow(
      /Set either 'artifact' or 'source'/,
    );
  });
});
