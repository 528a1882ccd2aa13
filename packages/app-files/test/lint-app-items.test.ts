import { describe, expect, it } from "@jest/globals";
import { lintFixture, messages, rows } from "./fixtures/lint/helpers.ts";

describe("master-item-duplicate-name", () => {
  it("reports repeated titles per kind (ignoring case and spaces) and repeated variable names (exact)", async () => {
    const r = await lintFixture("master-item-duplicate-name/basic");
    expect(rows(r, "master-item-duplicate-name")).toEqual([
      ["dimensions.json", 4, 115, "warning"],
      ["measures.json", 6, 47, "warning"], // qLabel used when qMetaDef.title is empty
      ["variables.json", 6, 14, "warning"],
    ]);
    expect(messages(r, "master-item-duplicate-name")[0]).toBe(
      'Master dimension title "region" is already used by dimension d1 on line 2.',
    );
  });
});

describe("master-item-duplicate-id", () => {
  it("reports a qId used twice across files and inside property trees", async () => {
    const r = await lintFixture("master-item-duplicate-id/basic");
    expect(rows(r, "master-item-duplicate-id")).toEqual([
      ["measures.json", 2, 23, "error"],
      ["objects/sheet-s-sh1.json", 6, 27, "error"],
    ]);
  });
});

describe("expression-missing-variable", () => {
  it("points at the exact $( of each unknown variable, nested and parameterised ones included", async () => {
    const r = await lintFixture("expression-missing-variable/basic");
    expect(rows(r, "expression-missing-variable")).toEqual([
      ["dimensions.json", 2, 88, "warning"],
      ["measures.json", 5, 36, "warning"], // $(vMissing)
      ["measures.json", 6, 36, "warning"], // $(=Sum($(vNope)))
      ["measures.json", 6, 73, "warning"], // $(vGoneFn(…))
      ["measures.json", 6, 83, "warning"], // $(vArg) as an argument
      ["measures.json", 12, 42, "warning"], // after an escaped \" in the JSON string
      ["objects/sheet-s-sh1.json", 8, 39, "warning"],
      ["variables.json", 3, 89, "warning"],
    ]);
  });

  it("accepts knownVariables from the config", async () => {
    const r = await lintFixture("expression-missing-variable/basic", {
      knownVariables: ["vMissing", "vGone"],
    });
    const names = messages(r, "expression-missing-variable").map((m) => /^\$\((\w+)\)/.exec(m)?.[1]);
    expect(names).toEqual(["vDimVar", "vNope", "vGoneFn", "vArg", "vMissing2", "vMissingInVar"]);
  });
});

describe("object-missing-master-item", () => {
  it("reports missing and wrong-kind qLibraryId and missing qExtendsId at the id's line", async () => {
    const r = await lintFixture("object-missing-master-item/basic");
    expect(rows(r, "object-missing-master-item")).toEqual([
      ["objects/sheet-s-sh1.json", 12, 29, "error"],
      ["objects/sheet-s-sh1.json", 17, 29, "error"],
      ["objects/sheet-s-sh1.json", 27, 43, "error"],
      ["objects/sheet-s-sh1.json", 36, 23, "error"],
    ]);
    expect(messages(r, "object-missing-master-item")).toEqual([
      'qLibraryId "d-gone" is not a master dimension (not in dimensions.json).',
      'qLibraryId "d1" is a master dimension but is used as a measure.',
      'qLibraryId "m1" is a master measure but is used as a dimension.',
      'qExtendsId "mo-gone" is not a master visualization in objects/.',
    ]);
  });
});

describe("object-chart-no-title", () => {
  it("notices charts with an empty or missing title; expression titles, filter panes and named master objects pass", async () => {
    const r = await lintFixture("object-chart-no-title/basic");
    expect(rows(r, "object-chart-no-title")).toEqual([
      ["objects/sheet-s-sh1.json", 8, 18, "notice"], // "title": "  "
      ["objects/sheet-s-sh1.json", 15, 27, "notice"], // no title: points at qInfo.qId
    ]);
  });
});

describe("object-empty-sheet", () => {
  it("warns on sheets without children or cells, in both file shapes", async () => {
    const r = await lintFixture("object-empty-sheet/basic");
    expect(rows(r, "object-empty-sheet")).toEqual([
      ["objects/sheet-empty-sh1.json", 3, 23, "warning"],
      ["objects/sheet-plain-sh2.json", 2, 21, "warning"],
    ]);
  });
});
