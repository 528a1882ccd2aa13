import { randomBytes } from "node:crypto";
import { blake2b } from "blakejs";
import nacl from "tweetnacl";
import { ConfigError, mutationEvents } from "@qlik-cicd/common";
import { getSecretsPublicKey, putActionsSecret, type GitHubClient } from "@qlik-cicd/github";

/**
 * Encrypts `value` for GitHub Actions: libsodium's sealed box (`crypto_box_seal`) against the
 * repository's base64 public key, which GitHub opens with `crypto_box_seal_open`. A sealed box is an
 * ephemeral X25519 key pair, the nonce BLAKE2b-192(ephemeral public key ‖ recipient key), and
 * `crypto_box` (X25519, XSalsa20-Poly1305); the output is the ephemeral public key followed by the box.
 * Built on tweetnacl and blakejs rather than libsodium, whose WebAssembly build would put 470 kB into
 * every bundle for this one function.
 */
export async function sealSecret(value: string, publicKeyBase64: string): Promise<string> {
  const recipient = new Uint8Array(Buffer.from(publicKeyBase64, "base64"));
  if (recipient.length !== nacl.box.publicKeyLength) {
    throw new Error(
      `GitHub's Actions secrets public key has ${recipient.length} bytes, not ${nacl.box.publicKeyLength}; the secret was not stored.`,
    );
  }
  const ephemeral = nacl.box.keyPair.fromSecretKey(new Uint8Array(randomBytes(nacl.box.secretKeyLength)));
  const nonceInput = new Uint8Array(ephemeral.publicKey.length + recipient.length);
  nonceInput.set(ephemeral.publicKey, 0);
  nonceInput.set(recipient, ephemeral.publicKey.length);
  const nonce = blake2b(nonceInput, undefined, nacl.box.nonceLength);
  const box = nacl.box(new TextEncoder().encode(value), nonce, recipient, ephemeral.secretKey);
  ephemeral.secretKey.fill(0);
  return Buffer.concat([ephemeral.publicKey, box]).toString("base64");
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
