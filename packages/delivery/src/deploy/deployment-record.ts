/**
 * The deployment record: which version of an app a tenant runs, as the deploy that put it there wrote
 * it. It is a small JSON media file of the consumers' app (`/api/v1/apps/{appId}/media/files/{path}`,
 * part of Qlik's apps API): one tier-1 GET reads it, without a QIX session, so a view of a thousand
 * tenants (estate-status) or a rollout deciding what to skip reads it cheaply. Media files are app
 * content, so a record written into a staging app travels with publish and republish to the copy
 * consumers use. Nothing secret goes in: digests of parameters are keyed (see `parametersDigest`).
 */
import { deleteAppMedia, getAppMedia, uploadAppMedia } from "@qlik/api/apps";
import { canonicalJson } from "@qlik-cicd/common";
import { QlikConflictError, QlikNotFoundError, type QlikClient } from "@qlik-cicd/qlik-client";

/** The media file's path (one segment: Qlik's media paths are folders, this one lives at the root). */
export const DEPLOYMENT_RECORD_PATH = "qlik-cicd-deployment.json";

export const DEPLOYMENT_RECORD_SCHEMA = 1;

/** What one deploy recorded about the version it put in place. */
export interface DeploymentRecord {
  schema: typeof DEPLOYMENT_RECORD_SCHEMA;
  appName: string;
  /** treeDigest of the source files the version was built from. */
  sourceDigest: string;
  /** sha256 of the exported app file (the artifact) the tenant runs; absent for a build from files. */
  artifactDigest?: string;
  /** Git commit of the source, its commit time and ref, and the CI run that deployed it. */
  commit?: string;
  commitTime?: string;
  ref?: string;
  runUrl?: string;
  deployedAt: string;
  /**
   * Keyed digest of the tenant's own parameters that were applied (variables, connection settings and
   * credentials), so a later deploy can tell whether they changed without reading them back. Keyed with
   * a secret the pipeline holds, so the record does not let anyone test guesses of a credential.
   */
  parametersDigest?: string;
  /** The version this deploy replaced, for rollback. */
  previous?: { sourceDigest?: string; artifactDigest?: string; commit?: string; deployedAt?: string };
}

/**
 * The record a deploy writes: what it put in place (`version`), where it came from (`provenance`:
 * commit, its time, ref, run) and, for rollback, the version it replaced (`replaced`, the app's record
 * before this deploy; `replacedArtifactDigest` when the replaced version's artifact is known otherwise).
 */
export function newDeploymentRecord(
  version: { appName: string; sourceDigest: string; artifactDigest?: string; parametersDigest?: string },
  provenance: { commit?: string; commitTime?: string; ref?: string; runUrl?: string },
  replaced?: DeploymentRecord,
  replacedArtifactDigest = replaced?.artifactDigest,
): DeploymentRecord {
  return {
    schema: DEPLOYMENT_RECORD_SCHEMA,
    appName: version.appName,
    sourceDigest: version.sourceDigest,
    ...(version.artifactDigest ? { artifactDigest: version.artifactDigest } : {}),
    ...(provenance.commit ? { commit: provenance.commit } : {}),
    ...(provenance.commit && provenance.commitTime ? { commitTime: provenance.commitTime } : {}),
    ...(provenance.ref ? { ref: provenance.ref } : {}),
    ...(provenance.runUrl ? { runUrl: provenance.runUrl } : {}),
    deployedAt: new Date().toISOString(),
    ...(version.parametersDigest ? { parametersDigest: version.parametersDigest } : {}),
    ...(replaced
      ? {
          previous: {
            sourceDigest: replaced.sourceDigest,
            ...(replacedArtifactDigest ? { artifactDigest: replacedArtifactDigest } : {}),
            ...(replaced.commit ? { commit: replaced.commit } : {}),
            deployedAt: replaced.deployedAt,
          },
        }
      : {}),
  };
}

function isRecord(value: unknown): value is DeploymentRecord {
  const r = value as Partial<DeploymentRecord> | null;
  return (
    !!r &&
    typeof r === "object" &&
    r.schema === DEPLOYMENT_RECORD_SCHEMA &&
    typeof r.appName === "string" &&
    typeof r.sourceDigest === "string" &&
    typeof r.deployedAt === "string"
  );
}

/**
 * The record of `appId`, or undefined when it has none (never deployed by this toolkit, or deployed
 * before records existed) or when what is stored is not a record (written by something else).
 */
export async function readDeploymentRecord(
  client: QlikClient,
  appId: string,
): Promise<DeploymentRecord | undefined> {
  try {
    const res = await client.call(
      {
        tier: "read",
        method: "GET",
        resource: "/api/v1/apps/{appId}/media/files/{path}",
        operation: "read deployment record",
      },
      (opts) => getAppMedia(appId, DEPLOYMENT_RECORD_PATH, opts),
    );
    const text = await res.data.text();
    const parsed = JSON.parse(text) as unknown;
    return isRecord(parsed) ? parsed : undefined;
  } catch (error) {
    if (error instanceof QlikNotFoundError || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/**
 * Stores `record` as the record of `appId`, replacing the one it has: Qlik refuses to overwrite a media
 * file (409), so the old one is deleted first. Both steps are safe to repeat. `likelyAbsent`: the app
 * most probably has no record (a fresh import of an artifact built without one), so the new one is
 * stored at once and the old one deleted only when Qlik answers 409 — one request instead of two.
 */
export async function writeDeploymentRecord(
  client: QlikClient,
  appId: string,
  record: DeploymentRecord,
  options: { likelyAbsent?: boolean } = {},
): Promise<void> {
  const body = new Blob([canonicalJson(record)], { type: "application/json" });
  const put = () =>
    client.call(
      {
        tier: "write",
        method: "PUT",
        resource: "/api/v1/apps/{appId}/media/files/{path}",
        operation: "write deployment record",
      },
      (opts) => uploadAppMedia(appId, DEPLOYMENT_RECORD_PATH, body, opts),
    );
  if (options.likelyAbsent) {
    try {
      await put();
      return;
    } catch (error) {
      if (!(error instanceof QlikConflictError)) throw error;
    }
  }
  await deleteDeploymentRecord(client, appId);
  await put();
}

/** Deletes the record of `appId`; an app without one is fine. */
export async function deleteDeploymentRecord(client: QlikClient, appId: string): Promise<void> {
  try {
    await client.call(
      {
        tier: "write",
        method: "DELETE",
        resource: "/api/v1/apps/{appId}/media/files/{path}",
        operation: "replace deployment record",
      },
      (opts) => deleteAppMedia(appId, DEPLOYMENT_RECORD_PATH, opts),
    );
  } catch (error) {
    if (!(error instanceof QlikNotFoundError)) throw error;
  }
}
