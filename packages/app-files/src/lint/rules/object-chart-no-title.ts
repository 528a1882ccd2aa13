import { isRecord, jsonFinding, objectId, objectNodes, str } from "./helpers.ts";
import type { LintRule } from "./rule.ts";
import type { RuleFinding } from "../types.ts";

const UNTITLED_VISUALIZATIONS = new Set(["filterpane", "listbox", "text-image", "action-button", "sheet"]);

function titleText(title: unknown): string {
  if (typeof title === "string") return title;
  if (isRecord(title) && isRecord(title.qStringExpression)) return str(title.qStringExpression.qExpr) ?? "";
  return "";
}

export const objectChartNoTitle: LintRule = {
  id: "object-chart-no-title",
  defaultSeverity: "notice",
  description:
    "Charts (objects with a hypercube) have a title, so readers and screen readers know what they show.",
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const file of ctx.objects) {
      for (const node of objectNodes(file)) {
        const viz = str(node.props.visualization);
        if (!isRecord(node.props.qHyperCubeDef) || (viz && UNTITLED_VISUALIZATIONS.has(viz))) continue;
        if (titleText(node.props.title).trim() !== "") continue;
        const meta = isRecord(node.props.qMetaDef) ? str(node.props.qMetaDef.title) : undefined;
        if (meta && meta.trim() !== "") continue;
        const path = "title" in node.props ? [...node.path, "title"] : [...node.path, "qInfo", "qId"];
        const id = objectId(node);
        const what = `${viz ?? "chart"}${id ? ` ${id}` : ""}`;
        out.push(
          jsonFinding(file, path, `Chart has no title (${what}): give it a title that says what it shows.`),
        );
      }
    }
    return out;
  },
};
