import { stat } from "node:fs/promises";
import path from "node:path";
import { ConfigError, redactCredentials } from "@qlik-cicd/common";
import { findLintConfig, loadLintConfig, resolveLintConfig } from "./config.ts";
import { loadLintContext } from "./context.ts";
import { RULES } from "./rules/index.ts";
import type { Finding, LintConfig, LintOptions, LintResult } from "./types.ts";

const SEVERITY_ORDER = { error: 0, warning: 1, notice: 2 } as const;

/** Deterministic order: file, line, rule, then column, message. */
export function compareFindings(a: Finding, b: Finding): number {
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return (
    cmp(a.file, b.file) ||
    a.line - b.line ||
    cmp(a.rule, b.rule) ||
    (a.column ?? 0) - (b.column ?? 0) ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    cmp(a.message, b.message)
  );
}

/** Counts and sorts findings into a result. */
export function toLintResult(findings: Finding[]): LintResult {
  const sorted = [...findings].sort(compareFindings);
  return {
    findings: sorted,
    errors: sorted.filter((f) => f.severity === "error").length,
    warnings: sorted.filter((f) => f.severity === "warning").length,
  };
}

/**
 * Lints an unbuilt app directory (qlik-cli `app unbuild` layout) without a tenant.
 * Without `config`, `.qlik-lint.yml` is looked up in the app directory and its parents up to the
 * repository root. Bad config throws a `ConfigError` naming the key; bad app files become findings.
 */
export async function lintAppTree(
  dir: string,
  config?: LintConfig,
  options?: LintOptions,
): Promise<LintResult> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new ConfigError(`App directory ${dir} does not exist or is not a directory.`, {
      field: dir,
      hint: "Point the linter at a folder written by app unbuild.",
    });
  }
  let effective = config;
  if (effective === undefined) {
    const found = await findLintConfig(dir);
    effective = found ? await loadLintConfig(found) : {};
  }
  const resolved = resolveLintConfig(effective);
  const ctx = await loadLintContext(dir, resolved);
  const base = options?.pathBase;
  const rebase = (file: string): string =>
    base === undefined ? file : path.relative(base, path.join(dir, file)).split(path.sep).join("/");

  const findings: Finding[] = [];
  for (const rule of RULES) {
    const severity = resolved.severity(rule.id);
    if (severity === "off") continue;
    for (const f of rule.check(ctx)) {
      const finding: Finding = {
        rule: rule.id,
        severity,
        file: rebase(f.file),
        line: f.line,
        // Messages quote script text and connection strings: credentials in them never leave the linter.
        message: redactCredentials(f.message),
      };
      if (f.column !== undefined) finding.column = f.column;
      if (f.endLine !== undefined) finding.endLine = f.endLine;
      findings.push(finding);
    }
  }
  return toLintResult(findings);
}
