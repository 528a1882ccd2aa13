import { jsonFinding, objectId, objectNodes, objectType } from "./helpers.ts";
import type { LintRule } from "./rule.ts";
import type { RuleFinding } from "../types.ts";

export const objectEmptySheet: LintRule = {
  id: "object-empty-sheet",
  defaultSeverity: "warning",
  description: "Sheets contain at least one object.",
  example: {
    files: {
      "objects/sheet-drafts-sh2.json":
        '{\n  "qProperty": { "qInfo": { "qId": "sh2", "qType": "sheet" }, "qMetaDef": { "title": "Drafts" }, "cells": [] },\n  "qChildren": []\n}\n',
      "script.qvs": "///$tab Main\nSales:\nLOAD * INLINE [\nRegion, Amount\nNorth, 10\n];\n",
    },
    fix: "Add the sheet's objects, or delete the sheet.",
  },
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const file of ctx.objects) {
      for (const node of objectNodes(file)) {
        if (objectType(node) !== "sheet") continue;
        const cells = Array.isArray(node.props.cells) ? node.props.cells.length : 0;
        if (node.children.length > 0 || cells > 0) continue;
        const id = objectId(node);
        out.push(
          jsonFinding(file, [...node.path, "qInfo", "qId"], `Sheet${id ? ` ${id}` : ""} has no objects.`),
        );
      }
    }
    return out;
  },
};
