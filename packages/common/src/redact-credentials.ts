/**
 * Credentials written into text — load scripts, connection strings, URLs, reload logs — replaced by
 * `***` wherever such text is quoted back to people: lint messages, semantic diffs, reload errors, logs,
 * summaries and outputs. Only the value goes; the key stays, so the message still says what was there
 * (`password=***`, `XPassword is ***`, `https://user:***@host`). References to variables or secrets
 * (`$(vPassword)`, `${DB_PASS}`) are not credentials and stay as they are.
 */

export const REDACTED = "***";

/** A key whose value is a credential: any key ending in one of these words (`DbPassword`, `x-api-key`). */
const SECRET_WORD =
  "x?password|passwd|x?pwd|xuserid|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|account[_-]?key|shared[_-]?access[_-]?key|private[_-]?key";
const KEY = `\\b[\\w.-]*?(?:${SECRET_WORD})\\b`;

/** A value after `=`: `{…}` (ODBC), quoted, backslash-quoted (inside JSON text), or up to a delimiter. */
const VALUE = String.raw`\{[^}]*\}|"[^"]*"|'[^']*'|\\"(?:[^"\\]|\\[^"])*\\"|[^\s;,'"\\)\]}&|<>]+`;

interface Rule {
  re: RegExp;
  /** The capture groups kept around the value: the replacement is `$1***$3`. */
  replace: (match: string, before: string, value: string, after?: string) => string;
}

const isReference = (value: string) => /^["'{]?\s*\$[({]/.test(value) || value.includes(REDACTED);

const keepUnlessReference = (match: string, before: string, value: string, after = "") =>
  isReference(value) ? match : `${before}${REDACTED}${after}`;

const RULES: Rule[] = [
  // password=…, Pwd = '…', XUserId={…}, token=… (connection strings, query strings, key=value lines)
  { re: new RegExp(`(${KEY}["']?\\s*=\\s*)(${VALUE})`, "gi"), replace: keepUnlessReference },
  // "password": "…" (JSON)
  {
    re: new RegExp(`("${KEY}"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*")`, "gi"),
    replace: (m, before, value) => (isReference(value) ? m : `${before}"${REDACTED}"`),
  },
  // XUserId is …, XPassword is … (Qlik's ODBC / OLE DB CONNECT syntax)
  {
    re: /(\b(?:x?password|x?pwd|xuserid)\s+is\s+)("[^"]*"|'[^']*'|[^\s,;)]+)(?=\s*[,;)])/gi,
    replace: keepUnlessReference,
  },
  // scheme://user:password@host
  {
    re: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@'"[\]]+:)([^\s/@'"[\]]+)(@)/gi,
    replace: keepUnlessReference,
  },
  // Authorization: Bearer …
  { re: /(\bbearer\s+)([A-Za-z0-9\-._~+/]{16,}=*)/gi, replace: keepUnlessReference },
  // AWS access key ids
  { re: /()\b((?:AKIA|ASIA)[A-Z0-9]{16})\b/g, replace: keepUnlessReference },
];

/** `text` with the value of every credential it contains replaced by `***`. */
export function redactCredentials(text: string): string {
  if (!text) return text;
  let out = text;
  for (const rule of RULES) {
    rule.re.lastIndex = 0;
    out = out.replace(rule.re, (match: string, before: string, value: string, after: unknown) =>
      rule.replace(match, before, value, typeof after === "string" ? after : undefined),
    );
  }
  return out;
}
