import { connectionMatcher, declaredConnectionNames, scriptFinding } from "./helpers.ts";
import type { LintRule } from "./rule.ts";
import type { RuleFinding } from "../types.ts";

export const scriptStoreTarget: LintRule = {
  id: "script-store-target",
  defaultSeverity: "error",
  description:
    "STORE … INTO writes only under allowed lib:// connections (config `allowedStoreConnections`; default: declared and built-in connections).",
  settings: ["allowedStoreConnections", "builtinConnections"],
  example: {
    files: {
      "connections.yml": "connections:\n  Archive:\n    type: folder\n    connectionstring: /archive\n",
      "script.qvs":
        "///$tab Main\nOrders:\nLOAD * INLINE [\nId\n1\n];\nSTORE Orders INTO [lib://Exports/orders.qvd] (qvd);\n",
    },
    fix: "Store under an allowed connection (`lib://Archive/\u2026`), or list the target under `allowedStoreConnections`.",
  },
  check(ctx) {
    if (!ctx.script) return [];
    const allowedNames = ctx.config.allowedStoreConnections ?? [
      ...declaredConnectionNames(ctx),
      ...ctx.config.builtinConnections,
    ];
    const allowed = connectionMatcher(allowedNames);
    const out: RuleFinding[] = [];
    for (const store of ctx.script.model.stores) {
      const lib = /^lib:\/\/([^/\\]*)/i.exec(store.path);
      if (lib) {
        const name = lib[1].trim();
        // Without a connections file (and no configured list) the declared connections are unknown.
        if (name.includes("$(") || allowed(name) || (!ctx.connections && !ctx.config.allowedStoreConnections))
          continue;
        const list = allowedNames.length ? allowedNames.join(", ") : "none";
        out.push(
          scriptFinding(
            ctx,
            store.token.start,
            `STORE writes to connection "${name}", which is not an allowed target (allowed: ${list}).`,
          ),
        );
      } else if (!store.path.includes("$(")) {
        out.push(
          scriptFinding(
            ctx,
            store.token.start,
            `STORE writes to "${store.path}", outside any lib:// connection: store into an allowed lib:// connection.`,
          ),
        );
      }
    }
    return out;
  },
};
