import { describe, expect, test } from "@jest/globals";
import { AppTree } from "../src/app-tree.ts";
import {
  canonicalSelectionState,
  selectionDigest,
  selectionGaps,
  SELECTION_RECORD_KEY,
} from "../src/bookmark-state.ts";
import { planBuild } from "../src/plan.ts";
import type { AppTreeContent, JsonObject } from "../src/types.ts";

/** An NxBookmark as GenericBookmark.GetLayout returns it (volatile and default fields included). */
const engineState = {
  qStateData: [
    {
      qStateName: "Comparison",
      qFieldItems: [
        {
          qDef: { qName: "Region", qType: "PRESENT" },
          qLocked: false,
          qSelectInfo: { qTextSearch: "", qRangeLo: -1e300, qRangeHi: -1e300, qRangeInfo: [] },
          qValues: [{ qText: "Western Europe", qIsNumeric: false }],
          qExcludedValues: [],
        },
      ],
    },
    {
      qStateName: "$",
      qFieldItems: [
        {
          qDef: { qName: "Year", qType: "PRESENT" },
          qLocked: true,
          qValues: [
            { qText: "2025", qIsNumeric: true, qNumber: 2025 },
            { qText: "2024", qIsNumeric: true, qNumber: 2024 },
          ],
          qExcludedValues: [],
        },
        {
          qDef: { qName: "Product", qType: "PRESENT" },
          qSelectInfo: { qTextSearch: "rain*" },
          qValues: [{ qText: "Rain Jacket", qIsNumeric: false, qNumber: 0 }],
        },
        { qDef: { qName: "Untouched" }, qValues: [], qExcludedValues: [] },
      ],
    },
    { qStateName: "Empty", qFieldItems: [] },
  ],
  qUtcModifyTime: 46037.375,
  qVariableItems: [{ qName: "vTopN", qValue: { qText: "5", qIsNumeric: true, qNumber: 5 }, qDefinition: "" }],
  qPatches: [],
  qGroupStates: [],
};

describe("the files' form of a bookmark's selections", () => {
  test("keeps what selects something, sorted, without defaults or volatile fields", () => {
    expect(canonicalSelectionState(engineState)).toEqual({
      qStateData: [
        {
          qStateName: "$",
          qFieldItems: [
            {
              qDef: { qName: "Product" },
              qSelectInfo: { qTextSearch: "rain*" },
              qValues: [{ qText: "Rain Jacket" }],
            },
            {
              qDef: { qName: "Year" },
              qLocked: true,
              qValues: [
                { qIsNumeric: true, qNumber: 2024, qText: "2024" },
                { qIsNumeric: true, qNumber: 2025, qText: "2025" },
              ],
            },
          ],
        },
        {
          qStateName: "Comparison",
          qFieldItems: [{ qDef: { qName: "Region" }, qValues: [{ qText: "Western Europe" }] }],
        },
      ],
      qVariableItems: [{ qName: "vTopN", qValue: { qIsNumeric: true, qNumber: 5, qText: "5" } }],
    });
  });

  test("is idempotent, and nothing selected is no state at all", () => {
    const once = canonicalSelectionState(engineState);
    expect(canonicalSelectionState(once)).toEqual(once);
    expect(canonicalSelectionState({ qStateData: [{ qStateName: "$", qFieldItems: [] }] })).toBeUndefined();
    expect(canonicalSelectionState(undefined)).toBeUndefined();
  });

  test("gaps count the values a field lacks, and a field selected by exclusion only when nothing is selected", () => {
    const requested = canonicalSelectionState(engineState);
    const captured = canonicalSelectionState({
      qStateData: [
        {
          qStateName: "$",
          qFieldItems: [
            { qDef: { qName: "Year" }, qValues: [{ qText: "2025", qIsNumeric: true, qNumber: 2025 }] },
            { qDef: { qName: "Product" }, qValues: [{ qText: "Rain Jacket" }] },
          ],
        },
      ],
    });
    expect(selectionGaps(requested, captured)).toEqual([
      { state: "$", field: "Year", missing: 1, requested: 2 },
      { state: "Comparison", field: "Region", missing: 1, requested: 1 },
    ]);
    const excluded = {
      qStateData: [{ qFieldItems: [{ qDef: { qName: "P" }, qExcludedValues: [{ qText: "x" }] }] }],
    };
    expect(selectionGaps(canonicalSelectionState(excluded), undefined)).toEqual([
      { state: "$", field: "P", missing: 1, requested: 1 },
    ]);
    expect(selectionGaps(canonicalSelectionState(excluded), canonicalSelectionState(excluded))).toEqual([]);
  });

  test("AppTree keeps a bookmark's selections next to its properties; the build record never reaches files", () => {
    const tree = new AppTree({
      bookmarks: [
        {
          qInfo: { qId: "b1", qType: "bookmark" },
          qMetaDef: { title: "Recent years" },
          qBookmark: engineState as unknown as JsonObject,
          [SELECTION_RECORD_KEY]: { requested: "a", captured: "b" },
        },
      ],
    });
    const text = tree.fileTexts().get("bookmarks.json") ?? "";
    expect(text).toContain('"qTextSearch": "rain*"');
    expect(text).not.toContain(SELECTION_RECORD_KEY);
    expect(text).not.toContain("qUtcModifyTime");
    expect(text).not.toContain('qLocked": false');
  });
});

describe("planning bookmarks", () => {
  const bookmark = (title: string, state?: object): JsonObject => ({
    qInfo: { qId: "b1", qType: "bookmark" },
    qMetaDef: { title },
    ...(state ? { qBookmark: state as JsonObject } : {}),
  });
  const nordics = {
    qStateData: [
      { qStateName: "$", qFieldItems: [{ qDef: { qName: "Region" }, qValues: [{ qText: "Nordics" }] }] },
    ],
  };
  const both = {
    qStateData: [
      {
        qStateName: "$",
        qFieldItems: [{ qDef: { qName: "Region" }, qValues: [{ qText: "Nordics" }, { qText: "Atlantis" }] }],
      },
    ],
  };
  const tree = (b: JsonObject, records?: Map<string, { requested: string; captured: string }>) =>
    new AppTree({ bookmarks: [b] } as AppTreeContent, records ? { bookmarkRecords: records } : undefined);

  test("a changed selection re-creates the bookmark; a changed title only updates its properties", () => {
    const current = tree(bookmark("Nordics", nordics));
    const changed = planBuild(current, tree(bookmark("Nordics", both))).operations;
    expect(changed).toMatchObject([{ kind: "bookmark", action: "update", id: "b1", recreate: true }]);
    const renamed = planBuild(current, tree(bookmark("Nordic countries", nordics))).operations;
    expect(renamed).toHaveLength(1);
    expect(renamed[0].recreate).toBeUndefined();
    expect(planBuild(current, tree(bookmark("Nordics", nordics))).changed).toBe(false);
  });

  test("a bookmark made from these selections, holding what it captured then, is up to date", () => {
    const requested = canonicalSelectionState(both);
    const captured = canonicalSelectionState(nordics);
    const record = new Map([
      ["b1", { requested: selectionDigest(requested), captured: selectionDigest(captured) }],
    ]);
    expect(
      planBuild(tree(bookmark("Nordics", nordics), record), tree(bookmark("Nordics", both))).changed,
    ).toBe(false);
    // Someone changed its selections since: it is made again.
    const other = {
      qStateData: [{ qFieldItems: [{ qDef: { qName: "Region" }, qValues: [{ qText: "Benelux" }] }] }],
    };
    expect(
      planBuild(tree(bookmark("Nordics", other), record), tree(bookmark("Nordics", both))).operations,
    ).toMatchObject([{ action: "update", recreate: true }]);
  });
});
