import { connectionsCredentials } from "./connections-credentials.ts";
import { expressionMissingVariable } from "./expression-missing-variable.ts";
import { fileMissing } from "./file-missing.ts";
import { fileParse } from "./file-parse.ts";
import { masterItemDuplicateId } from "./master-item-duplicate-id.ts";
import { masterItemDuplicateName } from "./master-item-duplicate-name.ts";
import { objectChartNoTitle } from "./object-chart-no-title.ts";
import { objectEmptySheet } from "./object-empty-sheet.ts";
import { objectMissingMasterItem } from "./object-missing-master-item.ts";
import type { LintRule } from "./rule.ts";
import { scriptDropUnknownTable } from "./script-drop-unknown-table.ts";
import { scriptHardcodedCredentials } from "./script-hardcoded-credentials.ts";
import { scriptHardcodedLocation } from "./script-hardcoded-location.ts";
import { scriptSectionDuplicate } from "./script-section-duplicate.ts";
import { scriptSectionName } from "./script-section-name.ts";
import { scriptStoreTarget } from "./script-store-target.ts";
import { scriptUnbalanced } from "./script-unbalanced.ts";
import { scriptUndeclaredConnection } from "./script-undeclared-connection.ts";
import { scriptVariableRedefined } from "./script-variable-redefined.ts";

export type { LintRule } from "./rule.ts";

/** Every rule, in a fixed order. */
export const RULES: readonly LintRule[] = [
  fileParse,
  fileMissing,
  scriptSectionName,
  scriptSectionDuplicate,
  scriptUnbalanced,
  scriptUndeclaredConnection,
  scriptHardcodedCredentials,
  scriptHardcodedLocation,
  scriptStoreTarget,
  scriptDropUnknownTable,
  scriptVariableRedefined,
  connectionsCredentials,
  masterItemDuplicateName,
  masterItemDuplicateId,
  expressionMissingVariable,
  objectMissingMasterItem,
  objectChartNoTitle,
  objectEmptySheet,
];
