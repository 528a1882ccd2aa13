// The main flow on a real tenant, in a scratch shared space: deploy the sample app's files (build,
// reload, verify), unbuild the deployed app and check nothing was lost, deploy the same files again
// (nothing changes), make its sheets public and evaluate it, and delete everything the run created — the app,
// and the space when the run created it — whether or not a step failed.
//
// Runs when QLIK_LIVE_TENANT_URL, credentials (QLIK_LIVE_API_KEY, or QLIK_LIVE_CLIENT_ID and
// QLIK_LIVE_CLIENT_SECRET) and QLIK_LIVE_WRITE=true are set; skipped otherwise. Optional:
//   QLIK_LIVE_SCRATCH_SPACE    shared space to work in (default ci-live-<run id>; created when missing)
//   QLIK_LIVE_RUN_ID           names the run's app and default space (default GitHub's run id, or random)
//   QLIK_LIVE_TIMEOUT_MINUTES  longest wait for one reload or evaluation (default 10)
//   QLIK_LIVE_VERBOSE=1        progress on stderr
// `.ci/run` runs this against a simulator it starts, through the same variables.
//
// test/live/sample-app/ is the simulator's seeded "Sales Analytics" app as unbuild writes it, with its
// customers and orders loaded inline instead of through a data connection (so it reloads on any tenant)
// and without its bookmark (bookmarks keep their selections differently on a real tenant).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { deleteSpace } from "@qlik/api/spaces";
import { AppTree, infoOf, readAppTree, unbuildApp } from "@qlik-cicd/app-files";
import {
  deleteTemporaryApp,
  deployApp,
  ensureScratchSpace,
  evaluateApp,
  findAppsByName,
  findSpace,
  listSpaces,
  publishSheets,
  type DeployResult,
  type SpaceRef,
} from "@qlik-cicd/delivery";
import type { QlikClient } from "@qlik-cicd/qlik-client";
import {
  connect,
  liveLogger as logger,
  runId,
  scratchSpaceName,
  stepTimeoutMinutes,
  writeEnabled,
} from "./live-env.ts";
import { allowNetwork } from "../setup/network-isolation.ts";
import { lostContent } from "./nothing-lost.ts";

const SAMPLE = join(import.meta.dirname, "sample-app");
const describeWrite = writeEnabled ? describe : describe.skip;
const stepTimeoutMs = stepTimeoutMinutes * 60_000 * 2;

describeWrite(
  "live tenant: deploy, unbuild, evaluate and clean up in a scratch space (QLIK_LIVE_WRITE)",
  () => {
    let client: QlikClient;
    let source: AppTree;
    let space: SpaceRef | undefined;
    let createdSpace = false;
    let deployed: DeployResult | undefined;
    const appName = `Live check ${runId}`;

    /** The state an earlier step should have left, or a sentence saying which step did not. */
    const after = <T>(value: T | undefined, step: string): T => {
      if (value === undefined) throw new Error(`Not run: ${step} did not succeed.`);
      return value;
    };

    beforeAll(async () => {
      // The shared setup blocks traffic beyond loopback; a live run needs the tenant's host.
      allowNetwork();
      client = connect();
      source = await readAppTree(SAMPLE);
    });

    afterAll(async () => {
      const problems: string[] = [];
      try {
        // By name as well as by id: a deploy that failed half-way may have created the app anyway.
        const ids = new Set<string>(deployed ? [deployed.appId] : []);
        if (space) for (const app of await findAppsByName(client, space.id, appName)) ids.add(app.appId);
        for (const id of ids) {
          if (!(await deleteTemporaryApp(client, id, logger)))
            problems.push(`app ${id} could not be deleted`);
        }
        if (space && createdSpace) {
          const spaceId = space.id;
          await client.call(
            {
              tier: "write",
              method: "DELETE",
              resource: `/api/v1/spaces/${spaceId}`,
              operation: "delete space",
            },
            (opts) => deleteSpace(spaceId, opts),
          );
          logger.info(`Deleted the scratch space '${space.name}'.`);
        }
        // What is left under this run's names (nothing, unless a clean-up above failed).
        const spaceNow = findSpace(await listSpaces(client), scratchSpaceName);
        if (createdSpace && spaceNow) problems.push(`space '${scratchSpaceName}' still exists`);
        if (spaceNow && (await findAppsByName(client, spaceNow.id, appName)).length > 0) {
          problems.push(`an app named '${appName}' is still in '${scratchSpaceName}'`);
        }
      } finally {
        await client?.close();
      }
      if (problems.length) throw new Error(`Clean-up left things behind: ${problems.join("; ")}.`);
    }, stepTimeoutMs);

    it("uses the scratch shared space, creating it when missing", async () => {
      const existing = findSpace(await listSpaces(client), scratchSpaceName);
      space = await ensureScratchSpace(client, scratchSpaceName, logger, "QLIK_LIVE_SCRATCH_SPACE");
      createdSpace = existing === undefined;
      expect(space.type).toBe("shared");
      expect(space.name).toBe(existing?.name ?? scratchSpaceName);
    });

    it(
      "deploys the sample app's files, reloads and verifies the deployed app",
      async () => {
        const target = after(space, "finding the scratch space");
        deployed = await deployApp(
          client,
          {
            source: SAMPLE,
            space: target.id,
            appName,
            reload: true,
            reloadTimeoutMinutes: stepTimeoutMinutes,
            provenance: { ref: `live-check ${runId}` },
          },
          { logger },
        );
        expect(deployed.plan.mode).toBe("shared");
        expect(deployed.changed).toBe(true);
        expect(deployed.verified).toBe(true);
        expect(deployed.reload?.status).toBe("SUCCEEDED");
        expect(deployed.appId).not.toBe("");
      },
      stepTimeoutMs,
    );

    it(
      "unbuilds the deployed app with nothing lost",
      async () => {
        const { appId } = after(deployed, "the deploy");
        const unbuilt = await client.withApp(appId, (doc) => unbuildApp(doc));
        // The deployed app is named for this run; the files carry the sample's title.
        const expected = new AppTree({
          ...source.content,
          appProperties: { ...source.content.appProperties, qTitle: appName },
        });
        expect(lostContent(expected, unbuilt)).toEqual([]);
        expect(unbuilt.objects.length).toBe(source.objects.length);
      },
      stepTimeoutMs,
    );

    it(
      "deploys the same files again without changing anything",
      async () => {
        const first = after(deployed, "the deploy");
        const again = await deployApp(
          client,
          { source: SAMPLE, space: first.plan.space.id, appName, reload: true },
          { logger },
        );
        expect({ changed: again.changed, appId: again.appId, changes: again.plan.changes }).toEqual({
          changed: false,
          appId: first.appId,
          changes: [],
        });
      },
      stepTimeoutMs,
    );

    it(
      "evaluates the deployed app once its sheets are public",
      async () => {
        const { appId } = after(deployed, "the deploy");
        // Qlik evaluates public sheets only; a shared-space build leaves them private.
        const sheets = await client.withApp(appId, (doc) =>
          client.qixMutation(appId, "Publish", () => publishSheets(doc), "publish sheets"),
        );
        expect(sheets.sheets).toBe(source.objects.filter((o) => infoOf(o.qProperty).type === "sheet").length);
        const result = await evaluateApp(
          client,
          {
            appId,
            passes: 1,
            // A space that does not exist: no baseline, so only evaluation errors and absolute limits count.
            baselineSpace: `${scratchSpaceName} (no baseline)`,
            timeoutMinutes: stepTimeoutMinutes,
            pollIntervalMs: 2_000,
          },
          { logger },
        );
        const [evaluation] = result.report.current.evaluations;
        expect(result.report.baseline.kind).toBe("none");
        expect(evaluation.appId).toBe(appId);
        expect(evaluation.objects.length).toBeGreaterThan(0);
        expect(result.gate.errors).toEqual([]);
        expect(result.verdict).toBe("pass");
      },
      stepTimeoutMs,
    );
  },
);
