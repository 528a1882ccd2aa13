import * as core from "@actions/core";
import { sortKeysDeep } from "@qlik-cicd/common";

/** Strings are written as they are; everything else as JSON with sorted keys (structured outputs). */
export function writeOutput(name: string, value: unknown): void {
  if (value === undefined || value === null) {
    core.setOutput(name, "");
  } else if (typeof value === "string") {
    core.setOutput(name, value);
  } else if (typeof value === "number" || typeof value === "boolean") {
    core.setOutput(name, String(value));
  } else {
    core.setOutput(name, JSON.stringify(sortKeysDeep(value)));
  }
}
