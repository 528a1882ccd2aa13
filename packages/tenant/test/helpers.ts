// Shared helpers for the tenant package tests: a GitHub secrets API faked with nock (keys from a keypair the
// test holds, so sealed values can be opened), and unbuilt app files taken from the simulator's demo app.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import sodium from "libsodium-wrappers";
import { unbuildApp, writeAppTree } from "@qlik-cicd/app-files";
import type { QlikClient } from "@qlik-cicd/qlik-client";

export interface FakeGitHubSecrets {
  /** name → base64 sealed value, as PUT by the code under test. */
  stored: Map<string, { encrypted: string; keyId: string; path: string }>;
  open(name: string): string;
}

/** Intercepts the public-key GET and secret PUTs of `owner/repo` (repository and environment scope). */
export async function fakeGitHubSecrets(apiUrl: string, repository: string): Promise<FakeGitHubSecrets> {
  await sodium.ready;
  const pair = sodium.crypto_box_keypair();
  const publicKey = sodium.to_base64(pair.publicKey, sodium.base64_variants.ORIGINAL);
  const stored = new Map<string, { encrypted: string; keyId: string; path: string }>();
  const scope = nock(apiUrl).persist();
  const keyPath = new RegExp(`^/repos/${repository}/(actions|environments/[^/]+)/secrets/public-key$`);
  scope.get(keyPath).reply(200, { key: publicKey, key_id: "key-1" });
  scope
    .put(new RegExp(`^/repos/${repository}/(actions|environments/[^/]+)/secrets/[A-Za-z0-9_]+$`))
    .reply(async (request: Request) => {
      // nock 15 hands the reply function the request itself.
      const path = new URL(request.url).pathname;
      const b = (await request.json()) as { encrypted_value: string; key_id: string };
      const name = path.split("/").pop() as string;
      stored.set(name, { encrypted: b.encrypted_value, keyId: b.key_id, path });
      return [201, {}];
    });
  return {
    stored,
    open(name) {
      const entry = stored.get(name);
      if (!entry) throw new Error(`No secret ${name} was stored.`);
      const opened = sodium.crypto_box_seal_open(
        sodium.from_base64(entry.encrypted, sodium.base64_variants.ORIGINAL),
        pair.publicKey,
        pair.privateKey,
      );
      return sodium.to_string(opened);
    },
  };
}

/** Unbuilds the tenant's first app into a fresh folder (the files a monitoring or content entry points at). */
export async function unbuiltAppFolder(client: QlikClient, appId: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "tenant-app-"));
  const tree = await client.withApp(appId, (doc) => unbuildApp(doc));
  await writeAppTree(dir, tree);
  return dir;
}
