import { updateAppInfo, type UpdateApp } from "@qlik/api/apps";
import type { QlikClient } from "@qlik-cicd/qlik-client";
import type { NxApp } from "@qlik/api/apps";
import type { ProvenanceInput } from "./types.ts";

/** Key of the custom app attribute that records where a deployed app came from. */
export const PROVENANCE_ATTRIBUTE = "qlikCicd";

export interface ProvenanceRecord extends ProvenanceInput {
  /** treeDigest of the deployed content (without parameters' credentials). */
  digest: string;
  deployedAt: string;
}

/**
 * Provenance lives in the app's custom attributes (REST app metadata), not in the app document, so
 * unbuild, diff and verification never see it. Written only when a deploy changed content.
 */
export async function writeProvenance(
  client: QlikClient,
  appId: string,
  record: ProvenanceRecord,
): Promise<void> {
  const body = { attributes: { custom: { [PROVENANCE_ATTRIBUTE]: { ...record } } } } as unknown as UpdateApp;
  await client.call(
    { tier: "write", method: "PUT", resource: `/api/v1/apps/${appId}`, operation: "record provenance" },
    (opts) => updateAppInfo(appId, body, opts),
  );
}

export function readProvenance(app: NxApp): ProvenanceRecord | undefined {
  const custom = app.attributes?.custom as Record<string, unknown> | undefined;
  const value = custom?.[PROVENANCE_ATTRIBUTE];
  if (!value || typeof value !== "object") return undefined;
  return value as ProvenanceRecord;
}
