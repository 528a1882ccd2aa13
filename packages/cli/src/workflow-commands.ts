// Turns what an action writes for the GitHub runner (`::error::…`, `::add-mask::…`, `::group::…`)
// into plain CLI output, line by line as it arrives, with every masked value redacted.

export interface TranslatorOptions {
  /** Where translated lines go (the CLI passes stderr). Receives whole lines ending in "\n". */
  write: (text: string) => void;
  /** Show `::debug::` lines. */
  verbose?: boolean;
  /** Extra redaction applied after the masks this translator collected (e.g. the secret registry). */
  redact?: (text: string) => string;
}

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

/** Undoes @actions/core's escaping of command data (`%25`, `%0D`, `%0A`). */
function unescapeData(text: string): string {
  return text.replace(/%0D/gi, "\r").replace(/%0A/gi, "\n").replace(/%25/g, "%");
}

/** Undoes the escaping of property values (data escaping plus `%3A` and `%2C`). */
function unescapeProperty(text: string): string {
  return text
    .replace(/%0D/gi, "\r")
    .replace(/%0A/gi, "\n")
    .replace(/%3A/gi, ":")
    .replace(/%2C/gi, ",")
    .replace(/%25/g, "%");
}

/** Parses one `::command key=value,…::message` line, or undefined when it is not a command. */
export function parseWorkflowCommand(line: string): WorkflowCommand | undefined {
  const m = /^::([A-Za-z][A-Za-z0-9_-]*)(?: ([^:]*))?::(.*)$/s.exec(line);
  if (!m) return undefined;
  const properties: Record<string, string> = {};
  for (const pair of (m[2] ?? "").split(",")) {
    const idx = pair.indexOf("=");
    if (idx > 0) properties[pair.slice(0, idx).trim()] = unescapeProperty(pair.slice(idx + 1));
  }
  return { command: m[1], properties, message: unescapeData(m[3]) };
}

/** "file:line:col: " for annotations that point at a file, else "". */
function location(properties: Record<string, string>): string {
  if (!properties.file) return "";
  const parts = [properties.file, properties.line, properties.line && properties.col].filter(Boolean);
  return `${parts.join(":")}: `;
}

const SILENT_COMMANDS = new Set([
  "endgroup",
  "echo",
  "set-output",
  "save-state",
  "set-env",
  "add-path",
  "add-matcher",
  "remove-matcher",
]);

export class WorkflowCommandTranslator {
  private readonly options: TranslatorOptions;
  private readonly masks = new Set<string>();
  private buffer = "";
  private stopToken: string | undefined;
  /** Every `::error::` message seen (unredacted text is never kept: these are redacted). */
  readonly errors: string[] = [];

  constructor(options: TranslatorOptions) {
    this.options = options;
  }

  /** Registers a value to hide (what `::add-mask::` does on the runner). */
  mask(value: string): void {
    const trimmed = value.trim();
    if (!trimmed) return;
    this.masks.add(trimmed);
    // The runner also masks each line of a multi-line secret.
    for (const part of trimmed.split(/\r?\n/)) if (part.trim().length >= 4) this.masks.add(part.trim());
  }

  redact(text: string): string {
    let out = text;
    for (const value of [...this.masks].sort((a, b) => b.length - a.length))
      out = out.split(value).join("***");
    return this.options.redact ? this.options.redact(out) : out;
  }

  /** Takes a chunk of what the action wrote to stdout; complete lines are translated immediately. */
  write(chunk: string | Uint8Array): void {
    this.buffer += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    let idx: number;
    while ((idx = this.buffer.indexOf("\n")) !== -1) {
      const line = this.buffer.slice(0, idx).replace(/\r$/, "");
      this.buffer = this.buffer.slice(idx + 1);
      this.line(line);
    }
  }

  /** Translates a trailing partial line, if any. */
  flush(): void {
    if (this.buffer) {
      const rest = this.buffer;
      this.buffer = "";
      this.line(rest.replace(/\r$/, ""));
    }
  }

  private print(text: string): void {
    this.options.write(`${this.redact(text)}\n`);
  }

  private line(line: string): void {
    if (this.stopToken !== undefined) {
      if (line === `::${this.stopToken}::`) this.stopToken = undefined;
      else this.print(line);
      return;
    }
    const cmd = parseWorkflowCommand(line);
    if (!cmd) {
      this.print(line);
      return;
    }
    const { command, properties, message } = cmd;
    switch (command) {
      case "add-mask":
        this.mask(message);
        return;
      case "error":
      case "warning":
      case "notice": {
        const title = properties.title ? `${properties.title}: ` : "";
        const text = `${location(properties)}${title}${message}`;
        if (command === "error") this.errors.push(this.redact(text));
        this.print(`${command}: ${text}`);
        return;
      }
      case "debug":
        if (this.options.verbose) this.print(`debug: ${message}`);
        return;
      case "group":
        this.print(`\n==> ${message}`);
        return;
      case "stop-commands":
        this.stopToken = message;
        return;
      default:
        if (SILENT_COMMANDS.has(command)) return;
        this.print(line);
    }
  }
}
