import * as core from "@actions/core";
import { redactCredentials, type Logger } from "@qlik-cicd/common";

/**
 * Maps the library logger onto the runner's log commands. The runner masks registered secrets;
 * credentials written into quoted text (`password=…` in a script line) are redacted here.
 */
// The runner shows debug lines only with step debug logging on (RUNNER_DEBUG, fixed for the step):
// without it they are not written at all (a rollout of a thousand tenants logs a line per request).
const debugOn = core.isDebug();

export const actionsLogger: Logger = {
  debug: (message) => {
    if (debugOn) core.debug(redactCredentials(message));
  },
  info: (message) => core.info(redactCredentials(message)),
  warn: (message) => core.warning(redactCredentials(message)),
  error: (message) => core.error(redactCredentials(message)),
};
