import { connectionMatcher, declaredConnectionNames, scriptFinding } from "./helpers.ts";
import type { LintRule } from "./rule.ts";

export const scriptUndeclaredConnection: LintRule = {
  id: "script-undeclared-connection",
  defaultSeverity: "error",
  description:
    "Every `lib://<connection>` and `LIB CONNECT TO` in the script names a connection declared in connections.yml (or a built-in one); skipped when the app has no connections file.",
  settings: ["builtinConnections"],
  example: {
    files: {
      "connections.yml": "connections:\n  SalesDB:\n    type: folder\n    connectionstring: /sales\n",
      "script.qvs": "///$tab Main\nOrders:\nLOAD * FROM [lib://Lake/orders.qvd] (qvd);\n",
    },
    fix: "Declare the connection in connections.yml, or list it under `builtinConnections` when the tenant provides it.",
  },
  check(ctx) {
    // Without a connections file the app's connections are not managed by the files: nothing to check against.
    if (!ctx.script || !ctx.connections) return [];
    const declared = connectionMatcher([...declaredConnectionNames(ctx), ...ctx.config.builtinConnections]);
    const file = ctx.connections?.path ?? "connections.yml";
    return ctx.script.model.connectionRefs
      .filter((ref) => !ref.name.includes("$(") && !declared(ref.name))
      .map((ref) =>
        scriptFinding(
          ctx,
          ref.offset,
          ref.name === ""
            ? "lib:// path has no connection name."
            : `Connection "${ref.name}" is not declared in ${file}.`,
        ),
      );
  },
};
