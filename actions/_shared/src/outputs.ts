import * as core from "@actions/core";
import { redactCredentials, sortKeysDeep } from "@qlik-cicd/common";

/**
 * Strings are written as they are; everything else as JSON with sorted keys (structured outputs).
 * Credentials written into quoted text (`password=…`) are redacted, as in every other output.
 */
export function writeOutput(name: string, value: unknown): void {
  if (value === undefined || value === null) {
    core.setOutput(name, "");
  } else if (typeof value === "string") {
    core.setOutput(name, redactCredentials(value));
  } else if (typeof value === "number" || typeof value === "boolean") {
    core.setOutput(name, String(value));
  } else {
    core.setOutput(name, redactCredentials(JSON.stringify(sortKeysDeep(value))));
  }
}
