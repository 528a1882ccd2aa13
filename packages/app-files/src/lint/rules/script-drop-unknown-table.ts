import { scriptFinding } from "./helpers.ts";
import type { LintRule } from "./rule.ts";

export const scriptDropUnknownTable: LintRule = {
  id: "script-drop-unknown-table",
  defaultSeverity: "warning",
  description:
    "DROP TABLE names a table the script loads (skipped when includes, BINARY or dynamic table names make the set unknowable).",
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
