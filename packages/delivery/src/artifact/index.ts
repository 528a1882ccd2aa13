export {
  ARTIFACT_APP_FILE,
  ARTIFACT_MANIFEST_FILE,
  ArtifactStore,
  artifactDigestOf,
  makeArtifact,
  readArtifact,
  shortDigest,
  writeArtifact,
  type AppArtifact,
  type ArtifactManifest,
} from "./artifact-file.ts";
export { deleteAppIfPresent, exportAppFile, importAppFile, uploadTempContent } from "./app-file.ts";
export { buildArtifact, buildArtifactOnce, type BuiltArtifact } from "./build.ts";
export { rollbackArtifact, shipArtifact, type ShipDeps, type ShipOptions, type ShipResult } from "./ship.ts";
export { applyTenantParameters, hasParameters, parametersDigest } from "./tenant-parameters.ts";
