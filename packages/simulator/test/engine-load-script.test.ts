import { describe, expect, test } from "@jest/globals";
import { runLoadScript, simulatedRowCount } from "../src/engine/index.ts";
import { splitScript } from "../src/engine/script-splitter.ts";
import { emptyAppDocument } from "../src/model/app-document.ts";
import type { AppDocument } from "../src/model/app-document.ts";

const now = () => new Date(Date.UTC(2025, 2, 4, 8, 30, 0));

function docWith(script: string, connections: string[] = []): AppDocument {
  const doc = emptyAppDocument("app-ls", "Load script");
  doc.script = script;
  for (const name of connections) {
    doc.connections.set(`c-${name}`, {
      id: `c-${name}`,
      name,
      connectionString: "",
      type: "folder",
      createdDate: "2025-01-01T00:00:00.000Z",
      modifiedDate: "2025-01-01T00:00:00.000Z",
    });
  }
  return doc;
}

describe("splitScript", () => {
  test("splits on ; outside quotes, brackets and comments and tracks sections and lines", () => {
    const statements = splitScript(
      [
        "///$tab Main",
        "SET a = 'x;y';",
        "// LOAD commented; out",
        "/* block ; comment",
        "spanning */ LET b = 1 + 2;",
        "REM this is ignored;",
        "///$tab Data",
        "T: LOAD * INLINE [",
        "k, v",
        "1, a;b",
        "];",
      ].join("\n"),
    );
    expect(statements.map((s) => [s.line, s.section, s.text.split("\n")[0]])).toEqual([
      [2, "Main", "SET a = 'x;y'"],
      [5, "Main", "LET b = 1 + 2"],
      [8, "Data", "T: LOAD * INLINE ["],
    ]);
  });

  test("control statements end at the end of their line", () => {
    const statements = splitScript("FOR i = 1 TO 3\nLOAD 1 AS x AUTOGENERATE 1;\nNEXT i\n");
    expect(statements.map((s) => s.text)).toEqual(["FOR i = 1 TO 3", "LOAD 1 AS x AUTOGENERATE 1", "NEXT i"]);
  });
});

describe("runLoadScript", () => {
  test("inline, autogenerate, file and resident loads build the data model", () => {
    const doc = docWith(
      [
        "///$tab Main",
        "SET ThousandSep=',';",
        "LET vRows = 10 * 5;",
        "LIB CONNECT TO 'Warehouse';",
        "///$tab Data",
        "Customers:",
        "LOAD * INLINE [",
        "CustomerId, Name",
        "1, Alice",
        "2, Bob",
        "3, Carol",
        "];",
        "Calendar: LOAD RecNo() AS Day AUTOGENERATE $(vRows);",
        "Orders: LOAD OrderId, CustomerId, Amount FROM [lib://Warehouse/sales/orders.qvd] (qvd);",
        "Big: NoConcatenate LOAD OrderId, Amount AS BigAmount RESIDENT Orders WHERE Amount > 10;",
        "DROP TABLE Big;",
        "STORE Orders INTO [lib://Warehouse/out/orders.qvd] (qvd);",
      ].join("\n"),
      ["Warehouse"],
    );
    const r = runLoadScript(doc, { now });
    expect(r.ok).toBe(true);
    expect(r.errorLines).toEqual([]);
    const orderRows = simulatedRowCount("lib://Warehouse/sales/orders.qvd");
    expect(orderRows).toBeGreaterThanOrEqual(1000);
    expect(orderRows).toBeLessThanOrEqual(1_000_000);
    expect(r.tables).toEqual([
      {
        name: "Customers",
        fields: ["CustomerId", "Name"],
        rows: 3,
        fieldValues: { CustomerId: ["1", "2", "3"], Name: ["Alice", "Bob", "Carol"] },
      },
      { name: "Calendar", fields: ["Day"], rows: 50 },
      { name: "Orders", fields: ["OrderId", "CustomerId", "Amount"], rows: orderRows },
    ]);
    expect(r.scriptVariables.get("ThousandSep")).toBe(",");
    expect(r.scriptVariables.get("vRows")).toBe("50");
    expect(r.log).toContain("2025-03-04 08:30:00      Execution started.");
    expect(r.log).toMatch(/0007 {2}LOAD \* INLINE \[/);
    expect(r.log).toContain("3 Lines fetched");
    expect(r.log).toContain(`${orderRows} Lines fetched`);
    expect(r.log).toContain("App saved");
    expect(r.log.trimEnd().endsWith("Execution finished.")).toBe(true);
    expect(doc.tables).toEqual([]); // runLoadScript never mutates the app
  });

  test("is deterministic and heavier data takes longer", () => {
    const small = docWith("T: LOAD a FROM [lib://D/small.qvd] (qvd);", ["D"]);
    const a = runLoadScript(small, { now });
    const b = runLoadScript(small, { now });
    expect(a).toEqual(b);
    const light = runLoadScript(docWith("T: LOAD 1 AS a AUTOGENERATE 10;"), { now });
    const heavy = runLoadScript(docWith("T: LOAD 1 AS a AUTOGENERATE 900000;"), { now });
    expect(heavy.durationMs).toBeGreaterThan(light.durationMs + 1000);
  });

  test("a missing connection fails with the line and Qlik's wording", () => {
    const r = runLoadScript(
      docWith("///$tab Main\nSET x=1;\n\nLIB CONNECT TO 'Sales DB';\nT: LOAD 1 AS a AUTOGENERATE 1;"),
      {
        now,
      },
    );
    expect(r.ok).toBe(false);
    expect(r.errorLines).toEqual(["Line 4: Connection 'Sales DB' not found"]);
    expect(r.log).toContain("Connection 'Sales DB' not found");
    expect(r.log).toContain("Execution Failed");
    expect(r.log).not.toContain("App saved");
  });

  test("lib:// references in FROM and STORE need an existing connection", () => {
    const r = runLoadScript(docWith("T: LOAD a FROM [lib://Nowhere/x.qvd] (qvd);", ["DataFiles"]), { now });
    expect(r.ok).toBe(false);
    expect(r.errorLines[0]).toBe("Line 1: Connection 'Nowhere' not found");
    const store = runLoadScript(
      docWith("T: LOAD 1 AS a AUTOGENERATE 1;\nSTORE T INTO 'lib://Out/t.qvd' (qvd);"),
      { now },
    );
    expect(store.errorLines).toEqual(["Line 2: Connection 'Out' not found"]);
  });

  test("unknown statements and unbalanced parentheses fail with their line", () => {
    const unknown = runLoadScript(docWith("SET a=1;\n\nFOOBAR something;\nT: LOAD 1 AS a AUTOGENERATE 1;"), {
      now,
    });
    expect(unknown.ok).toBe(false);
    expect(unknown.errorLines).toEqual(["Line 3: Unknown statement: FOOBAR"]);
    const parens = runLoadScript(docWith("SET a=1;\nT: LOAD (1 + 2 AS a\nAUTOGENERATE 1;"), { now });
    expect(parens.ok).toBe(false);
    expect(parens.errorLines).toEqual(["Line 2: Unbalanced parentheses: missing ')'"]);
    const missing = runLoadScript(docWith("DROP TABLE Nope;"), { now });
    expect(missing.errorLines).toEqual(["Line 1: Table 'Nope' not found"]);
  });

  test("EXIT SCRIPT stops execution successfully", () => {
    const r = runLoadScript(docWith("A: LOAD 1 AS a AUTOGENERATE 2;\nEXIT SCRIPT;\nTHIS IS NOT VALID;"), {
      now,
    });
    expect(r.ok).toBe(true);
    expect(r.tables).toEqual([{ name: "A", fields: ["a"], rows: 2 }]);
  });

  test("identical field sets concatenate automatically; Concatenate and Join merge; mapping tables vanish", () => {
    const r = runLoadScript(
      docWith(
        [
          "A: LOAD 1 AS k, 2 AS v AUTOGENERATE 3;",
          "B: LOAD 1 AS v, 2 AS k AUTOGENERATE 4;",
          "Concatenate (A) LOAD 1 AS k, 3 AS extra AUTOGENERATE 1;",
          "LEFT JOIN (A) LOAD 1 AS k, 5 AS joined AUTOGENERATE 2;",
          "M: MAPPING LOAD 1 AS [from], 2 AS dst AUTOGENERATE 5;",
        ].join("\n"),
      ),
      { now },
    );
    expect(r.ok).toBe(true);
    expect(r.tables).toEqual([{ name: "A", fields: ["k", "v", "extra", "joined"], rows: 8 }]);
  });

  test("preceding load and SQL SELECT use the connected database", () => {
    const r = runLoadScript(
      docWith(
        "LIB CONNECT TO 'Sales DB';\nOrders: LOAD id, total;\nSQL SELECT id, total, region FROM dbo.Orders;",
        ["Sales DB"],
      ),
      { now },
    );
    expect(r.ok).toBe(true);
    expect(r.tables).toEqual([
      { name: "Orders", fields: ["id", "total"], rows: simulatedRowCount("Sales DB/dbo.Orders") },
    ]);
    const noDb = runLoadScript(docWith("T: SQL SELECT * FROM x;"), { now });
    expect(noDb.ok).toBe(false);
  });
});

describe("connection names as Qlik Cloud allows them", () => {
  test("accepts spaces in lib:// connection names and lib:// text inside SET values", () => {
    const doc = emptyAppDocument("app-1", "Spaces");
    doc.connections.set("c1", {
      id: "c1",
      name: "Sales Data",
      connectionString: "x",
      type: "folder",
      createdDate: "2026-01-01T00:00:00.000Z",
      modifiedDate: "2026-01-01T00:00:00.000Z",
    });
    doc.script =
      "SET vRoot = 'lib://Elsewhere/';\nOrders:\nLOAD OrderId, Amount FROM [lib://Sales Data/orders.qvd] (qvd);\n";
    const ok = runLoadScript(doc);
    expect(ok.errorLines).toEqual([]);
    expect(ok.ok).toBe(true);
    expect(ok.tables.map((t) => t.name)).toContain("Orders");

    doc.script = "Orders:\nLOAD OrderId FROM [lib://Sales Archive/orders.qvd] (qvd);\n";
    const failed = runLoadScript(doc);
    expect(failed.ok).toBe(false);
    expect(failed.errorLines.join("\n")).toContain("Sales Archive");
  });
});
