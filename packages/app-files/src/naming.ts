/**
 * File and folder names that are the same on every OS: NFC-normalised, no characters any common file
 * system rejects (`/ \ : * ? " < > |`, controls), no trailing dots or spaces, no reserved Windows
 * device names, bounded length. Letters and digits of any script are kept, so titles stay readable.
 */

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;

/** Maximum slug length, in code points and in UTF-8 bytes (file names are limited to 255 bytes). */
const MAX_SLUG_CHARS = 48;
const MAX_SLUG_BYTES = 96;

function truncate(text: string, maxChars: number, maxBytes: number): string {
  let out = "";
  let bytes = 0;
  let chars = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, "utf8");
    if (chars + 1 > maxChars || bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
    chars += 1;
  }
  return out;
}

/**
 * Lower-case, dash-separated, filesystem-safe slug of any text; "" when nothing readable remains.
 * Keeps letters, marks and digits of every script; everything else becomes one `-`.
 */
export function slugify(text: string, maxChars = MAX_SLUG_CHARS): string {
  const lowered = text.normalize("NFC").toLowerCase();
  const dashed = lowered
    // A combining mark that follows no letter or digit would stand alone: drop it.
    .replace(/(?<![\p{L}\p{N}\p{M}])\p{M}+/gu, "")
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
  const trimmed = truncate(dashed, maxChars, MAX_SLUG_BYTES).replace(/-+$/g, "");
  return trimmed.normalize("NFC");
}

/** A folder or file stem for an app title: never empty, never a reserved Windows name. */
export function appSlug(title: string): string {
  const slug = slugify(title);
  if (!slug) return "app";
  return WINDOWS_RESERVED.test(slug) ? `${slug}-app` : slug;
}

/**
 * A safe file-name component that keeps case (ids are case-sensitive): anything outside
 * `[A-Za-z0-9_.-]` and letters/digits becomes `_`; no leading or trailing dots or spaces.
 */
export function safeComponent(text: string, maxChars = 64): string {
  const cleaned = text
    .normalize("NFC")
    .replace(/^[.\s]+|[.\s]+$/g, "")
    .replace(/[^\p{L}\p{M}\p{N}_.-]+/gu, "_")
    .replace(/^\.+|\.+$/g, "");
  const cut = truncate(cleaned, maxChars, maxChars * 2).replace(/[.\s]+$/g, "");
  if (!cut) return "_";
  return WINDOWS_RESERVED.test(cut.split(".")[0]) ? `_${cut}` : cut;
}

/** `objects/<type>-<title-slug>-<id>.json` without directory and extension; title part optional. */
export function objectFileStem(type: string, title: string, id: string): string {
  const typePart = slugify(type, 32) || "object";
  const titlePart = slugify(title);
  const idPart = safeComponent(id);
  return titlePart ? `${typePart}-${titlePart}-${idPart}` : `${typePart}-${idPart}`;
}

/**
 * Gives each stem a unique file name, comparing case-insensitively (macOS and Windows file systems
 * fold case). `stems` must already be in a deterministic order; later duplicates get `-2`, `-3`, ….
 */
export function uniqueStems(stems: readonly string[]): string[] {
  const used = new Set<string>();
  return stems.map((stem) => {
    let candidate = stem;
    for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${stem}-${n}`;
    used.add(candidate.toLowerCase());
    return candidate;
  });
}
