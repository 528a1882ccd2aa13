// Bundled once into actions/_shared/dist/artifact-upload.js and loaded on demand by every action, so
// the artifact client (and its storage SDK) is not copied into each action's bundle.
import { DefaultArtifactClient } from "@actions/artifact";

export async function uploadFiles(
  name: string,
  files: string[],
  rootDirectory: string,
): Promise<number | undefined> {
  const result = await new DefaultArtifactClient().uploadArtifact(name, files, rootDirectory);
  return result.id;
}

/** Another run's artifacts: its id, the repository and a token with `actions: read`. */
export interface FindBy {
  workflowRunId: number;
  repositoryOwner: string;
  repositoryName: string;
  token: string;
}

/** Downloads the artifact `name` (of this run, or of the run `findBy` names) into `directory`. */
export async function downloadFiles(name: string, directory: string, findBy?: FindBy): Promise<void> {
  const client = new DefaultArtifactClient();
  const { artifact } = await client.getArtifact(name, findBy ? { findBy } : undefined);
  await client.downloadArtifact(artifact.id, { path: directory, ...(findBy ? { findBy } : {}) });
}
