import { sha256Hex } from "@qlik-cicd/common";
import type { AppTree } from "./app-tree.ts";

/**
 * sha256 (hex) of the tree's canonical files: path and content of each file in path order. Equal
 * content gives an equal digest, whatever order or form the files were read in.
 */
export function treeDigest(tree: AppTree): string {
  const parts: string[] = [];
  for (const [path, text] of tree.fileTexts())
    parts.push(`${path}\u0000${Buffer.byteLength(text, "utf8")}\u0000${text}`);
  return sha256Hex(parts.join("\u0000"));
}
