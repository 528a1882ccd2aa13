import { describe, expect, test } from "@jest/globals";
import { AppTree } from "../src/app-tree.ts";
import { diffAppTrees, renderDiffMarkdown, scriptSections } from "../src/diff.ts";
import { chart, measure, sampleContent, sheet } from "./helpers/sample-app.ts";

function changedApp() {
  const after = sampleContent();
  after.measures = [
    measure("m1", "Total Sales", "Sum(Amount) * (1 + vTax)"),
    measure("m3", "Margin", "Sum(Margin)"),
  ];
  after.objects = [
    sheet("s1", "Overview", [
      chart("c1", "linechart", "Sales by region"),
      chart("c4", "kpi", "Orders | count"),
    ]),
    after.objects![2],
  ];
  after.script = after.script!.replace("North, 10", "North, 15") + "///$tab Extra\nLET vTax = 0.2;\n";
  after.variables = [after.variables![0]];
  after.appProperties = { ...after.appProperties, description: "Sales by region and product" };
  return after;
}

describe("diffAppTrees", () => {
  test("equal trees have no changes", () => {
    const diff = diffAppTrees(new AppTree(sampleContent()), new AppTree(sampleContent()));
    expect(diff.changed).toBe(false);
    expect(diff.entries).toEqual([]);
    expect(renderDiffMarkdown(diff)).toBe("## App changes\n\nNo changes.\n");
  });

  test("reports added, changed and removed items of every kind, with readable details", () => {
    const diff = diffAppTrees(new AppTree(sampleContent()), new AppTree(changedApp()));
    const brief = diff.entries.map((e) => `${e.kind} ${e.change} ${e.id}`);
    expect(brief).toEqual([
      "script added Extra",
      "script changed Load",
      "app-properties changed app-properties",
      "variable removed vColor",
      "measure added m3",
      "measure changed m1",
      "measure removed m2",
      "sheet changed s1",
      "sheet removed s2",
      "object added c4",
      "object changed c1",
      "object removed c3",
      "object removed c2",
    ]);
    const m1 = diff.entries.find((e) => e.id === "m1")!;
    expect(m1.details).toEqual([
      { label: "expression", before: "Sum(Amount)", after: "Sum(Amount) * (1 + vTax)" },
    ]);
    expect(diff.entries.find((e) => e.id === "m3")!.details).toEqual([
      { label: "expression", after: "Sum(Margin)" },
    ]);
    const c1 = diff.entries.find((e) => e.id === "c1")!;
    expect(c1).toMatchObject({ type: "linechart", parentId: "s1" });
    expect(c1.details).toContainEqual({ label: "visualization", before: "barchart", after: "linechart" });
    expect(diff.entries.find((e) => e.id === "Load")!.details[0]).toEqual({
      label: "1 line added, 1 removed",
    });
    expect(diff.counts.measure).toEqual({ added: 1, changed: 1, removed: 1 });
  });

  test("renders one table per kind, escaping table syntax, deterministically", () => {
    const diff = diffAppTrees(new AppTree(sampleContent()), new AppTree(changedApp()));
    const md = renderDiffMarkdown(diff);
    expect(md).toBe(
      renderDiffMarkdown(diffAppTrees(new AppTree(sampleContent()), new AppTree(changedApp()))),
    );
    expect(md).toContain("**3 added, 5 changed, 5 removed.**");
    expect(md).toContain("### Measures (1 added, 1 changed, 1 removed)");
    expect(md).toContain("| Change | Title | Id | Details |");
    expect(md).toContain(
      "| ✏️ changed | Total Sales | `m1` | expression: `Sum(Amount)` → `Sum(Amount) * (1 + vTax)` |",
    );
    expect(md).toContain("| ➕ added | kpi | Orders \\| count | `c4` |");
    expect(md).toContain("### Script sections (1 added, 1 changed, 0 removed)");
    expect(md.indexOf("### Script sections")).toBeLessThan(md.indexOf("### Measures"));
    expect(md.indexOf("### Sheets")).toBeLessThan(md.indexOf("### Charts and other objects"));
    expect(md.endsWith("\n")).toBe(true);
    for (const line of md.split("\n").filter((l) => l.startsWith("| "))) {
      // Every row has the same number of unescaped cell separators as its header.
      expect(line.replace(/\\\|/g, "").split("|").length).toBeGreaterThanOrEqual(5);
    }
  });

  test("limits rows per table", () => {
    const before = sampleContent();
    const after = sampleContent();
    after.measures = Array.from({ length: 7 }, (_, i) => measure(`x${i}`, `M${i}`, "1"));
    const md = renderDiffMarkdown(diffAppTrees(new AppTree(before), new AppTree(after)), {
      maxRowsPerKind: 3,
      title: "",
    });
    expect(md.startsWith("**")).toBe(true);
    expect(md).toContain("…and 6 more.");
  });

  test("script sections split on ///$tab", () => {
    expect(scriptSections("///$tab Main\na\n///$tab Data\nb\nc\n///$tab Main\nd\n")).toEqual([
      { name: "Main", text: "a" },
      { name: "Data", text: "b\nc" },
      { name: "Main (2)", text: "d" },
    ]);
    expect(scriptSections("x\n///$tab A\ny")).toEqual([
      { name: "(before first tab)", text: "x" },
      { name: "A", text: "y" },
    ]);
  });
});

describe("bookmark selections in the diff", () => {
  test("a changed selection is one readable line per side; other properties as usual", () => {
    const withSelections = (values: string[], title = "North only") => {
      const content = sampleContent();
      content.bookmarks = [
        {
          qInfo: { qId: "b1", qType: "bookmark" },
          qMetaDef: { title, description: "" },
          qBookmark: {
            qStateData: [
              {
                qStateName: "$",
                qFieldItems: [{ qDef: { qName: "Region" }, qValues: values.map((qText) => ({ qText })) }],
              },
              {
                qStateName: "Compare",
                qFieldItems: [
                  {
                    qDef: { qName: "Product" },
                    qSelectInfo: { qTextSearch: "rain" },
                    qValues: [{ qText: "Rain Jacket" }],
                  },
                ],
              },
            ],
          },
        },
      ];
      return new AppTree(content);
    };
    const diff = diffAppTrees(
      withSelections(["North"]),
      withSelections(["North", "South"], "North and south"),
    );
    expect(diff.entries).toEqual([
      {
        kind: "bookmark",
        change: "changed",
        id: "b1",
        title: "North and south",
        details: [
          {
            label: "selections",
            before: 'Region = North · Compare: Product ~ "rain"',
            after: 'Region = North, South · Compare: Product ~ "rain"',
          },
          { label: "title", before: "North only", after: "North and south" },
        ],
      },
    ]);
    const added = diffAppTrees(new AppTree({ ...sampleContent(), bookmarks: [] }), withSelections(["North"]));
    expect(added.entries[0].details).toEqual([
      { label: "selections", after: 'Region = North · Compare: Product ~ "rain"' },
    ]);
  });
});
