import * as core from "@actions/core";
import { describeError, secrets } from "@qlik-cicd/common";

/**
 * The one wrapper every action's `run()` goes through: secrets are masked as soon as they are
 * registered, and any failure ends the step with one sentence (no stack trace, no secret).
 */
export async function runAction(actionName: string, main: () => Promise<void>): Promise<void> {
  const unsubscribe = secrets.onRegister((value) => core.setSecret(value));
  try {
    await main();
  } catch (error) {
    const sentence = secrets.redact(describeError(error));
    if (error instanceof Error && error.stack) core.debug(secrets.redact(error.stack));
    core.setFailed(`${actionName} failed: ${sentence}`);
  } finally {
    unsubscribe();
  }
}
