/** The only logging surface libraries see; adapters map it to @actions/core, the CLI to stderr. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

export type LogLevel = keyof Logger;

export interface LogLine {
  level: LogLevel;
  message: string;
}

/** Keeps every line in memory; tests assert on it (for example that no secret was logged). */
export class MemoryLogger implements Logger {
  readonly lines: LogLine[] = [];
  debug(message: string): void {
    this.lines.push({ level: "debug", message });
  }
  info(message: string): void {
    this.lines.push({ level: "info", message });
  }
  warn(message: string): void {
    this.lines.push({ level: "warn", message });
  }
  error(message: string): void {
    this.lines.push({ level: "error", message });
  }
  text(): string {
    return this.lines.map((l) => `${l.level}: ${l.message}`).join("\n");
  }
}
