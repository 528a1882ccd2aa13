// Where a file breaks, quoted: the line a parser points at, so a person sees what to fix without opening
// the file.

/**
 * The text of line `line` (1-based) of `text`, or of the nearest non-empty line above it when the
 * parser points past the end of what broke (an unclosed bracket is found at the end of the file);
 * cut to 120 characters.
 */
export function offendingLine(text: string, line: number): string | undefined {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const raw = lines[i].trimEnd();
    if (raw.trim()) return raw.length > 120 ? `${raw.slice(0, 117)}...` : raw;
  }
  return undefined;
}
