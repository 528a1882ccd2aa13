import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { mkdtemp, mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "@qlik-cicd/common";
import { AppTree } from "../src/app-tree.ts";
import { readAppTree, writeAppTree } from "../src/files.ts";
import { treeDigest } from "../src/digest.ts";
import { chart, sampleContent, sheet } from "./helpers/sample-app.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const QLIK_CLI_FIXTURE = path.join(here, "fixtures", "qlik-cli-unbuild");

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "app-files-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else out.push(r);
    }
  };
  await walk("");
  return out.sort();
}

async function expectConfigError(p: Promise<unknown>, pattern: RegExp): Promise<ConfigError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toMatch(pattern);
  return error as ConfigError;
}

describe("writeAppTree / readAppTree", () => {
  test("writes the qlik-cli layout plus bookmarks, canonical and LF-terminated", async () => {
    const tree = new AppTree(sampleContent());
    const result = await writeAppTree(dir, tree);
    expect(result.changed).toBe(true);
    expect(await listFiles(dir)).toEqual([
      "app-properties.json",
      "bookmarks.json",
      "config.yml",
      "connections.yml",
      "dimensions.json",
      "measures.json",
      "objects/masterobject-reusable-bar-mo1.json",
      "objects/sheet-details-s2.json",
      "objects/sheet-overview-s1.json",
      "script.qvs",
      "variables.json",
    ]);
    expect(result.written).toEqual(await listFiles(dir));
    expect(await readFile(path.join(dir, "config.yml"), "utf8")).toBe(
      [
        "app-properties: app-properties.json",
        "bookmarks: bookmarks.json",
        "connections: connections.yml",
        "dimensions: dimensions.json",
        "measures: measures.json",
        "objects: objects/*.json",
        "script: script.qvs",
        "variables: variables.json",
        "",
      ].join("\n"),
    );
    expect(await readFile(path.join(dir, "connections.yml"), "utf8")).toBe(
      "connections:\n  DataFiles:\n    connectionstring: lib://DataFiles\n    type: folder\n",
    );
    for (const f of await listFiles(dir)) {
      const text = await readFile(path.join(dir, f), "utf8");
      expect(text.endsWith("\n")).toBe(true);
      expect(text).not.toContain("\r");
    }
    const sheetFile = JSON.parse(await readFile(path.join(dir, "objects/sheet-overview-s1.json"), "utf8"));
    expect(Object.keys(sheetFile)).toEqual(["qChildren", "qProperty"]);
    expect(
      sheetFile.qChildren.map((c: { qProperty: { qInfo: { qId: string } } }) => c.qProperty.qInfo.qId),
    ).toEqual(["c1", "c2"]);
  });

  test("read → write is byte-identical and a second write changes nothing", async () => {
    const tree = new AppTree(sampleContent());
    await writeAppTree(dir, tree);
    const before = await stat(path.join(dir, "measures.json"));
    const read = await readAppTree(dir);
    expect(read.fileTexts()).toEqual(tree.fileTexts());
    expect(treeDigest(read)).toBe(treeDigest(tree));
    const again = await writeAppTree(dir, read);
    expect(again).toEqual({ written: [], removed: [], changed: false });
    expect((await stat(path.join(dir, "measures.json"))).mtimeMs).toBe(before.mtimeMs);
  });

  test("removes object files no longer in the tree and leaves other files alone", async () => {
    await writeAppTree(dir, new AppTree(sampleContent()));
    await writeFile(path.join(dir, "README.md"), "keep me\n");
    await writeFile(path.join(dir, "objects", "notes.txt"), "keep me too\n");
    const content = sampleContent();
    content.objects = content.objects!.filter((o) => (o.qProperty.qInfo as { qId: string }).qId !== "s2");
    content.objects[content.objects.findIndex((o) => (o.qProperty.qInfo as { qId: string }).qId === "s1")] =
      sheet("s1", "Overview renamed", [chart("c1", "barchart", "Sales by region")]);
    const result = await writeAppTree(dir, new AppTree(content));
    expect(result.removed).toEqual(["objects/sheet-details-s2.json", "objects/sheet-overview-s1.json"]);
    expect(result.written).toEqual(["objects/sheet-overview-renamed-s1.json"]);
    const files = await listFiles(dir);
    expect(files).toContain("README.md");
    expect(files).toContain("objects/notes.txt");
    expect(files.filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  test("unicode, special-character and reserved-name titles give safe, stable file names", async () => {
    const content = sampleContent();
    content.objects = [
      sheet("a1", "Ventes : Région/Nord * 2026?", []),
      sheet("a2", "CON", []),
      sheet("a3", "Übersicht \u0301 — 売上 📈", []),
      sheet("a4", "x".repeat(300), []),
      sheet("a5", "trailing dots...", []),
    ];
    await writeAppTree(dir, new AppTree(content));
    const names = (await listFiles(dir)).filter((f) => f.startsWith("objects/"));
    expect(names).toEqual([
      "objects/sheet-con-a2.json",
      "objects/sheet-trailing-dots-a5.json",
      "objects/sheet-ventes-région-nord-2026-a1.json",
      `objects/sheet-${"x".repeat(48)}-a4.json`,
      "objects/sheet-übersicht-売上-a3.json",
    ]);
    const reread = await readAppTree(dir);
    expect(reread.objects.map((o) => o.qProperty.qMetaDef)).toEqual(
      new AppTree(content).objects.map((o) => o.qProperty.qMetaDef),
    );
  });

  test("an absent file leaves that kind unmanaged", async () => {
    await writeFile(path.join(dir, "script.qvs"), "LOAD 1 AS x AUTOGENERATE 1;");
    const tree = await readAppTree(dir);
    expect(tree.content).toEqual({ script: "LOAD 1 AS x AUTOGENERATE 1;\n" });
    expect([...tree.fileTexts().keys()]).toEqual(["config.yml", "script.qvs"]);
  });
});

describe("malformed files", () => {
  test("invalid JSON names the file, line and column", async () => {
    await writeFile(
      path.join(dir, "measures.json"),
      '[\n  {\n    "qInfo": { "qId": "m1" },\n    "qMeasure": tru\n  }\n]\n',
    );
    const error = await expectConfigError(
      readAppTree(dir),
      /^measures\.json line 4, column 17: invalid JSON/,
    );
    expect(error.field).toBe("measures.json");
  });

  test("trailing comma in an object file", async () => {
    await mkdir(path.join(dir, "objects"));
    await writeFile(
      path.join(dir, "objects", "sheet-x.json"),
      '{\n  "qProperty": {\n    "qInfo": {"qId": "s"},\n  }\n}\n',
    );
    await expectConfigError(
      readAppTree(dir),
      /^objects\/sheet-x\.json line 4, column 3: invalid JSON \(expected a double-quoted property name/,
    );
  });

  test("invalid YAML names the file, line and column", async () => {
    await writeFile(
      path.join(dir, "connections.yml"),
      "connections:\n  A:\n    type: folder\n   connectionstring: [x\n",
    );
    await expectConfigError(readAppTree(dir), /^connections\.yml line \d+, column \d+: invalid YAML/);
    // The same connection twice with different settings is ambiguous (the identical repeat qlik-cli
    // writes is read once: see "migrating a qlik-cli unbuild").
    await writeFile(
      path.join(dir, "connections.yml"),
      "connections:\n  A: {type: folder}\n  A: {type: ODBC}\n",
    );
    await expectConfigError(
      readAppTree(dir),
      /^connections\.yml line 3, column 3: invalid YAML \(connection "A" is listed twice with different settings\)/,
    );
  });

  test("invalid config.yml and a missing referenced file", async () => {
    await writeFile(path.join(dir, "config.yml"), "script: [a\n");
    await expectConfigError(readAppTree(dir), /^config\.yml line 2, column 1: invalid YAML/);
    await writeFile(path.join(dir, "config.yml"), "measures: my-measures.json\n");
    await expectConfigError(
      readAppTree(dir),
      /config\.yml names my-measures\.json for "measures", but that file does not exist/,
    );
    await writeFile(path.join(dir, "config.yml"), "measures: ../outside.json\n");
    await expectConfigError(readAppTree(dir), /points outside the app folder/);
  });

  test("duplicate ids, missing ids and stored passwords are refused", async () => {
    await writeFile(
      path.join(dir, "measures.json"),
      JSON.stringify([{ qInfo: { qId: "m1" } }, { qInfo: { qId: "m1" } }]),
    );
    await expectConfigError(readAppTree(dir), /measures\.json item 2 repeats the measure "m1"/);
    await writeFile(path.join(dir, "measures.json"), JSON.stringify([{ qMeasure: {} }]));
    await expectConfigError(readAppTree(dir), /measures\.json item 1 has no qInfo\.qId/);
    await rm(path.join(dir, "measures.json"));
    await writeFile(
      path.join(dir, "connections.yml"),
      "connections:\n  Db:\n    type: ODBC\n    connectionstring: x\n    password: hunter2\n",
    );
    const error = await expectConfigError(readAppTree(dir), /connection "Db" contains a password/);
    expect(error.message).not.toContain("hunter2");
  });

  test("a missing folder", async () => {
    await expectConfigError(readAppTree(path.join(dir, "nope")), /does not exist/);
  });
});

describe("migrating a qlik-cli unbuild", () => {
  test("tolerates what qlik-cli writes: a connection listed twice, unquoted ': ', no description", async () => {
    await writeFile(
      path.join(dir, "connections.yml"),
      [
        "connections:",
        "  DataFiles:",
        "    type: qix-datafiles.exe",
        '    connectionstring: CUSTOM CONNECT TO "provider=qix-datafiles.exe;path=datafiles;"',
        "    username: ",
        "    password: ",
        "  DataFiles:",
        "    type: qix-datafiles.exe",
        '    connectionstring: CUSTOM CONNECT TO "provider=qix-datafiles.exe;path=datafiles;"',
        "    username: ",
        "    password: ",
        "  Api:",
        "    type: QvRestConnector.exe",
        '    connectionstring: CUSTOM CONNECT TO "provider=QvRestConnector.exe;url=https://x;timeout: 30;"',
        "",
      ].join("\r\n"),
    );
    await writeFile(path.join(dir, "app-properties.json"), JSON.stringify({ qTitle: "Old tree" }));
    const tree = await readAppTree(dir);
    expect(tree.content.connections).toEqual([
      {
        name: "Api",
        type: "QvRestConnector.exe",
        connectionString: 'CUSTOM CONNECT TO "provider=QvRestConnector.exe;url=https://x;timeout: 30;"',
      },
      {
        name: "DataFiles",
        type: "qix-datafiles.exe",
        connectionString: 'CUSTOM CONNECT TO "provider=qix-datafiles.exe;path=datafiles;"',
      },
    ]);
    expect(tree.warnings).toEqual([
      'connections.yml: values containing ": " are not quoted (not valid YAML); they were read as plain text.',
      'connections.yml: connection "DataFiles" is listed twice with the same settings; it is read once.',
    ]);
    // Qlik gives every app a description ("" until written): an absent one is the same as "".
    const described = new AppTree({ appProperties: { qTitle: "Old tree", description: "" } });
    expect(described.fileTexts().get("app-properties.json")).toBe(
      tree.fileTexts().get("app-properties.json"),
    );
  });

  test("reads qlik-cli's shapes: full property trees, plain properties, variable lists, CRLF script", async () => {
    const tree = await readAppTree(QLIK_CLI_FIXTURE);
    expect(tree.script).toBe(
      "///$tab Main\nSET ThousandSep=',';\n///$tab Data\nLOAD * FROM [lib://DataFiles/sales.qvd] (qvd);\n",
    );
    expect(tree.appProperties).toEqual({ qTitle: "Sales (migrated)", description: "From qlik-cli" });
    expect(tree.connections).toEqual([
      { name: "DataFiles", type: "folder", connectionString: "lib://DataFiles" },
      { name: "Warehouse", type: "ODBC", connectionString: "ODBC CONNECT TO [warehouse]" },
    ]);
    expect(tree.variables.map((v) => v.qName)).toEqual(["vTarget"]);
    expect(tree.measure("mSales")?.qMeasure).toMatchObject({ qDef: "Sum(Amount)" });
    expect(tree.objects.map((o) => o.qProperty.qInfo)).toEqual([
      { qId: "MasterA", qType: "masterobject" },
      { qId: "SheetA", qType: "sheet" },
    ]);
    const chartA = tree.object("ChartA");
    expect(chartA?.qProperty.title).toBe("Sales by region");
    expect(chartA?.qProperty).not.toHaveProperty("qStateName");
    expect(tree.content.bookmarks).toBeUndefined();
  });

  test("writing the migrated tree gives this library's layout, and reading it back is lossless", async () => {
    const migrated = await readAppTree(QLIK_CLI_FIXTURE);
    await writeAppTree(dir, migrated);
    expect((await listFiles(dir)).filter((f) => f.startsWith("objects/"))).toEqual([
      "objects/masterobject-reusable-bar-MasterA.json",
      "objects/sheet-overview-SheetA.json",
    ]);
    const reread = await readAppTree(dir);
    expect(reread.fileTexts()).toEqual(migrated.fileTexts());
    expect(treeDigest(reread)).toBe(treeDigest(migrated));
  });
});
