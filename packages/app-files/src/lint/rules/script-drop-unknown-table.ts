import { scriptFinding } from "./helpers.ts";
import type { LintRule } from "./rule.ts";

export const scriptDropUnknownTable: LintRule = {
  id: "script-drop-unknown-table",
  defaultSeverity: "warning",
  description:
    "DROP TABLE names a table the script loads (skipped when includes, BINARY or dynamic table names make the set unknowable).",
  example: {
    files: {
      "script.qvs": "///$tab Main\nOrders:\nLOAD * INLINE [\nId\n1\n];\nDROP TABLE Order;\n",
    },
    fix: "Drop the table by the name the script loads it under: `DROP TABLE Orders;`.",
  },
  check(ctx) {
    if (!ctx.script) return [];
    const { model } = ctx.script;
    if (!model.loadedTablesComplete) return [];
    return model.drops
      .filter((d) => !model.loadedTables.has(d.name))
      .map((d) =>
        scriptFinding(
          ctx,
          d.token.start,
          `DROP TABLE "${d.name}": no table of that name is loaded in the script.`,
        ),
      );
  },
};
