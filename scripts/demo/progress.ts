/** Terminal progress: numbered stages, one line per meaningful event, timings. No stack traces. */
import { secrets, type Logger } from "@qlik-cicd/common";

export interface StageRecord {
  index: number;
  title: string;
  ms: number;
  /** One line: what the stage achieved. */
  summary: string;
}

export interface ProgressOptions {
  /** Only stage lines and their results. */
  quiet?: boolean;
  /** Number of stages, for `[ 3/14]`. */
  total: number;
  /** Clock (tests). */
  now?: () => number;
}

const INDENT = "        ";

export function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

export class Progress {
  readonly stages: StageRecord[] = [];
  private readonly write: (line: string) => void;
  private readonly quiet: boolean;
  private readonly total: number;
  private readonly now: () => number;
  private current: { index: number; title: string; started: number } | undefined;

  constructor(write: (line: string) => void, options: ProgressOptions) {
    this.write = (line) => write(secrets.redact(line));
    this.quiet = options.quiet ?? false;
    this.total = options.total;
    this.now = options.now ?? (() => Date.now());
  }

  /** A line outside any stage (banner, result). */
  line(text = ""): void {
    this.write(text);
  }

  /** Starts the next numbered stage. */
  stage(title: string): void {
    const index = this.stages.length + 1;
    this.current = { index, title, started: this.now() };
    const width = String(this.total).length;
    this.write(`[${String(index).padStart(width)}/${this.total}] ${title}`);
  }

  /** The stage the run is in (for the failure sentence). */
  get currentStage(): { index: number; title: string } | undefined {
    return this.current ? { index: this.current.index, title: this.current.title } : undefined;
  }

  event(text: string): void {
    if (!this.quiet) this.write(`${INDENT}· ${text}`);
  }

  warn(text: string): void {
    if (!this.quiet) this.write(`${INDENT}! ${text}`);
  }

  /** Ends the current stage with its one-line summary and duration. */
  done(summary: string): StageRecord {
    const c = this.current;
    if (!c) throw new Error("done() without a stage");
    const ms = this.now() - c.started;
    const record = { index: c.index, title: c.title, ms, summary };
    this.stages.push(record);
    this.current = undefined;
    this.write(`${INDENT}✓ ${summary} (${formatSeconds(ms)})`);
    return record;
  }

  /**
   * A Logger for the libraries: info lines become events, warnings and errors stay visible, debug is
   * dropped. `filter` can drop or rewrite lines (return undefined to drop).
   */
  logger(filter?: (message: string, level: "info" | "warn" | "error") => string | undefined): Logger {
    const pass = (level: "info" | "warn" | "error", message: string): string | undefined =>
      filter ? filter(message, level) : message;
    return {
      debug: () => {},
      info: (m) => {
        const t = pass("info", m);
        if (t !== undefined) this.event(t);
      },
      warn: (m) => {
        const t = pass("warn", m);
        if (t !== undefined) this.warn(t);
      },
      error: (m) => {
        const t = pass("error", m);
        if (t !== undefined) this.warn(t);
      },
    };
  }
}
