import sodium from "libsodium-wrappers";
import { ConfigError, mutationEvents } from "@qlik-cicd/common";
import { getSecretsPublicKey, putActionsSecret, type GitHubClient } from "@qlik-cicd/github";

/** Encrypts `value` for GitHub Actions: a libsodium sealed box against the repository's base64 public key. */
export async function sealSecret(value: string, publicKeyBase64: string): Promise<string> {
  await sodium.ready;
  const key = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL);
  const sealed = sodium.crypto_box_seal(sodium.from_string(value), key);
  return sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL);
}

export interface GitHubSecretTarget {
  /** `owner/repo`. */
  repository: string;
  /** Environment secret instead of a repository secret. */
  environment?: string;
  name: string;
}

function splitRepository(repository: string): { owner: string; repo: string } {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(repository);
  if (!m) {
    throw new ConfigError(`GitHub repository '${repository}' must be written owner/repo.`, {
      field: "repository",
    });
  }
  return { owner: m[1], repo: m[2] };
}

/**
 * Stores `value` as a GitHub Actions secret of the repository (or one of its environments) through the REST
 * API: GET the public key, seal the value, PUT `{encrypted_value, key_id}`. The value itself never leaves
 * this function unencrypted. The write is recorded as a MutationEvent (tenant `github:owner/repo`).
 */
export async function storeGitHubSecret(
  github: GitHubClient,
  target: GitHubSecretTarget,
  value: string,
): Promise<void> {
  const { owner, repo } = splitRepository(target.repository);
  const base = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
  const path = target.environment
    ? `${base}/environments/${encodeURIComponent(target.environment)}/secrets/${encodeURIComponent(target.name)}`
    : `${base}/actions/secrets/${encodeURIComponent(target.name)}`;
  const key = await getSecretsPublicKey(github, { owner, repo, environment: target.environment });
  const encrypted = await sealSecret(value, key.key);
  const event = {
    tenant: `github:${target.repository}`,
    method: "PUT",
    resource: path,
    operation: "store Actions secret",
  };
  try {
    const status = await putActionsSecret(github, {
      owner,
      repo,
      environment: target.environment,
      name: target.name,
      encryptedValue: encrypted,
      keyId: key.keyId,
    });
    mutationEvents.emit({ time: new Date().toISOString(), ...event, result: "ok", status });
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    mutationEvents.emit({
      time: new Date().toISOString(),
      ...event,
      result: "error",
      ...(typeof status === "number" ? { status } : {}),
    });
    throw error;
  }
}
