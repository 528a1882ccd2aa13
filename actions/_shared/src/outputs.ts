import * as core from "@actions/core";
import { outputText } from "@qlik-cicd/common";

/**
 * Strings are written as they are; everything else as JSON with sorted keys (structured outputs).
 * Credentials written into quoted text (`password=…`) are redacted, as in every other output.
 */
export function writeOutput(name: string, value: unknown): void {
  core.setOutput(name, outputText(value));
}
