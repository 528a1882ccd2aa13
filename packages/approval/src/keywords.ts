export type Vote = "approve" | "deny";

const WORD_CHAR = /[\p{L}\p{N}_]/u;

function startsWithWord(text: string, keyword: string): boolean {
  if (!text.startsWith(keyword)) return false;
  const next = text.charAt(keyword.length);
  return next === "" || !WORD_CHAR.test(next);
}

/**
 * The vote a comment casts: a keyword as a whole word at the very start (case-insensitive). The
 * longest matching keyword wins; a tie counts as deny.
 */
export function classifyComment(
  body: string,
  approveKeywords: string[],
  denyKeywords: string[],
): Vote | undefined {
  const text = body.trimStart().toLowerCase();
  const longest = (list: string[]) =>
    list.filter((k) => startsWithWord(text, k)).reduce((max, k) => Math.max(max, k.length), 0);
  const approve = longest(approveKeywords);
  const deny = longest(denyKeywords);
  if (deny === 0 && approve === 0) return undefined;
  return deny >= approve ? "deny" : "approve";
}
