/**
 * The app artifact: a version built once from files, exported without data, and what is promoted across
 * spaces and shipped to tenants from then on. On disk it is a folder with two files: the export
 * (`app.qvf`) and its manifest (`manifest.json`: the digest of the source files, the digest of the
 * export, the commit, the app name, the time). Reading one always checks the export against the
 * manifest's digest, so bytes that changed on the way are refused instead of shipped.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { canonicalJson, ConfigError, sha256Hex } from "@qlik-cicd/common";

export const ARTIFACT_MANIFEST_FILE = "manifest.json";
export const ARTIFACT_APP_FILE = "app.qvf";
export const ARTIFACT_SCHEMA = 1;

export interface ArtifactManifest {
  schema: typeof ARTIFACT_SCHEMA;
  appName: string;
  /** treeDigest of the source files the version was built from. */
  sourceDigest: string;
  /** `sha256:<hex>` of the exported app file. */
  artifactDigest: string;
  /** Size of the exported app file in bytes. */
  size: number;
  /** Git commit of the source, when known. */
  commit?: string;
  /** When that commit was made (ISO time). */
  commitTime?: string;
  /** When the export was taken (ISO time). */
  createdAt: string;
}

export interface AppArtifact {
  manifest: ArtifactManifest;
  /** The exported app file (without data). */
  bytes: Uint8Array;
  /** The artifact's folder, when it was read from or written to disk. */
  dir?: string;
}

/** `sha256:<hex>` of an exported app file. */
export function artifactDigestOf(bytes: Uint8Array): string {
  return `sha256:${sha256Hex(bytes)}`;
}

/** The first 12 hex digits of a digest, for messages. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}

/** An artifact from the exported bytes and what is known about them. */
export function makeArtifact(
  bytes: Uint8Array,
  info: { appName: string; sourceDigest: string; commit?: string; commitTime?: string; createdAt?: string },
): AppArtifact {
  return {
    bytes,
    manifest: {
      schema: ARTIFACT_SCHEMA,
      appName: info.appName,
      sourceDigest: info.sourceDigest,
      artifactDigest: artifactDigestOf(bytes),
      size: bytes.length,
      ...(info.commit ? { commit: info.commit } : {}),
      ...(info.commit && info.commitTime ? { commitTime: info.commitTime } : {}),
      createdAt: info.createdAt ?? new Date().toISOString(),
    },
  };
}

/** Writes the artifact's two files into `dir` (created); the manifest last, so a reader never sees half. */
export function writeArtifact(dir: string, artifact: AppArtifact): AppArtifact {
  mkdirSync(dir, { recursive: true });
  const app = join(dir, ARTIFACT_APP_FILE);
  writeFileSync(`${app}.tmp`, artifact.bytes);
  renameSync(`${app}.tmp`, app);
  const manifest = join(dir, ARTIFACT_MANIFEST_FILE);
  writeFileSync(`${manifest}.tmp`, canonicalJson(artifact.manifest));
  renameSync(`${manifest}.tmp`, manifest);
  return { ...artifact, dir };
}

function isManifest(value: unknown): value is ArtifactManifest {
  const m = value as Partial<ArtifactManifest> | null;
  return (
    !!m &&
    typeof m === "object" &&
    m.schema === ARTIFACT_SCHEMA &&
    typeof m.appName === "string" &&
    typeof m.sourceDigest === "string" &&
    typeof m.artifactDigest === "string" &&
    /^sha256:[0-9a-f]{64}$/.test(m.artifactDigest) &&
    typeof m.createdAt === "string"
  );
}

/**
 * Reads and verifies an artifact. `path` is its folder, its manifest or its app file (the manifest is
 * beside it). A missing file, a manifest that is not one, or an app file whose digest differs from the
 * manifest's is a ConfigError naming `field` (nothing is shipped then).
 */
export function readArtifact(path: string, field = "artifact"): AppArtifact {
  if (!path || !existsSync(path)) {
    throw new ConfigError(
      `Input '${field}': '${path}' does not exist; give the folder an artifact was written to.`,
      {
        field,
      },
    );
  }
  const dir = statSync(path).isDirectory() ? path : dirname(path);
  const manifestFile = join(dir, ARTIFACT_MANIFEST_FILE);
  const appFile = join(dir, ARTIFACT_APP_FILE);
  if (!existsSync(manifestFile) || !existsSync(appFile)) {
    throw new ConfigError(
      `Input '${field}': '${path}' is not an app artifact (it needs ${ARTIFACT_APP_FILE} and ${ARTIFACT_MANIFEST_FILE}${statSync(path).isDirectory() ? "" : ` beside ${basename(path)}`}).`,
      { field },
    );
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
  } catch {
    manifest = undefined;
  }
  if (!isManifest(manifest)) {
    throw new ConfigError(
      `Input '${field}': ${manifestFile} is not an artifact manifest (schema ${ARTIFACT_SCHEMA} with appName, sourceDigest, artifactDigest and createdAt).`,
      { field },
    );
  }
  const bytes = new Uint8Array(readFileSync(appFile));
  const actual = artifactDigestOf(bytes);
  if (actual !== manifest.artifactDigest) {
    throw new ConfigError(
      `Input '${field}': the app file's digest ${shortDigest(actual)} does not match the manifest's artifactDigest ${shortDigest(manifest.artifactDigest)}; the artifact was changed or damaged, so it is not shipped — build it again.`,
      { field },
    );
  }
  return { manifest, bytes, dir };
}

/**
 * Where artifacts are kept so a later run can ship them again (rollback): one folder per artifact
 * digest, so a version shipped to a thousand tenants is kept once.
 */
export class ArtifactStore {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }
  private folder(digest: string): string {
    return join(this.dir, "artifacts", digest.replace(/^sha256:/, ""));
  }
  has(digest: string): boolean {
    return existsSync(join(this.folder(digest), ARTIFACT_MANIFEST_FILE));
  }
  /** Keeps `artifact` (once per digest). */
  save(artifact: AppArtifact): void {
    if (this.has(artifact.manifest.artifactDigest)) return;
    writeArtifact(this.folder(artifact.manifest.artifactDigest), artifact);
  }
  /** The artifact with this digest, verified; undefined when it is not kept here. */
  load(digest: string): AppArtifact | undefined {
    if (!this.has(digest)) return undefined;
    const artifact = readArtifact(this.folder(digest), "rollback-dir");
    return artifact.manifest.artifactDigest === digest ? artifact : undefined;
  }
}
