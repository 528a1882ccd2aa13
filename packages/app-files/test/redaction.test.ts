// Lint messages and the semantic diff quote script lines and connection strings; credentials written in
// them are redacted the same way everywhere (redactCredentials from @qlik-cicd/common).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AppTree,
  diffAppTrees,
  lintAppTree,
  readAppTree,
  renderDiffMarkdown,
  stripConnectionCredentials,
} from "../src/index.ts";

const SECRETS = ["hunter2", "Sc4ttered-Pwd", "JOfHYBRMTbEA", "OGWaGBDHx"];
const SCRIPT = [
  "///$tab Main",
  'LIB CONNECT TO "Db (user=admin;password=hunter2)";',
  'CUSTOM CONNECT TO "provider=x;host=db;pwd=Sc4ttered-Pwd;";',
  "ODBC CONNECT TO [Sales DSN] (XUserId is JOfHYBRMTbEA, XPassword is OGWaGBDHx);",
  "T: LOAD 1 AS x AUTOGENERATE 1;",
  "",
].join("\n");

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "redaction-"));
  writeFileSync(join(dir, "script.qvs"), SCRIPT);
  writeFileSync(
    join(dir, "connections.yml"),
    'connections:\n  Warehouse:\n    type: ODBC\n    connectionstring: "DSN=wh;UID=svc;PWD=Sc4ttered-Pwd"\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectNoSecret(text: string): void {
  for (const s of SECRETS) expect(text).not.toContain(s);
}

describe("credentials in lint messages", () => {
  it("names the undeclared connection with its password redacted, and no message carries a credential", async () => {
    const result = await lintAppTree(dir, {});
    const undeclared = result.findings.filter((f) => f.rule === "script-undeclared-connection");
    expect(undeclared.map((f) => f.message)).toContain(
      'Connection "Db (user=admin;password=***)" is not declared in connections.yml.',
    );
    expect(result.findings.some((f) => f.rule === "script-hardcoded-credentials")).toBe(true);
    expectNoSecret(JSON.stringify(result));
  });
});

describe("credentials in the semantic diff", () => {
  it("redacts the first new script line and connection strings, in the data and the markdown", () => {
    const before = new AppTree({
      script: "///$tab Main\nT: LOAD 1 AS x AUTOGENERATE 1;\n",
      connections: [{ name: "Warehouse", type: "ODBC", connectionString: "DSN=wh" }],
    });
    const after = new AppTree({
      script: SCRIPT,
      // Key=value credentials and URL passwords are stripped when a tree is made; this form is not.
      connections: [
        {
          name: "Warehouse",
          type: "ODBC",
          connectionString: "ODBC CONNECT TO [wh] (XUserId is JOfHYBRMTbEA, XPassword is OGWaGBDHx)",
        },
      ],
    });
    const diff = diffAppTrees(before, after);
    const script = diff.entries.find((e) => e.kind === "script");
    expect(script?.details).toContainEqual({
      label: "first new line",
      after: 'LIB CONNECT TO "Db (user=admin;password=***)";',
    });
    const connection = diff.entries.find((e) => e.kind === "connection");
    expect(connection?.details).toContainEqual({
      label: "connection string",
      before: "DSN=wh",
      after: "ODBC CONNECT TO [wh] (XUserId is ***, XPassword is ***)",
    });
    expectNoSecret(JSON.stringify(diff));
    expectNoSecret(renderDiffMarkdown(diff));
  });
});

describe("credentials in connection strings read from files", () => {
  it("drop a URL's password as they drop key=value credentials", async () => {
    expect(stripConnectionCredentials("DSN=wh;url=https://svc:Sc4ttered-Pwd@wh.example.com/x")).toBe(
      "DSN=wh;url=https://svc@wh.example.com/x",
    );
    expect(stripConnectionCredentials("https://wh.example.com/x")).toBe("https://wh.example.com/x");
    const tree = await readAppTree(dir);
    expect(tree.connections).toEqual([{ name: "Warehouse", type: "ODBC", connectionString: "DSN=wh" }]);
  });
});
