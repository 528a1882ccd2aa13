import * as core from "@actions/core";
import { auditRunId, auditSummaryMarkdown, openAuditTrail, type AuditTrail } from "@qlik-cicd/common";
import { tmpdir } from "node:os";
import { dirname } from "node:path";
import { canUploadArtifacts, uploadArtifact } from "./artifacts.ts";
import { currentRunUrl } from "./run-context.ts";

/** Starts recording every mutation of this step into a JSON-lines file (QLIK_AUDIT_FILE overrides where). */
export function startAudit(actionName: string, env: NodeJS.ProcessEnv = process.env): AuditTrail {
  return openAuditTrail(actionName, {
    env,
    tempDir: env.RUNNER_TEMP ?? tmpdir(),
    runUrl: currentRunUrl(env),
  });
}

/**
 * Summarises the step's changes in the job summary and, on a real runner, uploads the audit file as an
 * artifact named after the action and run so re-runs and other steps never collide.
 */
export async function finishAudit(trail: AuditTrail, actionName: string, env = process.env): Promise<void> {
  trail.close();
  if (trail.count === 0) return;
  core.summary.addRaw(auditSummaryMarkdown(trail));
  core.setOutput("audit-file", trail.file);
  if (env.QLIK_AUDIT_UPLOAD === "false" || !canUploadArtifacts(env)) return;
  try {
    await uploadArtifact(`qlik-audit-${actionName}-${auditRunId(env)}`, [trail.file], dirname(trail.file));
  } catch (error) {
    core.warning(
      `The audit file could not be uploaded as an artifact (${(error as Error).message}); it is at ${trail.file}.`,
    );
  }
}
