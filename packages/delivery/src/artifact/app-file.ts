/**
 * Moving an app file in and out of a tenant through @qlik/api: export without data (201 + a Location
 * in temp-contents, then the download), upload to temp-contents, import (a new app every time), delete.
 */
import { deleteApp, exportApp, importApp } from "@qlik/api/apps";
import { downloadTempFile, uploadTempFile } from "@qlik/api/temp-contents";
import { CicdError, type Logger } from "@qlik-cicd/common";
import { QlikApiError, QlikNotFoundError, type QlikClient } from "@qlik-cicd/qlik-client";
import { findAppsByName, type AppItem } from "../deploy/apps.ts";

/** Files larger than this go through temp-contents first instead of the import request's body. */
const DEFAULT_UPLOAD_THRESHOLD_BYTES = 8 * 1024 * 1024;

function tempContentId(location: string | null, what: string): string {
  const id = location ? /\/temp-contents\/([^/?#]+)/.exec(location)?.[1] : undefined;
  if (!id)
    throw new CicdError(`The ${what} answered without a temp-contents location (got '${location ?? ""}').`);
  return decodeURIComponent(id);
}

async function toBytes(data: unknown): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  if (typeof data === "string") return new TextEncoder().encode(data);
  throw new CicdError("The export's download did not answer with a file.");
}

/** Exports `appId` without data and downloads the file. */
export async function exportAppFile(client: QlikClient, appId: string): Promise<Uint8Array> {
  // @qlik/api 2.19 types the answer as 200 with the file, but hands back Qlik's 201 and its Location.
  const res = (await client.call(
    // Exporting again only leaves another temporary file: safe to repeat.
    {
      tier: "write",
      method: "POST",
      resource: "/api/v1/apps/{appId}/export",
      idempotent: true,
      operation: "export app",
    },
    (opts) => exportApp(appId, { NoData: true }, opts),
  )) as unknown as { status: number; headers: Headers; data: unknown };
  if (res.status === 200 && res.data instanceof Blob) return toBytes(res.data);
  const id = tempContentId(res.headers.get("location"), `export of app ${appId}`);
  const file = await client.call(
    { tier: "read", method: "GET", resource: "/api/v1/temp-contents/{id}", operation: "download export" },
    (opts) => downloadTempFile(id, {}, opts),
  );
  return toBytes(file.data);
}

/**
 * One Blob per artifact's bytes, shared by every upload of them: a Blob copies what it is made from, and
 * a rollout sends the same bytes to a thousand tenants, up to max-parallel at once.
 */
const blobs = new WeakMap<Uint8Array, Blob>();
function blobOf(bytes: Uint8Array): Blob {
  let blob = blobs.get(bytes);
  if (!blob) {
    blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
    blobs.set(bytes, blob);
  }
  return blob;
}

/** Uploads a file to temp-contents; returns its id (for `importApp({ fileId })`). */
export async function uploadTempContent(
  client: QlikClient,
  bytes: Uint8Array,
  filename: string,
): Promise<string> {
  const res = await client.call(
    // Uploading twice only leaves an unused temporary file (it expires): safe to repeat.
    {
      tier: "write",
      method: "POST",
      resource: "/api/v1/temp-contents",
      idempotent: true,
      operation: "upload app file",
    },
    (opts) => uploadTempFile({ filename, ttl: 3600 }, blobOf(bytes), opts),
  );
  return tempContentId(res.headers.get("location"), "temp-contents upload");
}

export interface ImportInput {
  bytes: Uint8Array;
  spaceId: string;
  name: string;
  /** Apps with this name in the space before the import (to tell the new one after a dropped answer). */
  before: readonly AppItem[];
  thresholdBytes?: number;
  logger: Logger;
}

/**
 * Imports an app file into a space as a new app named `name`. Never blind-retried: an import always
 * creates an app, so when the answer is lost (dropped connection, timeout, 5xx) the space is listed
 * again and an app that was not there before is the one this import created.
 */
export async function importAppFile(
  client: QlikClient,
  input: ImportInput,
): Promise<AppItem & { recovered?: boolean }> {
  const { bytes, spaceId, name, logger } = input;
  const viaTemp = bytes.length > (input.thresholdBytes ?? DEFAULT_UPLOAD_THRESHOLD_BYTES);
  const fileId = viaTemp ? await uploadTempContent(client, bytes, `${name}.qvf`) : undefined;
  try {
    const res = await client.call(
      { tier: "write", method: "POST", resource: "/api/v1/apps/import", operation: "import app" },
      (opts) =>
        importApp(
          { spaceId, name, NoData: true, ...(fileId ? { fileId } : {}) },
          fileId ? new Blob([]) : blobOf(bytes),
          opts,
        ),
    );
    return { appId: res.data.attributes?.id ?? "", itemId: "", name, spaceId };
  } catch (error) {
    if (error instanceof QlikApiError && error.status !== undefined && error.status < 500) throw error;
    logger.warn(
      `Importing '${name}' failed (${(error as Error).message}); checking whether it was imported anyway.`,
    );
    const fresh = (await findAppsByName(client, spaceId, name)).filter(
      (a) => !input.before.some((b) => b.appId === a.appId),
    );
    if (fresh.length) return { ...fresh[0], recovered: true };
    throw error;
  }
}

/** Deletes an app; one that is already gone is fine. */
export async function deleteAppIfPresent(client: QlikClient, appId: string): Promise<void> {
  try {
    await client.call(
      { tier: "write", method: "DELETE", resource: "/api/v1/apps/{appId}", operation: "delete app" },
      (opts) => deleteApp(appId, opts),
    );
  } catch (error) {
    if (!(error instanceof QlikNotFoundError)) throw error;
  }
}
