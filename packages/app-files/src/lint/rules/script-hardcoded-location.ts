import { scriptFinding } from "./helpers.ts";
import type { LintRule } from "./rule.ts";
import type { RuleFinding } from "../types.ts";

const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/;

/** Why a FROM source is a hard-coded location, or undefined when it is fine. */
function hardcodedLocation(source: string): string | undefined {
  if (/^lib:\/\//i.test(source) || source.includes("$(")) return undefined;
  if (/^(https?|s?ftp|ftps|file):\/\//i.test(source)) return "a URL";
  if (/^\\\\/.test(source) || /^\/\/[^/]/.test(source)) return "a network share";
  if (/^[A-Za-z]:[\\/]/.test(source)) return "a local drive path";
  if (IPV4.test(source)) return "an IP address";
  return undefined;
}

export const scriptHardcodedLocation: LintRule = {
  id: "script-hardcoded-location",
  defaultSeverity: "warning",
  description:
    "Sources are reached through lib:// connections, not inline CONNECT strings, URLs, hosts, IP addresses, shares or drive paths.",
  example: {
    files: {
      "script.qvs": "///$tab Main\nOrders:\nLOAD * FROM [C:\\\\Data\\\\orders.qvd] (qvd);\n",
    },
    fix: "Read through a connection: `LOAD * FROM [lib://SalesData/orders.qvd] (qvd);`.",
  },
  check(ctx) {
    if (!ctx.script) return [];
    const { model } = ctx.script;
    const out: RuleFinding[] = [];
    for (const t of model.inlineConnects) {
      out.push(
        scriptFinding(
          ctx,
          t.start,
          `${t.text.toUpperCase()} CONNECT with an inline connection string hard-codes the server: create a data connection and use LIB CONNECT TO.`,
        ),
      );
    }
    for (const t of model.fromPaths) {
      if (t.kind === "word" && !/[\\/:]/.test(t.value) && !IPV4.test(t.value)) continue;
      const why = hardcodedLocation(t.value);
      if (why) {
        // The location is not repeated: URLs can carry tokens.
        out.push(scriptFinding(ctx, t.start, `LOAD FROM ${why}: use a lib:// connection instead.`));
      }
    }
    return out;
  },
};
