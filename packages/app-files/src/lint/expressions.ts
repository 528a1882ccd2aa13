/** Dollar-sign expansions in Qlik expressions: `$(vName)`, `$(#vName)`, `$(vFn(1,2))`, `$(=expr)`. */

export interface DollarRef {
  /** Variable name referenced. */
  name: string;
  /** Index of the `$(` in the expression string. */
  index: number;
}

function matchingClose(expr: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === "[") quote = "]";
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i;
  }
  return -1;
}

/** Variables referenced through dollar-sign expansion, in order of appearance (nested ones included). */
export function dollarVariableRefs(expr: string, base = 0): DollarRef[] {
  const out: DollarRef[] = [];
  let from = 0;
  for (;;) {
    const at = expr.indexOf("$(", from);
    if (at === -1) return out;
    const close = matchingClose(expr, at + 1);
    if (close === -1) return out;
    const content = expr.slice(at + 2, close);
    if (content.startsWith("=")) {
      out.push(...dollarVariableRefs(content.slice(1), base + at + 3));
    } else {
      const body = content.startsWith("#") ? content.slice(1) : content;
      const paren = body.indexOf("(");
      const name = (paren === -1 ? body : body.slice(0, paren)).trim();
      if (name.includes("$(")) {
        // $($(vWhich)) — the outer name is computed; only the inner references are checkable.
        out.push(...dollarVariableRefs(body, base + at + 2 + (content.length - body.length)));
      } else {
        if (name) out.push({ name, index: base + at });
        if (paren !== -1) {
          out.push(
            ...dollarVariableRefs(body.slice(paren), base + at + 2 + (content.length - body.length) + paren),
          );
        }
      }
    }
    from = close + 1;
  }
}
