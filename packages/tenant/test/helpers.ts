// Shared helpers for the tenant package tests: unbuilt app files taken from the simulator's demo app.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unbuildApp, writeAppTree } from "@qlik-cicd/app-files";
import type { QlikClient } from "@qlik-cicd/qlik-client";

/** Unbuilds the tenant's first app into a fresh folder (the files a monitoring or content entry points at). */
export async function unbuiltAppFolder(client: QlikClient, appId: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "tenant-app-"));
  const tree = await client.withApp(appId, (doc) => unbuildApp(doc));
  await writeAppTree(dir, tree);
  return dir;
}
