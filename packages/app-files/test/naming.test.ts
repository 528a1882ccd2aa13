import { describe, expect, test } from "@jest/globals";
import { appSlug, objectFileStem, safeComponent, slugify, uniqueStems } from "../src/naming.ts";

// eslint-disable-next-line no-control-regex -- control characters are exactly what must not appear
const FORBIDDEN = /[/\\:*?"<>|\u0000-\u001f]/;

describe("slugify / appSlug", () => {
  test("lower-cases and dashes separators", () => {
    expect(appSlug("Sales Analytics (EMEA) 2026")).toBe("sales-analytics-emea-2026");
  });
  test("keeps letters of any script and normalises to NFC", () => {
    const nfd = "Cafe\u0301 Übersicht – 売上";
    const slug = appSlug(nfd);
    expect(slug).toBe("café-übersicht-売上");
    expect(slug).toBe(slug.normalize("NFC"));
    expect(appSlug("Café")).toBe(appSlug("Cafe\u0301"));
  });
  test("removes every character some OS rejects, and trailing dots/spaces", () => {
    for (const title of ['a/b\\c:d*e?f"g<h>i|j', "name. . .", "  spaced  ", "tab\there\nnewline", "..."]) {
      const slug = appSlug(title);
      expect(slug).not.toMatch(FORBIDDEN);
      expect(slug).not.toMatch(/[. ]$/);
      expect(slug.length).toBeGreaterThan(0);
    }
    expect(appSlug('a/b\\c:d*e?f"g<h>i|j')).toBe("a-b-c-d-e-f-g-h-i-j");
  });
  test("never returns a reserved Windows device name or an empty name", () => {
    expect(appSlug("CON")).toBe("con-app");
    expect(appSlug("nul")).toBe("nul-app");
    expect(appSlug("LPT1")).toBe("lpt1-app");
    expect(appSlug("Console")).toBe("console");
    expect(appSlug("🚀🚀")).toBe("app");
    expect(appSlug("")).toBe("app");
  });
  test("bounds length in characters and UTF-8 bytes without splitting characters", () => {
    expect([...slugify("x".repeat(500))].length).toBe(48);
    const cjk = slugify("売".repeat(200));
    expect(Buffer.byteLength(cjk, "utf8")).toBeLessThanOrEqual(96);
    expect(cjk).toBe("売".repeat(32));
    expect(slugify(`${"a".repeat(47)} b`)).toBe("a".repeat(47));
  });
});

describe("object file names", () => {
  test("type-title-id, keeping id case", () => {
    expect(objectFileStem("sheet", "Sales Overview", "aBcD12")).toBe("sheet-sales-overview-aBcD12");
    expect(objectFileStem("barchart", "", "xyz")).toBe("barchart-xyz");
    expect(objectFileStem("kpi", "🚀", "k1")).toBe("kpi-k1");
  });
  test("ids with unsafe characters are made safe", () => {
    expect(safeComponent("a/b:c")).toBe("a_b_c");
    expect(safeComponent("CON")).toBe("_CON");
    expect(safeComponent("..")).toBe("_");
    expect(objectFileStem("sheet", "x", "id. ")).toBe("sheet-x-id");
  });
  test("names that differ only by case get a deterministic suffix", () => {
    expect(uniqueStems(["sheet-a-X", "sheet-a-x", "sheet-a-x", "sheet-b"])).toEqual([
      "sheet-a-X",
      "sheet-a-x-2",
      "sheet-a-x-3",
      "sheet-b",
    ]);
  });
});
