/**
 * Lint precision on real apps: every finding the default rules report on the corpus has a verdict in
 * lint-verdicts.yml (true-positive or false-positive, with the reason), every verdict still matches a
 * finding, and each rule's precision from the verdicts is at least 95 %. With the default settings no
 * real app fails validate-app unless the errors it reports are real.
 */
import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, test } from "@jest/globals";
import { LINT_RULES as RULES, type Finding } from "@qlik-cicd/app-files";
import { validateApps } from "@qlik-cicd/git";
import YAML from "yaml";
import { CORPUS, VERDICTS_FILE, lintCorpus } from "./corpus.ts";
import { testReport } from "../helpers/report.ts";

interface Verdict {
  rule: string;
  file: string;
  line: number;
  column?: number;
  verdict: "true-positive" | "false-positive";
  reason: string;
}

const keyOf = (x: { rule: string; file: string; line: number; column?: number }): string =>
  `${x.rule} ${x.file}:${x.line}:${x.column ?? ""}`;

/** What to add to the verdict file for findings without one (the verdict is for a person to decide). */
function pasteable(findings: Finding[]): string {
  return findings
    .map((f) =>
      [
        `  - rule: ${f.rule}`,
        `    file: ${f.file}`,
        `    line: ${f.line}`,
        ...(f.column === undefined ? [] : [`    column: ${f.column}`]),
        `    verdict: # true-positive or false-positive`,
        `    reason: # why (finding: ${f.message})`,
      ].join("\n"),
    )
    .join("\n");
}

let findings: Finding[];
let verdicts: Verdict[];

beforeAll(async () => {
  findings = await lintCorpus();
  const parsed = YAML.parse(await readFile(VERDICTS_FILE, "utf8")) as { findings?: Verdict[] };
  verdicts = parsed.findings ?? [];
});

describe("lint precision on the real-app corpus", () => {
  test("every verdict is well formed and names a rule", () => {
    const ruleIds = new Set(RULES.map((r) => r.id));
    for (const v of verdicts) {
      expect({ entry: keyOf(v), rule: ruleIds.has(v.rule) }).toEqual({ entry: keyOf(v), rule: true });
      expect(["true-positive", "false-positive"]).toContain(v.verdict);
      expect(typeof v.reason === "string" && v.reason.trim().length > 10).toBe(true);
    }
    const keys = verdicts.map(keyOf);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  test("every finding has a verdict and every verdict still matches a finding", () => {
    const byKey = new Set(verdicts.map(keyOf));
    const found = new Set(findings.map(keyOf));
    const missing = findings.filter((f) => !byKey.has(keyOf(f)));
    if (missing.length) {
      process.stderr.write(`Findings without a verdict (add to ${VERDICTS_FILE}):\n${pasteable(missing)}\n`);
    }
    expect(missing.map(keyOf)).toEqual([]);
    expect(verdicts.filter((v) => !found.has(keyOf(v))).map(keyOf)).toEqual([]);
  });

  test("each rule's precision is at least 95 %", () => {
    const rows = RULES.map((rule) => {
      const own = verdicts.filter((v) => v.rule === rule.id);
      const tp = own.filter((v) => v.verdict === "true-positive").length;
      const fp = own.length - tp;
      return { rule: rule.id, findings: own.length, tp, fp, precision: own.length ? tp / own.length : 1 };
    });
    const table = [
      "| Rule | Findings | True positives | False positives | Precision |",
      "| ---- | -------: | -------------: | --------------: | --------: |",
      ...rows.map(
        (r) =>
          `| ${r.rule} | ${r.findings} | ${r.tp} | ${r.fp} | ${r.findings ? `${(r.precision * 100).toFixed(1)} %` : "–"} |`,
      ),
    ].join("\n");
    testReport(`\nLint precision on the real-app corpus (${findings.length} findings):\n${table}\n`);
    expect(rows.filter((r) => r.precision < 0.95).map((r) => r.rule)).toEqual([]);
  });

  test("with default settings an app fails validate-app only on errors judged real", async () => {
    const result = await validateApps({ workspace: CORPUS, path: "apps" });
    const verdictOf = new Map(verdicts.map((v) => [keyOf(v), v.verdict]));
    const failing = result.apps
      .filter((a) => a.lint.errors > 0)
      .map((a) => ({
        app: a.path,
        unjustified: a.lint.findings
          .filter((f) => f.severity === "error" && verdictOf.get(keyOf(f)) !== "true-positive")
          .map(keyOf),
      }));
    expect(result.apps.length).toBe(10);
    expect(failing.filter((f) => f.unjustified.length > 0)).toEqual([]);
  });
});
