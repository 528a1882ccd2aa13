/** Patterns for secrets written into text. Messages never repeat the secret itself. */

export interface SecretMatch {
  index: number;
  kind: string;
}

interface SecretPattern {
  kind: string;
  re: RegExp;
  /** Group holding the secret value; matches whose value is a `$(variable)` are not hard-coded. */
  valueGroup?: number;
}

const PATTERNS: SecretPattern[] = [
  {
    kind: "password (password=…)",
    re: /\b(?:x?password|x?pwd|passwd)\s*=\s*['"]?([^\s;'"\])]+)/gi,
    valueGroup: 1,
  },
  {
    kind: "password (Password is …)",
    re: /\b(?:x?password|x?pwd)\s+is\s+([^\s,;)]+)\s*[,)]/gi,
    valueGroup: 1,
  },
  { kind: "bearer token", re: /\bbearer\s+([A-Za-z0-9\-._~+/]{16,}=*)/gi, valueGroup: 1 },
  { kind: "AWS access key id", re: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g },
  { kind: "AWS secret access key", re: /\baws_?secret_?access_?key\b\s*[=:]\s*['"]?[A-Za-z0-9/+]{40}/gi },
  {
    kind: "credentials in a URL (user:password@host)",
    re: /\b[a-z][a-z0-9+.-]*:\/\/([^\s/:@'"[\]]+:[^\s/@'"[\]]+)@/gi,
    valueGroup: 1,
  },
  {
    kind: "API key or token",
    re: /\b(?:api[_-]?key|access[_-]?token|client[_-]?secret|secret[_-]?key)\b\s*[=:]\s*['"]?([A-Za-z0-9\-._~+/]{12,})/gi,
    valueGroup: 1,
  },
];

/** Hard-coded secrets in a text, by offset (one per offset, in order). */
export function findSecrets(text: string): SecretMatch[] {
  const byOffset = new Map<number, SecretMatch>();
  for (const p of PATTERNS) {
    p.re.lastIndex = 0;
    for (let m = p.re.exec(text); m; m = p.re.exec(text)) {
      const value = p.valueGroup === undefined ? m[0] : (m[p.valueGroup] ?? "");
      if (value.includes("$(")) continue;
      if (!byOffset.has(m.index)) byOffset.set(m.index, { index: m.index, kind: p.kind });
    }
  }
  return [...byOffset.values()].sort((a, b) => a.index - b.index);
}
