// Job summaries (GitHub-flavoured markdown) as plain text for a terminal: headings as lines, tables as
// aligned columns, links as "text (url)", no HTML. The CLI shows plans, diffs and reports this way.

/** Columns a character takes in a terminal: wide (2) for emoji and East Asian wide forms, 0 for joiners. */
function charWidth(codePoint: number): number {
  if (codePoint === 0x200d || (codePoint >= 0xfe00 && codePoint <= 0xfe0f)) return 0;
  if (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1faff) ||
    [0x2705, 0x274c, 0x2795, 0x2796, 0x26a0, 0x2139, 0x270f].includes(codePoint)
  ) {
    return 2;
  }
  return 1;
}

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch.codePointAt(0) ?? 0);
  return width;
}

function padEnd(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

const ENTITIES: Record<string, string> = {
  "&lt;": "<",
  "&gt;": ">",
  "&amp;": "&",
  "&quot;": '"',
  "&#39;": "'",
};

/** Inline markdown and HTML reduced to text. */
export function inlineText(text: string): string {
  return text
    .replace(/<br\s*\/?>/gi, "; ")
    .replace(/<\/?(?:details|summary|sub|sup|b|i|em|strong|code|span|p|div)\b[^>]*>/gi, "")
    .replace(/<h([1-6])>(.*?)<\/h\1>/gi, "$2")
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, label: string, url: string) =>
      label === url ? url : `${label} (${url})`,
    )
    .replace(/\*\*(.+?)\*\*/g, "$1")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/\\([|\\`*_[\]<>#])/g, "$1")
    .replace(/&(?:lt|gt|amp|quot|#39);/g, (e) => ENTITIES[e]);
}

function splitRow(line: string): string[] {
  const body = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  const cells: string[] = [];
  let current = "";
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "\\" && body[i + 1] === "|") {
      current += "\\|";
      i++;
    } else if (body[i] === "|") {
      cells.push(current);
      current = "";
    } else {
      current += body[i];
    }
  }
  cells.push(current);
  return cells.map((c) => inlineText(c.trim()));
}

const isTableLine = (line: string) => /^\s*\|.*\|\s*$/.test(line);
const isSeparator = (line: string) => /^\s*\|(\s*:?-{3,}:?\s*\|)+\s*$/.test(line);

function renderTable(lines: string[]): string[] {
  const rows = lines.filter((l) => !isSeparator(l)).map(splitRow);
  // A key/value table with an empty header ("| | |") reads better without it.
  if (rows.length > 1 && rows[0].every((c) => c === "")) rows.shift();
  const columns = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(...rows.map((r) => displayWidth(r[c] ?? ""))),
  );
  return rows.map((r) =>
    `  ${r.map((cell, c) => (c === r.length - 1 ? cell : padEnd(cell, widths[c]))).join("  ")}`.trimEnd(),
  );
}

/** Markdown as a terminal shows it best. */
export function markdownToText(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.replace(/\r\n/g, "\n").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*```/.test(line)) {
      for (i++; i < lines.length && !/^\s*```/.test(lines[i]); i++) out.push(`    ${lines[i]}`);
      continue;
    }
    if (isTableLine(line)) {
      const block: string[] = [];
      for (; i < lines.length && isTableLine(lines[i]); i++) block.push(lines[i]);
      i--;
      out.push(...renderTable(block));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line) ?? /^\s*<h([1-6])>(.*)<\/h\1>\s*$/i.exec(line);
    if (heading) {
      if (out.length && out[out.length - 1] !== "") out.push("");
      const level = heading[1].startsWith("#") ? heading[1].length : Number(heading[1]);
      const title = inlineText(heading[2]).trim();
      out.push(title, (level <= 2 ? "=" : "-").repeat(Math.min(displayWidth(title), 100)));
      continue;
    }
    const text = inlineText(line)
      .replace(/^(\s*)_(.+)_\s*$/, "$1$2")
      .trimEnd();
    if (text === "" && (out.length === 0 || out[out.length - 1] === "")) continue;
    out.push(text);
  }
  while (out.length && out[out.length - 1] === "") out.pop();
  return out.length ? `${out.join("\n")}\n` : "";
}
