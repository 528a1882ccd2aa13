import { createSpace, getSpaces, type Space } from "@qlik/api/spaces";
import { allPages, type QlikClient } from "@qlik-cicd/qlik-client";
import { ConfigError, didYouMean } from "@qlik-cicd/common";
import type { SpaceRef } from "./types.ts";

function toRef(space: Space): SpaceRef {
  return { id: space.id, name: space.name ?? "", type: space.type ?? "" };
}

/** Every space these credentials can see (all pages), fresh (no cache). */
export async function listSpaces(client: QlikClient): Promise<SpaceRef[]> {
  const spaces = await allPages(
    client,
    { tier: "read", method: "GET", resource: "/api/v1/spaces", operation: "list spaces" },
    (opts) => getSpaces({ limit: 100 }, opts),
  );
  return spaces.map(toRef);
}

/** Finds a space by id or exact name (then case-insensitive name) in a list. */
export function findSpace(spaces: readonly SpaceRef[], nameOrId: string): SpaceRef | undefined {
  return (
    spaces.find((s) => s.id === nameOrId) ??
    spaces.find((s) => s.name === nameOrId) ??
    spaces.find((s) => s.name.toLowerCase() === nameOrId.toLowerCase())
  );
}

/**
 * The shared space that holds the staging app of managed space `space` (named by `staging-space`, by
 * default `<space>-staging`): its name, and the space when it exists. Refuses one that is not shared.
 */
export function findStagingSpace(
  spaces: readonly SpaceRef[],
  space: SpaceRef,
  stagingSpace: string | undefined,
): { name: string; space?: SpaceRef } {
  const name = stagingSpace?.trim() || `${space.name}-staging`;
  const staging = findSpace(spaces, name);
  if (staging && staging.type !== "shared") {
    throw new ConfigError(
      `Staging space '${staging.name}' is a ${staging.type} space; the staging app must live in a shared space (set 'staging-space').`,
      { field: "staging-space" },
    );
  }
  return staging ? { name, space: staging } : { name };
}

/** The sentence for a space that does not exist, with the nearest names. */
export function spaceNotFound(
  nameOrId: string,
  tenant: string,
  spaces: readonly SpaceRef[],
  field = "space",
): ConfigError {
  const hint =
    didYouMean(
      nameOrId,
      spaces.map((s) => s.name),
    ) ||
    (spaces.length
      ? `Spaces visible to these credentials: ${spaces
          .map((s) => `'${s.name}'`)
          .sort()
          .slice(0, 10)
          .join(", ")}.`
      : "These credentials can see no spaces; check the user's space roles.");
  return new ConfigError(`Space '${nameOrId}' was not found on tenant ${tenant}. ${hint}`, { field });
}

/** Creates a shared space (the staging space of a managed target). Looks first, so a retry never duplicates. */
export async function createSharedSpace(client: QlikClient, name: string): Promise<SpaceRef> {
  try {
    const res = await client.call(
      { tier: "write", method: "POST", resource: "/api/v1/spaces", operation: "create space" },
      (opts) =>
        createSpace({ name, type: "shared", description: "Staging apps for qlik-cicd deployments." }, opts),
    );
    return toRef(res.data);
  } catch (error) {
    // The request may have been applied before the connection dropped, or another run created it.
    const existing = findSpace(await listSpaces(client), name);
    if (existing && existing.name === name) return existing;
    throw error;
  }
}
