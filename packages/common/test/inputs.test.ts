// The one input reader every adapter uses: defaults applied to empty inputs, typed reads, one sentence
// naming the input for a bad value, secrets registered before they are returned.
import { describe, expect, it } from "@jest/globals";
import { createInputReader, offendingLine, outputText, secrets } from "../src/index.ts";

const specs = {
  space: { required: true },
  reload: { default: "true" },
  passes: { default: "3" },
  mode: { default: "apply" },
  approvers: {},
  key: {},
  source: {},
  token: { default: "${{ github.token }}" },
};
const paths = { workspace: "/ws", confine: true };

function reader(values: Record<string, string>, expression?: (e: string) => string | undefined) {
  return createInputReader(specs, { get: (n) => values[n], ...(expression ? { expression } : {}) }, paths);
}

describe("createInputReader", () => {
  it("applies the declared default to an empty input, trims, and tells given from defaulted", () => {
    const r = reader({ space: "  test ", reload: "" });
    expect(r.string("space")).toBe("test");
    expect(r.boolean("reload")).toBe(true);
    expect(r.given("reload")).toBe(false);
    expect(r.number("passes", { min: 1, max: 10, integer: true })).toBe(3);
    expect(r.choice("mode", ["apply", "plan"])).toBe("apply");
    expect(r.string("approvers")).toBeUndefined();
    expect(r.list("approvers")).toBeUndefined();
    expect(reader({ approvers: "alice, bob\ncarol,," }).list("approvers")).toEqual(["alice", "bob", "carol"]);
  });

  it("throws one sentence naming the input for a bad value", () => {
    expect(() => reader({}).required("space")).toThrow("Input 'space' is required.");
    expect(() => reader({ reload: "maybe" }).boolean("reload")).toThrow(
      "Input 'reload' must be true or false, got 'maybe'.",
    );
    expect(reader({ reload: "NO" }).boolean("reload")).toBe(false);
    expect(() => reader({ passes: "2.5" }).number("passes", { integer: true })).toThrow(
      "Input 'passes' must be a whole number, got '2.5'.",
    );
    expect(() => reader({ passes: "11" }).number("passes", { min: 1, max: 10 })).toThrow(
      "Input 'passes' must be a number from 1 to 10, got '11'.",
    );
    expect(() => reader({ mode: "drift" }).choice("mode", ["apply", "plan"])).toThrow(
      "Input 'mode' must be one of apply, plan, got 'drift'.",
    );
    expect(() => reader({ source: "../x" }).path("source")).toThrow(
      "Input 'source' ('../x') must stay inside",
    );
    expect(reader({ source: "apps/a" }).path("source")).toBe("/ws/apps/a");
    // Reading an input the operation does not declare is a programming error, not a user's.
    expect(() => reader({}).string("spaec")).toThrow("The input 'spaec' is not declared.");
  });

  it("registers secrets and resolves ${{ … }} defaults only through the adapter", () => {
    expect(reader({ key: "k3y-value-1234" }).secret("key")).toBe("k3y-value-1234");
    expect(secrets.has("k3y-value-1234")).toBe(true);
    expect(reader({}).secret("token")).toBeUndefined();
    expect(reader({}, (e) => (e.includes("github.token") ? "ghs_abc123" : undefined)).secret("token")).toBe(
      "ghs_abc123",
    );
  });

  it("writes outputs as the runner stores them", () => {
    expect(outputText({ b: [2], a: "x" })).toBe('{"a":"x","b":[2]}');
    expect(outputText(false)).toBe("false");
    expect(outputText(undefined)).toBe("");
    expect(outputText("LIB CONNECT TO 'db;password=hunter2'")).not.toContain("hunter2");
  });
});

describe("problem sentences", () => {
  it("quote the offending YAML line, or the last one above it when the parser points past it", () => {
    const text = "a: 1\nb: [x\n\n";
    expect(offendingLine(text, 3)).toBe("b: [x");
    expect(offendingLine(text, 2)).toBe("b: [x");
    expect(offendingLine(`${"x".repeat(200)}\n`, 1)).toBe(`${"x".repeat(117)}...`);
  });
});
