import { describe, expect, it } from "@jest/globals";
import { analyzeScript, splitSections } from "../src/lint/index.ts";
import { lintFixture, messages, rows } from "./fixtures/lint/helpers.ts";

describe("script sections", () => {
  it("reports empty section names (error) and duplicate names ignoring case (warning)", async () => {
    const r = await lintFixture("script-sections/basic");
    expect(rows(r, "script-section-name")).toEqual([
      ["script.qvs", 3, 1, "error"],
      ["script.qvs", 9, 1, "error"],
    ]);
    expect(rows(r, "script-section-duplicate")).toEqual([["script.qvs", 7, 1, "warning"]]);
    expect(messages(r, "script-section-duplicate")[0]).toContain("line 1");
  });

  it("splits at ///$tab lines with CRLF endings and keeps text before the first marker", () => {
    const sections = splitSections("SET a=1;\r\n///$tab One\r\nSET b=2;\r\n///$tab Two\r\n");
    expect(sections.map((s) => s.name)).toEqual([undefined, "One", "Two"]);
    expect(sections[1].start).toBe("SET a=1;\r\n///$tab One\r\n".length);
  });
});

describe("script-unbalanced", () => {
  it("reports each unclosed construct where it opens, isolated per section", async () => {
    const r = await lintFixture("script-unbalanced/basic");
    expect(rows(r, "script-unbalanced")).toEqual([
      ["script.qvs", 2, 12, "error"], // If(( … ; — the statement ends first
      ["script.qvs", 3, 11, "error"], // stray )
      ["script.qvs", 5, 9, "error"], // [Field …
      ["script.qvs", 8, 1, "error"], // /* not closed
      ["script.qvs", 11, 10, "error"], // 'abc;
      ["script.qvs", 13, 11, "error"], // stray ]
    ]);
    const comment = r.findings.find((f) => f.rule === "script-unbalanced" && f.line === 8);
    expect(comment?.endLine).toBe(9);
    expect(comment?.message).toMatch(/\/\* comment/);
  });

  it("ignores brackets and quotes inside strings, comments and REM, and accepts doubled-quote escapes", () => {
    const m = analyzeScript(
      "///$tab A\nREM it's (fine;\nLET a = 'it''s (' & \"x\"\"y\" & [a]]b]; // ( [\n/* ' */ LET b = (1);\n",
    );
    expect(m.balance).toEqual([]);
  });
});

describe("script-undeclared-connection", () => {
  it("reports each lib:// and LIB CONNECT TO use of an undeclared connection with its column", async () => {
    const r = await lintFixture("script-undeclared-connection/basic");
    expect(rows(r, "script-undeclared-connection")).toEqual([
      ["script.qvs", 3, 16, "error"], // LIB CONNECT TO 'Marketing'
      ["script.qvs", 4, 17, "error"], // [lib://Finance/…
      ["script.qvs", 5, 16, "error"], // lib://Shared:Finance (unquoted)
      ["script.qvs", 11, 16, "error"], // $(Must_Include=lib://Scripts/…)
    ]);
    expect(messages(r, "script-undeclared-connection")[0]).toBe(
      'Connection "Marketing" is not declared in connections.yml.',
    );
  });

  it("reads connections written inline in config.yml", async () => {
    const r = await lintFixture("script-undeclared-connection/inline-config");
    expect(rows(r, "script-undeclared-connection")).toEqual([["script.qvs", 3, 16, "error"]]);
    expect(messages(r, "script-undeclared-connection")).toEqual([
      'Connection "Lake" is not declared in config.yml.',
    ]);
    expect(rows(r, "connections-credentials")).toEqual([["config.yml", 6, 15, "error"]]);
  });

  it("treats DataFiles as built in unless the config says otherwise", async () => {
    const r = await lintFixture("script-undeclared-connection/basic", { builtinConnections: [] });
    expect(rows(r, "script-undeclared-connection").map((x) => x[1])).toEqual([3, 4, 5, 7, 11]);
  });
});

describe("script-hardcoded-credentials", () => {
  it("finds passwords, bearer tokens, AWS keys and URL credentials, even in comments, but not $(variables)", async () => {
    const r = await lintFixture("script-hardcoded-credentials/basic");
    expect(rows(r, "script-hardcoded-credentials")).toEqual([
      ["script.qvs", 2, 45, "error"], // XPassword is …
      ["script.qvs", 3, 52, "error"], // Password=hunter2
      ["script.qvs", 4, 31, "error"], // Bearer …
      ["script.qvs", 5, 12, "error"], // AKIA… in a comment
      ["script.qvs", 7, 13, "error"], // https://admin:s3cret@…
    ]);
  });

  it("never repeats the secret in the message", async () => {
    const r = await lintFixture("script-hardcoded-credentials/basic");
    const all = r.findings.map((f) => f.message).join("\n");
    for (const secret of [
      "fdaXTDC",
      "hunter2",
      "eyJhbGciOiJIUzI1NiJ9abcdef",
      "AKIAIOSFODNN7EXAMPLE",
      "s3cret",
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});

describe("script-hardcoded-location", () => {
  it("warns on inline CONNECT strings and FROM URLs, shares, drives and IPs, not on lib:// or SQL tables", async () => {
    const r = await lintFixture("script-hardcoded-location/basic");
    expect(rows(r, "script-hardcoded-location")).toEqual([
      ["script.qvs", 2, 1, "warning"],
      ["script.qvs", 3, 16, "warning"],
      ["script.qvs", 4, 16, "warning"],
      ["script.qvs", 5, 16, "warning"],
      ["script.qvs", 8, 16, "warning"],
    ]);
  });

  it("recognises CONNECT32/CONNECT64 forms", async () => {
    const r = await lintFixture("script-hardcoded-credentials/basic");
    expect(rows(r, "script-hardcoded-location").map((x) => x[1])).toEqual([2, 3, 6]);
  });
});

describe("script-store-target", () => {
  it("by default allows declared and built-in connections only", async () => {
    const r = await lintFixture("script-store-target/basic");
    expect(rows(r, "script-store-target")).toEqual([
      ["script.qvs", 8, 14, "error"], // lib://Elsewhere
      ["script.qvs", 9, 14, "error"], // C:\temp
      ["script.qvs", 10, 21, "error"], // t.csv
    ]);
  });

  it("uses allowedStoreConnections from the config when given", async () => {
    const r = await lintFixture("script-store-target/basic", { allowedStoreConnections: ["archive"] });
    expect(rows(r, "script-store-target").map((x) => x[1])).toEqual([7, 8, 9, 10, 12]);
    expect(messages(r, "script-store-target")[0]).toContain('"Staging"');
  });
});

describe("script-drop-unknown-table", () => {
  it("warns on DROP TABLE of tables never loaded (labels, file names and RENAME targets count)", async () => {
    const r = await lintFixture("script-drop-unknown-table/basic");
    expect(rows(r, "script-drop-unknown-table")).toEqual([
      ["script.qvs", 9, 24, "warning"], // Ghost
      ["script.qvs", 11, 14, "warning"], // Phantom, inside IF … THEN
    ]);
  });

  it("stays quiet when an include may create the table", async () => {
    const r = await lintFixture("script-drop-unknown-table/with-include");
    expect(rows(r, "script-drop-unknown-table")).toEqual([]);
  });
});

describe("script-variable-redefined", () => {
  it("notices top-level overwrites but not self-updates, resets, loops or toggled system variables", async () => {
    const r = await lintFixture("script-variable-redefined/basic");
    expect(rows(r, "script-variable-redefined")).toEqual([["script.qvs", 7, 5, "notice"]]);
    expect(messages(r, "script-variable-redefined")[0]).toContain("line 2");
  });
});

describe("connections-credentials", () => {
  it("flags passwords and credentials in connection strings, not empty or ${SECRET} values", async () => {
    const r = await lintFixture("connections-credentials/basic");
    expect(rows(r, "connections-credentials")).toEqual([
      ["connections.yml", 6, 15, "error"],
      ["connections.yml", 21, 23, "error"],
    ]);
    expect(messages(r, "connections-credentials").join(" ")).not.toContain("hunter2");
  });
});

describe("a realistic clean app", () => {
  it("has no findings at all", async () => {
    const r = await lintFixture("clean");
    expect(r).toEqual({ findings: [], errors: 0, warnings: 0 });
  });
});
