import { describe, expect, test } from "@jest/globals";
import { AppTree } from "../src/app-tree.ts";
import {
  canonicalAppProperties,
  canonicalProperties,
  canonicalScript,
  canonicalizeContent,
  stripConnectionCredentials,
} from "../src/canonical.ts";
import { sampleContent } from "./helpers/sample-app.ts";

describe("canonical form", () => {
  test("removes volatile and layout-only fields from object properties, at any depth", () => {
    const props = canonicalProperties({
      qInfo: { qId: "c1", qType: "barchart", qLastModified: "x" } as never,
      qMetaDef: {
        title: "T",
        createdDate: "2026-01-01",
        modifiedDate: "2026-01-02",
        published: true,
        approved: false,
        owner: "me",
      },
      qMeta: { privileges: ["read"] },
      qSelectionInfo: { qInSelections: false },
      qHyperCube: { qDataPages: [{ qMatrix: [] }] },
      qHyperCubeDef: { qDimensions: [], qStateName: "" },
      qStateName: "",
      layers: [{ qHyperCube: { qSize: 1 }, qHyperCubeDef: { qMeasures: [] } }],
      creationDate: "2026-01-01",
      title: "T",
    });
    expect(props).toEqual({
      qInfo: { qId: "c1", qType: "barchart" },
      qMetaDef: { title: "T" },
      qHyperCubeDef: { qDimensions: [] },
      layers: [{ qHyperCubeDef: { qMeasures: [] } }],
      title: "T",
    });
  });

  test("keeps a non-default state name", () => {
    expect(canonicalProperties({ qInfo: { qId: "a", qType: "kpi" }, qStateName: "Alt1" }).qStateName).toBe(
      "Alt1",
    );
  });

  test("app properties lose reload time, migration hash, product version and publish state", () => {
    expect(
      canonicalAppProperties({
        qTitle: "Sales",
        description: "d",
        qLastReloadTime: "2026-11-27T00:00:00Z",
        qMigrationHash: "abc",
        qSavedInProductVersion: "14",
        qHasScript: true,
        published: true,
        publishTime: "2026-11-27",
        owner: "u",
        theme: "sense",
      }),
    ).toEqual({ qTitle: "Sales", description: "d", theme: "sense" });
    // Qlik's description is "" until someone writes one, and older qlik-cli trees leave it out: the
    // same thing. The section-access flag follows the script (qlik-cli writes it in lower case).
    expect(canonicalAppProperties({ qTitle: "Sales", description: "", hassectionaccess: false })).toEqual({
      qTitle: "Sales",
    });
  });

  test("script: LF endings, BOM removed, one trailing newline added when missing", () => {
    expect(canonicalScript("\uFEFFa\r\nb\rc")).toBe("a\nb\nc\n");
    expect(canonicalScript("a\n")).toBe("a\n");
    expect(canonicalScript("")).toBe("");
  });

  test("connection strings lose credential segments", () => {
    expect(
      stripConnectionCredentials('CUSTOM CONNECT TO "provider=x;host=h;XUserId=abc;XPassword=secret;"'),
    ).toBe('CUSTOM CONNECT TO "provider=x;host=h;"');
    expect(stripConnectionCredentials("lib://DataFiles")).toBe("lib://DataFiles");
    expect(stripConnectionCredentials("a=1;pwd=2;token=3;b=4")).toBe("a=1;b=4");
  });

  test("lists are ordered by id (variables by name, children by id) and canonicalising is idempotent", () => {
    const content = sampleContent();
    content.measures!.reverse();
    content.variables!.reverse();
    content.objects!.reverse();
    content.objects![0].qChildren.reverse();
    const once = canonicalizeContent(content);
    expect(once.measures!.map((m) => (m.qInfo as { qId: string }).qId)).toEqual(["m1", "m2"]);
    expect(once.variables!.map((v) => v.qName)).toEqual(["vColor", "vTarget"]);
    expect(once.objects!.map((o) => (o.qProperty.qInfo as { qId: string }).qId)).toEqual(["mo1", "s1", "s2"]);
    expect(canonicalizeContent(once)).toEqual(once);
    expect(new AppTree(content).fileTexts()).toEqual(new AppTree(sampleContent()).fileTexts());
  });
});
