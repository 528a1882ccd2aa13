import * as core from "@actions/core";
import { createInputReader, type InputReader, type InputSpecs, type PathPolicy } from "@qlik-cicd/common";

/**
 * An operation's inputs as the runner passes them (INPUT_* variables, read with @actions/core). An empty
 * input takes the operation's declared default, so a bundle run without the runner's defaults (tests,
 * the root action) behaves the same.
 */
export function actionInputs(specs: InputSpecs, paths: PathPolicy): InputReader {
  return createInputReader(specs, { get: (name) => core.getInput(name) }, paths);
}
