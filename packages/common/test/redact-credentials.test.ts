import { describe, expect, it } from "@jest/globals";
import { redactCredentials, SecretRegistry } from "../src/index.ts";

describe("redactCredentials", () => {
  it.each([
    ['LIB CONNECT TO "Db (user=admin;password=hunter2)";', 'LIB CONNECT TO "Db (user=admin;password=***)";'],
    [
      "CONNECT TO [Provider=SQLOLEDB;Data Source=db;User ID=sa;Pwd=S3cr3t!x;]",
      "CONNECT TO [Provider=SQLOLEDB;Data Source=db;User ID=sa;Pwd=***;]",
    ],
    [
      "ODBC CONNECT TO [Sales DSN] (XUserId is JOfHYBRMTbEA, XPassword is OGWaGBD);",
      "ODBC CONNECT TO [Sales DSN] (XUserId is ***, XPassword is ***);",
    ],
    [
      "OLEDB CONNECT TO x (UserId is bob, Password is 'a b');",
      "OLEDB CONNECT TO x (UserId is bob, Password is ***);",
    ],
    ["host=db;DbPassword = 'two words';port=1", "host=db;DbPassword = ***;port=1"],
    ["Driver={SQL};PWD={p;w};", "Driver={SQL};PWD=***;"],
    ["https://svc:pa55@db.example.com/x", "https://svc:***@db.example.com/x"],
    ["GET /x?api_key=abcdef123456&limit=5", "GET /x?api_key=***&limit=5"],
    ["Authorization: Bearer abcdefghijklmnop1234", "Authorization: Bearer ***"],
    ["key AKIAABCDEFGHIJKLMNOP used", "key *** used"],
    ['{"password":"hunter2","user":"admin"}', '{"password":"***","user":"admin"}'],
    // JSON text of a connection string keeps its quotes.
    [JSON.stringify('x "password=hunter2" y'), JSON.stringify('x "password=***" y')],
  ])("redacts %s", (input, expected) => {
    expect(redactCredentials(input)).toBe(expected);
  });

  it("keeps references, redactions and ordinary text", () => {
    for (const text of [
      "password=$(vDbPassword);",
      "password=${DB_PASS}",
      "password=***",
      "The password is required.",
      "tokens=5; passwordHint=none",
      "Connection 'Sales DB' not found",
    ]) {
      expect(redactCredentials(text)).toBe(text);
    }
  });

  it("is what SecretRegistry.redact applies after the registered values", () => {
    const registry = new SecretRegistry();
    expect(registry.redact("pwd=hunter2")).toBe("pwd=***");
    registry.register("registered-1234");
    expect(registry.redact("registered-1234 and pwd=hunter2")).toBe("*** and pwd=***");
  });
});
