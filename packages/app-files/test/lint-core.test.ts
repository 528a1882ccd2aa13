import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ConfigError } from "@qlik-cicd/common";
import {
  compareFindings,
  findLintConfig,
  JsonSyntaxError,
  LINT_RULES,
  lintAppTree,
  loadLintConfig,
  LocatedJson,
  renderLintMarkdown,
  toLintResult,
  validateLintConfig,
} from "../src/lint/index.ts";
import type { Finding } from "../src/lint/index.ts";
import { parseJsonNodes, toPlain } from "../src/lint/json-locate.ts";
import { FIXTURES, lintFixture, rows } from "./fixtures/lint/helpers.ts";

describe("position-aware JSON locator", () => {
  const text = '{\r\n  "a": [1, {"b": "x\\"y"}],\n  "qInfo": { "qId": "id-1" },\n  "c": {}\n}\n';

  it("gives the line and column of values, keys and nested array members", () => {
    const doc = new LocatedJson(text);
    expect(doc.value).toEqual(JSON.parse(text));
    expect(doc.locate(["qInfo", "qId"])).toEqual({ line: 3, column: 21 });
    expect(doc.locate(["qInfo", "qId"], { key: true })).toEqual({ line: 3, column: 14 });
    expect(doc.locate(["a", 1, "b"])).toEqual({ line: 2, column: 18 });
    expect(doc.locate([])).toEqual({ line: 1, column: 1 });
  });

  it("falls back to the nearest existing ancestor for a missing path", () => {
    const doc = new LocatedJson(text);
    expect(doc.locate(["c", "missing", 3])).toEqual({ line: 4, column: 8 });
  });

  it("reports the offset of syntax errors", () => {
    const bad = '{\n  "a": 1\n  "b": 2\n}';
    let error: unknown;
    try {
      new LocatedJson(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JsonSyntaxError);
    expect((error as JsonSyntaxError).offset).toBe(bad.indexOf('"b"'));
    expect(() => new LocatedJson('{"a": "unterminated}')).toThrow("Unterminated string");
    expect(() => new LocatedJson("[1] x")).toThrow("after the end");
    expect(() => new LocatedJson('"\\q"')).toThrow("Invalid escape");
  });

  it("builds the same values as JSON.parse for every valid fixture file", async () => {
    const files = (await readdir(FIXTURES, { recursive: true })).filter((f) => f.endsWith(".json")).sort();
    let checked = 0;
    for (const rel of files) {
      const text = await readFile(path.join(FIXTURES, rel), "utf8");
      let expected: unknown;
      try {
        expected = JSON.parse(text);
      } catch {
        expect(() => parseJsonNodes(text)).toThrow(JsonSyntaxError);
        continue;
      }
      expect(toPlain(parseJsonNodes(text))).toEqual(expected);
      checked++;
    }
    expect(checked).toBeGreaterThan(15);
  });

  it("accepts a BOM and parses like JSON.parse", () => {
    const doc = new LocatedJson('\ufeff{"n": -1.5e3, "t": true, "z": null, "u": "\\u00e9"}');
    expect(doc.value).toEqual({ n: -1500, t: true, z: null, u: "é" });
  });
});

describe("file rules", () => {
  it("refuses a directory that does not exist, naming it", async () => {
    const missing = path.join(FIXTURES, "no-such-app");
    await expect(lintAppTree(missing, {})).rejects.toThrow(`App directory ${missing} does not exist`);
    await expect(lintAppTree(missing, {})).rejects.toBeInstanceOf(ConfigError);
  });

  it("reports a missing script.qvs as an error", async () => {
    const r = await lintFixture("file-missing/basic");
    expect(r.findings).toEqual([
      {
        rule: "file-missing",
        severity: "error",
        file: "script.qvs",
        line: 1,
        message: "script.qvs is missing: every app needs its load script.",
      },
    ]);
    expect(r.errors).toBe(1);
  });

  it("reports unparseable JSON and YAML at the parser's line and column, and wrong top-level shapes", async () => {
    const r = await lintFixture("file-parse/basic");
    expect(rows(r, "file-parse")).toEqual([
      ["config.yml", 2, 1, "error"],
      ["connections.yml", 7, 1, "error"],
      ["dimensions.json", 1, 1, "error"],
      ["measures.json", 5, 5, "error"],
      ["objects/sheet-bad-sh1.json", 3, 18, "error"],
    ]);
    const measures = r.findings.find((f) => f.file === "measures.json");
    expect(measures?.message).toBe(
      "measures.json is not valid: Expected ',' or '}' in object but found '\"' (line 5, column 5).",
    );
    expect(r.findings.find((f) => f.file === "dimensions.json")?.message).toContain("expected a JSON array");
    // The other object file still parses and is linted.
    expect(r.findings.some((f) => f.file === "objects/sheet-good-sh2.json")).toBe(false);
  });
});

describe("configuration", () => {
  it("overrides a rule's severity and turns rules off", async () => {
    const base = await lintFixture("script-sections/basic");
    expect(base.errors).toBe(2);
    const r = await lintFixture("script-sections/basic", {
      rules: { "script-section-name": "notice", "script-section-duplicate": "off" },
    });
    expect(rows(r, "script-section-name").map((x) => x[3])).toEqual(["notice", "notice"]);
    expect(rows(r, "script-section-duplicate")).toEqual([]);
    expect(r.errors).toBe(0);
    expect(r.warnings).toBe(0);
  });

  it("names the key in validation errors", () => {
    const cases: [unknown, string][] = [
      [{ rules: { "no-such-rule": "error" } }, "rules.no-such-rule"],
      [{ rules: { "file-parse": "fatal" } }, "rules.file-parse"],
      [{ rules: ["file-parse"] }, "rules"],
      [{ allowedStoreConnections: "Archive" }, "allowedStoreConnections"],
      [{ builtinConnections: ["ok", 3] }, "builtinConnections[1]"],
      [{ severity: "error" }, "severity"],
    ];
    for (const [raw, key] of cases) {
      let error: unknown;
      try {
        validateLintConfig(raw, "x.yml");
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe(key);
      expect((error as ConfigError).message.startsWith(`Lint config x.yml: '${key}' `)).toBe(true);
    }
  });

  it("every rule has an id, a default severity and a description", () => {
    const ids = LINT_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of LINT_RULES) {
      expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)+$/);
      expect(["error", "warning", "notice"]).toContain(rule.defaultSeverity);
      expect(rule.description.length).toBeGreaterThan(10);
    }
  });

  describe("from .qlik-lint.yml", () => {
    let root: string;
    let app: string;
    beforeAll(async () => {
      root = await mkdtemp(path.join(tmpdir(), "qlik-lint-"));
      await mkdir(path.join(root, ".git"));
      app = path.join(root, "apps", "sales");
      await mkdir(app, { recursive: true });
      await writeFile(path.join(app, "script.qvs"), "///$tab Main\nSET a = 1;\n///$tab\nSET a = 2;\n");
    });
    afterAll(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it("is found in the repository root, applied, and ignored when an explicit config is passed", async () => {
      await writeFile(
        path.join(root, ".qlik-lint.yml"),
        "rules:\n  script-section-name: warning\n  script-variable-redefined: off\n",
      );
      expect(await findLintConfig(app)).toBe(path.join(root, ".qlik-lint.yml"));
      const r = await lintAppTree(app);
      expect(r.findings.map((f) => [f.rule, f.severity])).toEqual([["script-section-name", "warning"]]);
      const explicit = await lintAppTree(app, {});
      expect(explicit.findings.map((f) => [f.rule, f.severity])).toEqual([
        ["script-section-name", "error"],
        ["script-variable-redefined", "notice"],
      ]);
    });

    it("prefers the app directory's file over the repository's", async () => {
      await writeFile(path.join(app, ".qlik-lint.yml"), "rules:\n  script-section-name: off\n");
      expect(await findLintConfig(app)).toBe(path.join(app, ".qlik-lint.yml"));
      const r = await lintAppTree(app);
      expect(r.findings.map((f) => f.rule)).toEqual(["script-variable-redefined"]);
      await rm(path.join(app, ".qlik-lint.yml"));
    });

    it("reports YAML syntax errors and bad keys with the file and position", async () => {
      const file = path.join(root, "bad.yml");
      await writeFile(file, "rules:\n  file-parse: [error\n");
      await expect(loadLintConfig(file)).rejects.toThrow(
        /bad\.yml:\d+:\d+: the file is not valid YAML \(.+\): ` {2}file-parse: \[error`\.$/,
      );
      await writeFile(file, "rules:\n  file-parse: loud\n");
      await expect(loadLintConfig(file)).rejects.toThrow(
        `Lint config ${file}:2: 'rules.file-parse' must be one of error, warning, notice or off.`,
      );
      await writeFile(file, "rules:\n  script-secton-name: warning\nknownVariables: [vA, '']\n");
      await expect(loadLintConfig(file)).rejects.toThrow(
        [
          `Lint config ${file}:2: 'rules.script-secton-name' is not a lint rule (docs/lint-rules.md lists them) (did you mean 'script-section-name'?).`,
          `Lint config ${file}:3: 'knownVariables[1]' must be a name (text, not empty).`,
        ].join("\n"),
      );
      await writeFile(file, "allowedStoreConnections: [Archive]\nbuiltinConnections: []\n");
      expect(await loadLintConfig(file)).toEqual({
        allowedStoreConnections: ["Archive"],
        builtinConnections: [],
      });
    });

    it("makes finding paths relative to pathBase when given", async () => {
      const r = await lintAppTree(app, {}, { pathBase: root });
      expect(r.findings[0].file).toBe("apps/sales/script.qvs");
    });
  });
});

describe("ordering", () => {
  it("sorts by file, line, rule and is identical across runs", async () => {
    const fixtures = [
      "file-parse/basic",
      "script-hardcoded-credentials/basic",
      "expression-missing-variable/basic",
    ];
    for (const fx of fixtures) {
      const a = await lintFixture(fx);
      const b = await lintFixture(fx);
      expect(b).toEqual(a);
      const resorted = [...a.findings].sort(compareFindings);
      expect(resorted).toEqual(a.findings);
      for (let i = 1; i < a.findings.length; i++) {
        const [p, q] = [a.findings[i - 1], a.findings[i]];
        expect(
          p.file < q.file ||
            (p.file === q.file && (p.line < q.line || (p.line === q.line && p.rule <= q.rule))),
        ).toBe(true);
      }
    }
  });

  it("toLintResult counts errors and warnings regardless of input order", () => {
    const f = (file: string, line: number, rule: string, severity: Finding["severity"]): Finding => ({
      rule,
      severity,
      file,
      line,
      message: "m",
    });
    const input = [
      f("b.json", 1, "x-a", "notice"),
      f("a.qvs", 9, "x-b", "warning"),
      f("a.qvs", 9, "x-a", "error"),
    ];
    const r = toLintResult(input);
    expect(r.findings.map((x) => `${x.file}:${x.line}:${x.rule}`)).toEqual([
      "a.qvs:9:x-a",
      "a.qvs:9:x-b",
      "b.json:1:x-a",
    ]);
    expect([r.errors, r.warnings]).toEqual([1, 1]);
    expect(toLintResult([...input].reverse())).toEqual(r);
  });
});

describe("renderLintMarkdown", () => {
  it("renders counts and a table with escaped cells", () => {
    const md = renderLintMarkdown(
      toLintResult([
        {
          rule: "a-b",
          severity: "error",
          file: "x.qvs",
          line: 2,
          column: 3,
          message: "pipe | and\nnewline <b>",
        },
        { rule: "c-d", severity: "notice", file: "y.json", line: 1, message: "fine" },
      ]),
      { title: "Lint: sales" },
    );
    expect(md).toBe(
      [
        "### Lint: sales",
        "",
        "1 error, 0 warnings, 1 notice.",
        "",
        "| Severity | Rule | Location | Message |",
        "| --- | --- | --- | --- |",
        "| ❌ error | `a-b` | `x.qvs:2:3` | pipe \\| and newline &lt;b> |",
        "| ℹ️ notice | `c-d` | `y.json:1` | fine |",
        "",
      ].join("\n"),
    );
  });

  it("says so when there is nothing to report, and cuts long tables", async () => {
    expect(renderLintMarkdown({ findings: [], errors: 0, warnings: 0 })).toBe(
      "### Qlik app lint\n\nNo findings.\n",
    );
    const r = await lintFixture("expression-missing-variable/basic");
    const md = renderLintMarkdown(r, { maxRows: 2 });
    expect(md.split("\n").filter((l) => l.startsWith("| ⚠️"))).toHaveLength(2);
    expect(md).toContain(`… and ${r.findings.length - 2} more`);
  });
});
