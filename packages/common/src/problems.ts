// Pieces of user-facing sentences about files: where a YAML file breaks (with the line itself), and
// the other problems found after the first one (listed, not just counted).

/** What a YAML parser reports (the `yaml` package's YAMLError): a message and where it is. */
export interface YamlErrorLike {
  message: string;
  linePos?: readonly { line: number; col: number }[];
}

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

/**
 * "<reason> at line 3, column 9: `  user: [admin`" — the parser's first line, and the offending line of
 * `text` quoted (cut to 120 characters), so a person sees what to fix without opening the file.
 */
export function yamlProblem(text: string, error: YamlErrorLike): string {
  const reason = error.message
    .split("\n")[0]
    .replace(/ at line \d+, column \d+:?\s*$/, "")
    .replace(/[.:]\s*$/, "");
  const pos = error.linePos?.[0];
  if (!pos) return reason;
  const line = offendingLine(text, pos.line);
  return `${reason} at line ${pos.line}, column ${pos.col}${line ? `: \`${line}\`` : ""}`;
}

/**
 * " (2 more problems: a; b)" listing the problems after the first (at most `limit`, then "and N
 * more"); "" when there are none.
 */
export function moreProblems(rest: readonly string[], limit = 5): string {
  const unique = [...new Set(rest)];
  if (unique.length === 0) return "";
  const shown = unique.slice(0, limit);
  const left = unique.length - shown.length;
  const word = unique.length === 1 ? "problem" : "problems";
  return ` (${unique.length} more ${word}: ${shown.join("; ")}${left > 0 ? `; and ${left} more` : ""})`;
}
