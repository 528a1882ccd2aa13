/** How serious a finding is; GitHub shows each level with its own annotation style. */
export type Severity = "error" | "warning" | "notice";

/** A configured rule level: a severity, or "off" to disable the rule. */
export type RuleSetting = Severity | "off";

/** One problem found in an unbuilt app. Positions are 1-based. */
export interface Finding {
  rule: string;
  severity: Severity;
  /** Path of the file, POSIX separators, relative to the lint base (the app dir unless `pathBase` is given). */
  file: string;
  line: number;
  column?: number;
  endLine?: number;
  message: string;
}

export interface LintResult {
  findings: Finding[];
  errors: number;
  warnings: number;
}

/** What teams can tune, in code or in `.qlik-lint.yml`. */
export interface LintConfig {
  /** Rule id → severity or "off". Rules not listed use their default severity. */
  rules?: Record<string, RuleSetting>;
  /**
   * Connections a `STORE … INTO lib://<name>/…` may write to. Default: every connection declared in
   * connections.yml plus the built-in connections.
   */
  allowedStoreConnections?: string[];
  /** Connections that exist without being declared in connections.yml. Default: `["DataFiles"]`. */
  builtinConnections?: string[];
  /** Variables that exist at run time without being in variables.json or the script (e.g. set by a reload call). */
  knownVariables?: string[];
}

export interface LintOptions {
  /**
   * Directory the `file` of each finding is relative to (e.g. the repository root, so annotations land on
   * the right file). Default: the app directory itself.
   */
  pathBase?: string;
}

/** A 1-based position in a text file. */
export interface Position {
  line: number;
  column: number;
}

/** A finding as a rule reports it; the engine adds the rule id and the configured severity. */
export interface RuleFinding {
  /** Path relative to the app directory, POSIX separators. */
  file: string;
  line: number;
  column?: number;
  endLine?: number;
  message: string;
}
