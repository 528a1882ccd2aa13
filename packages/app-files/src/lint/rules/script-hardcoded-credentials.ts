import { findSecrets } from "./credentials.ts";
import { scriptFinding } from "./helpers.ts";
import type { LintRule } from "./rule.ts";

export const scriptHardcodedCredentials: LintRule = {
  id: "script-hardcoded-credentials",
  defaultSeverity: "error",
  description:
    "No passwords, tokens or keys in the script (comments included: they land in git too); credentials belong in data connections.",
  example: {
    files: {
      "script.qvs": "///$tab Main\nLIB CONNECT TO 'SalesDB (user=report;password=hunter2)';\n",
    },
    fix: "Keep credentials in the data connection (connections.yml with a secret reference at deploy time) and connect by name: `LIB CONNECT TO 'SalesDB';`.",
  },
  check(ctx) {
    if (!ctx.script) return [];
    return findSecrets(ctx.script.model.text).map((s) =>
      scriptFinding(
        ctx,
        s.index,
        `Hard-coded ${s.kind} in the script: move the credential into a data connection and use lib://.`,
      ),
    );
  },
};
