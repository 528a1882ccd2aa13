import { findSecrets } from "./credentials.ts";
import { isRecord } from "./helpers.ts";
import type { LintRule } from "./rule.ts";
import type { RuleFinding } from "../types.ts";

export const connectionsCredentials: LintRule = {
  id: "connections-credentials",
  defaultSeverity: "error",
  description:
    "connections.yml carries no passwords or secrets in connection strings; supply them as secret references at build time.",
  example: {
    files: {
      "connections.yml":
        "connections:\n  SalesDB:\n    type: postgres\n    connectionstring: host=db.example.com;user=report;password=hunter2\n",
      "script.qvs": "///$tab Main\nSales:\nLOAD * INLINE [\nRegion, Amount\nNorth, 10\n];\n",
    },
    fix: "Remove the password from the connection string and supply it at deploy time as `password: { secret: NAME }` in the parameters file.",
  },
  check(ctx) {
    const conns = ctx.connections;
    if (!conns) return [];
    const out: RuleFinding[] = [];
    for (const entry of conns.entries) {
      if (!isRecord(entry.value)) continue;
      for (const [key, value] of Object.entries(entry.value)) {
        if (typeof value !== "string" && typeof value !== "number") continue;
        const text = String(value);
        const at = entry.doc.locate([...entry.keyPath, key]);
        if (/^(password|pwd|secret|token|apikey|api-key|api_key)$/i.test(key)) {
          if (text.trim() !== "" && !/^\$\{.+\}$/.test(text.trim())) {
            out.push({
              file: entry.file,
              line: at.line,
              column: at.column,
              message: `Connection "${entry.name}" has a hard-coded ${key}: leave it empty or use a \${SECRET_NAME} reference.`,
            });
          }
        } else if (findSecrets(text).length > 0) {
          out.push({
            file: entry.file,
            line: at.line,
            column: at.column,
            message: `Connection "${entry.name}" has a credential in its ${key}: remove it and supply it as a secret.`,
          });
        }
      }
    }
    return out;
  },
};
