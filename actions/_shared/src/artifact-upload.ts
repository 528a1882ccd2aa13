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
