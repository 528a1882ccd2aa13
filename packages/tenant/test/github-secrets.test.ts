// sealSecret against libsodium itself: GitHub opens Actions secrets with libsodium's
// crypto_box_seal_open, so every sealed value must open there, and only with the right key.
import { describe, expect, it } from "@jest/globals";
import sodium from "libsodium-wrappers";
import { sealSecret } from "../src/blueprint/github-secrets.ts";

async function keyPair() {
  await sodium.ready;
  const pair = sodium.crypto_box_keypair();
  return { ...pair, base64: Buffer.from(pair.publicKey).toString("base64") };
}

function open(sealed: string, pair: { publicKey: Uint8Array; privateKey: Uint8Array }): string {
  const bytes = new Uint8Array(Buffer.from(sealed, "base64"));
  return sodium.to_string(sodium.crypto_box_seal_open(bytes, pair.publicKey, pair.privateKey));
}

describe("sealSecret", () => {
  it.each([
    ["a short value", "s3cr3t"],
    ["an empty value", ""],
    ["text beyond ASCII", "Zürich · 東京 · 🔑"],
    ["a long value", "x".repeat(70_000)],
  ])("seals %s so that libsodium's crypto_box_seal_open returns it", async (_label, value) => {
    const pair = await keyPair();
    expect(open(await sealSecret(value, pair.base64), pair)).toBe(value);
  });

  it("is a fresh box every time (ephemeral key): same value, different ciphertexts", async () => {
    const pair = await keyPair();
    const first = await sealSecret("same", pair.base64);
    const second = await sealSecret("same", pair.base64);
    expect(first).not.toBe(second);
    // crypto_box_SEALBYTES = 48 (32-byte ephemeral public key + 16-byte Poly1305 tag).
    expect(Buffer.from(first, "base64").length).toBe("same".length + sodium.crypto_box_SEALBYTES);
  });

  it("cannot be opened with another key pair", async () => {
    const pair = await keyPair();
    const other = await keyPair();
    const sealed = await sealSecret("value", pair.base64);
    expect(() => open(sealed, other)).toThrow();
  });

  it("refuses a public key that is not 32 bytes, naming what was wrong", async () => {
    await expect(sealSecret("v", Buffer.alloc(16).toString("base64"))).rejects.toThrow(
      "GitHub's Actions secrets public key has 16 bytes, not 32; the secret was not stored.",
    );
  });
});
