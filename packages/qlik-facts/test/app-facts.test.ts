import { describe, expect, it } from "@jest/globals";
import {
  CONTAINER_CHILD_LABELS,
  DEFAULT_LABELS,
  DEFAULT_SCRIPT_VARIABLES,
  isQlikVariable,
  isTemplatePath,
  libraryIdKind,
  QLIK_VARIABLES,
  SWITCH_VARIABLES,
  TEXT_VISUALIZATIONS,
} from "@qlik-cicd/qlik-facts";

describe("Qlik's own variables", () => {
  it("name each variable once, case as Qlik writes it", () => {
    expect(new Set(QLIK_VARIABLES).size).toBe(QLIK_VARIABLES.length);
    expect(isQlikVariable("ThousandSep")).toBe(true);
    expect(isQlikVariable("thousandsep")).toBe(false);
    expect(isQlikVariable("vSales")).toBe(false);
  });

  it("keep the switches and a new script's header among them", () => {
    for (const name of [...SWITCH_VARIABLES, ...DEFAULT_SCRIPT_VARIABLES])
      expect(isQlikVariable(name)).toBe(true);
    expect(DEFAULT_SCRIPT_VARIABLES).toContain("CollationLocale");
  });
});

describe("object types", () => {
  it("tell which master item a qLibraryId names by its nearest enclosing key", () => {
    expect(libraryIdKind(["qHyperCubeDef", "qMeasures", 0])).toBe("measure");
    expect(libraryIdKind(["qHyperCubeDef", "qDimensions", 2])).toBe("dimension");
    expect(libraryIdKind(["qHyperCubeDef", "qDimensions", 0, "qAttributeExpressions", 1])).toBe("measure");
    expect(libraryIdKind(["qHyperCubeDef", "qMeasures", 0, "qMiniChartDef"])).toBe("dimension");
    expect(libraryIdKind(["qHyperCubeDef", "qMeasures", 0, "qAttributeDimensions", 0])).toBe("dimension");
    expect(libraryIdKind(["qListObjectDef"])).toBe("dimension");
    expect(libraryIdKind(["color", "byMeasureDef"])).toBeUndefined();
  });

  it("recognise a container's data template and everything under it", () => {
    expect(isTemplatePath(["qChildListDef", "qData"])).toBe(true);
    expect(isTemplatePath(["qProperty", "qChildListDef", "qData", "nested"])).toBe(true);
    expect(isTemplatePath(["qChildListDef"])).toBe(false);
    expect(isTemplatePath(["qData", "qChildListDef"])).toBe(false);
  });

  it("list sn-text with text-image, and a default name for the chart types containers label", () => {
    expect(TEXT_VISUALIZATIONS).toEqual(["text-image", "sn-text"]);
    expect(CONTAINER_CHILD_LABELS.map((c) => c.visualization)).toEqual(["container", "sn-layout-container"]);
    expect(DEFAULT_LABELS.linechart).toBe("Line chart");
  });
});
