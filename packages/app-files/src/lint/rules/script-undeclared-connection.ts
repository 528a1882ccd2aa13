import { connectionMatcher, declaredConnectionNames, scriptFinding } from "./helpers.ts";
import type { LintRule } from "./rule.ts";

export const scriptUndeclaredConnection: LintRule = {
  id: "script-undeclared-connection",
  defaultSeverity: "error",
  description:
    "Every `lib://<connection>` and `LIB CONNECT TO` in the script names a connection declared in connections.yml (or a built-in one); skipped when the app has no connections file.",
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
