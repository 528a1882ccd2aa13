import { sha256Hex } from "@qlik-cicd/common";
import type { AppTree } from "./app-tree.ts";

/**
 * sha256 (hex) of the tree's canonical files: path and content of each file in path order. Equal
 * content gives an equal digest, whatever order or form the files were read in.
 */
export function treeDigest(tree: AppTree): string {
  // Trees are read-only, so a tree's digest is computed once (a rollout asks for it once per tenant).
  let digest = digests.get(tree);
  if (digest === undefined) {
    const parts: string[] = [];
    for (const [path, text] of tree.fileTexts())
      parts.push(`${path}\u0000${Buffer.byteLength(text, "utf8")}\u0000${text}`);
    digest = sha256Hex(parts.join("\u0000"));
    digests.set(tree, digest);
  }
  return digest;
}

const digests = new WeakMap<AppTree, string>();
