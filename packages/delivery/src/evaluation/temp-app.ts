/**
 * A pull request's unbuilt files as a temporary app: built into a scratch shared space, its sheets made
 * public (Qlik evaluates only public sheets), reloaded through the reloads API, and deleted afterwards.
 */
import { randomBytes } from "node:crypto";
import { deleteApp } from "@qlik/api/apps";
import type { Doc } from "@qlik/api/qix";
import { AppTree, buildApp } from "@qlik-cicd/app-files";
import { ConfigError, type Logger } from "@qlik-cicd/common";
import { QlikNotFoundError, type QlikClient } from "@qlik-cicd/qlik-client";
import { createAppInSpace } from "../deploy/apps.ts";
import { reloadApp } from "../deploy/reload.ts";
import { createSharedSpace, findSpace, listSpaces } from "../deploy/spaces.ts";
import type { SpaceRef } from "../deploy/types.ts";

/** The shared space for temporary apps: found by name or id, created (shared) when missing. */
export async function ensureScratchSpace(
  client: QlikClient,
  nameOrId: string,
  logger: Logger,
  field = "scratch-space",
): Promise<SpaceRef> {
  const existing = findSpace(await listSpaces(client), nameOrId);
  if (existing) {
    if (existing.type !== "shared") {
      throw new ConfigError(
        `Scratch space '${existing.name}' is a ${existing.type} space; temporary apps need a shared space. Choose another '${field}'.`,
        { field },
      );
    }
    return existing;
  }
  logger.info(`Creating the shared space '${nameOrId}' for temporary evaluation apps.`);
  return createSharedSpace(client, nameOrId);
}

/** A unique name for a temporary app, recognisable in the hub if a run died before cleaning up. */
export function temporaryAppName(baseName: string, suffix?: string): string {
  const tag = suffix?.trim() || randomBytes(4).toString("hex");
  return `${baseName} [ci-eval ${tag}]`;
}

interface SheetHandle {
  getLayout(): Promise<unknown>;
  publish(): Promise<void>;
}

/** Makes every sheet of the open app public. Returns the number of sheets and how many were published now. */
export async function publishSheets(doc: Doc): Promise<{ sheets: number; published: number }> {
  const infos = await doc.getAllInfos();
  const sheetIds = infos.filter((i) => i.qType === "sheet" && i.qId).map((i) => i.qId as string);
  let published = 0;
  for (const id of sheetIds) {
    const handle = (await doc.getObject(id)) as unknown as SheetHandle;
    const layout = (await handle.getLayout()) as { qMeta?: { published?: boolean } } | undefined;
    if (layout?.qMeta?.published) continue;
    await handle.publish();
    published++;
  }
  if (published) await doc.doSave();
  return { sheets: sheetIds.length, published };
}

export interface PrepareOptions {
  reloadTimeoutMs: number;
  logger: Logger;
}

/**
 * Builds `tree` into the (new, empty) app, makes its sheets public and reloads it. Returns how many
 * sheets the app has.
 */
export async function prepareTemporaryApp(
  client: QlikClient,
  appId: string,
  tree: AppTree,
  options: PrepareOptions,
): Promise<{ sheets: number }> {
  const { logger } = options;
  const sheets = await client.withApp(appId, async (doc) => {
    // Bookmarks play no part in an evaluation, and their selections would need the data before the
    // reload below: the temporary app is built without them.
    const content = new AppTree({ ...tree.content, bookmarks: undefined });
    await buildApp(doc, content, { prune: true, reload: false, logger });
    return client.qixMutation(appId, "Publish", () => publishSheets(doc), "publish sheets");
  });
  logger.info(
    `Built the temporary app ${appId}; ${sheets.published} of ${sheets.sheets} sheets made public.`,
  );
  await reloadApp(client, appId, { timeoutMs: options.reloadTimeoutMs, logger });
  return { sheets: sheets.sheets };
}

export async function createTemporaryApp(
  client: QlikClient,
  space: SpaceRef,
  name: string,
  logger: Logger,
): Promise<string> {
  const item = await createAppInSpace(client, space.id, name, logger);
  logger.info(`Created the temporary app '${name}' (${item.appId}) in space '${space.name}'.`);
  return item.appId;
}

/** Deletes the temporary app; never throws (a failed clean-up is logged, not allowed to hide the result). */
export async function deleteTemporaryApp(
  client: QlikClient,
  appId: string,
  logger: Logger,
): Promise<boolean> {
  try {
    await client.call(
      {
        tier: "write",
        method: "DELETE",
        resource: `/api/v1/apps/${appId}`,
        operation: "delete temporary app",
      },
      (opts) => deleteApp(appId, opts),
    );
    logger.info(`Deleted the temporary app ${appId}.`);
    return true;
  } catch (error) {
    if (error instanceof QlikNotFoundError) return true;
    logger.warn(
      `Could not delete the temporary app ${appId} (${(error as Error).message}); delete it by hand from the scratch space.`,
    );
    return false;
  }
}
