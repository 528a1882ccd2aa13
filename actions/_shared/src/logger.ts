import * as core from "@actions/core";
import type { Logger } from "@qlik-cicd/common";

/** Maps the library logger onto the runner's log commands (masking is applied by the runner). */
export const actionsLogger: Logger = {
  debug: (message) => core.debug(message),
  info: (message) => core.info(message),
  warn: (message) => core.warning(message),
  error: (message) => core.error(message),
};
