import * as core from "@actions/core";
import { describeError, secrets } from "@qlik-cicd/common";
import { finishAudit, startAudit } from "./audit.ts";

/**
 * The one wrapper every action's `run()` goes through: secrets are masked as soon as they are
 * registered, every mutation is recorded in the audit trail, and any failure ends the step with one
 * sentence (no stack trace, no secret).
 */
export async function runAction(actionName: string, main: () => Promise<void>): Promise<void> {
  const unsubscribe = secrets.onRegister((value) => core.setSecret(value));
  const audit = startAudit(actionName);
  try {
    await main();
  } catch (error) {
    const sentence = secrets.redact(describeError(error));
    if (error instanceof Error && error.stack) core.debug(secrets.redact(error.stack));
    core.setFailed(`${actionName} failed: ${sentence}`);
  } finally {
    try {
      await finishAudit(audit, actionName);
      await core.summary.write();
    } catch (error) {
      core.warning(`The job summary could not be written: ${(error as Error).message}`);
    }
    unsubscribe();
  }
}
