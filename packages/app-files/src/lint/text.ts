import type { Position } from "./types.ts";

/** Maps character offsets in a text to 1-based line/column positions. */
export class LineIndex {
  readonly #starts: number[];
  constructor(text: string) {
    const starts = [0];
    if (/\r(?!\n)/.test(text)) {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10) starts.push(i + 1);
        else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
      }
    } else {
      for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    }
    this.#starts = starts;
  }

  /** Number of lines in the text (an empty text has one line). */
  get lineCount(): number {
    return this.#starts.length;
  }

  /** 1-based line of an offset, without allocating. */
  lineOf(offset: number): number {
    const starts = this.#starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  position(offset: number): Position {
    const line = this.lineOf(offset);
    return { line, column: offset - this.#starts[line - 1] + 1 };
  }

  /** Offset of the first character of a 1-based line. */
  lineStart(line: number): number {
    return this.#starts[Math.min(Math.max(line, 1), this.#starts.length) - 1];
  }
}
