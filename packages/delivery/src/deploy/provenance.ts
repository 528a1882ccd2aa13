import type { QlikClient } from "@qlik-cicd/qlik-client";
import { PROVENANCE_APP_PROPERTY } from "@qlik-cicd/app-files";
import type { ProvenanceInput } from "./types.ts";

/** App property (QIX app properties) that records where a deployed app came from. */
export const PROVENANCE_ATTRIBUTE = PROVENANCE_APP_PROPERTY;

export interface ProvenanceRecord extends ProvenanceInput {
  /** treeDigest of the deployed content (without parameters' credentials). */
  digest: string;
  deployedAt: string;
}

interface AppPropertiesDoc {
  getAppProperties(): Promise<Record<string, unknown>>;
  setAppProperties(props: Record<string, unknown>): Promise<void>;
  doSave(fileName?: string): Promise<void>;
}

/**
 * Provenance lives in the app's own properties, so it travels with publish and republish into the
 * managed space, while unbuild (and so diff and verification) drops it as volatile. Qlik's REST app
 * attributes only take a name and a description, so they cannot carry it. Written only when a deploy
 * changed content, into the app that is built (before it is published), on a session the caller already
 * has open on `appId` (the deploy's build session).
 */
export async function writeProvenanceInDoc(
  client: QlikClient,
  appId: string,
  doc: unknown,
  record: ProvenanceRecord,
  options: { save?: boolean } = {},
): Promise<void> {
  await client.qixMutation(
    appId,
    "SetAppProperties",
    async () => {
      const d = doc as AppPropertiesDoc;
      const props = await d.getAppProperties();
      await d.setAppProperties({ ...props, [PROVENANCE_ATTRIBUTE]: { ...record } });
      if (options.save ?? true) await d.doSave();
    },
    "record provenance",
  );
}

/** Reads the provenance an app carries, if any. */
export async function readProvenance(
  client: QlikClient,
  appId: string,
): Promise<ProvenanceRecord | undefined> {
  return client.withApp(appId, async (doc) => {
    const props = await (doc as unknown as AppPropertiesDoc).getAppProperties();
    const value = props[PROVENANCE_ATTRIBUTE];
    return value && typeof value === "object" ? (value as ProvenanceRecord) : undefined;
  });
}
