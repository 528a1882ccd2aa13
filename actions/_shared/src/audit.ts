import * as core from "@actions/core";
import { AuditTrail } from "@qlik-cicd/common";
import { dirname, join } from "node:path";
import { canUploadArtifacts, uploadArtifact } from "./artifacts.ts";
import { currentRunUrl } from "./run-context.ts";
import { tmpdir } from "node:os";

/** Context of the run the audit records point back to, from the runner's standard variables. */
function runContext(env: NodeJS.ProcessEnv) {
  const runUrl = currentRunUrl(env) ?? "local";
  const id = [env.GITHUB_RUN_ID ?? "local", env.GITHUB_RUN_ATTEMPT ?? "1", env.GITHUB_JOB, env.GITHUB_ACTION]
    .filter(Boolean)
    .join("-")
    .replace(/[^A-Za-z0-9._-]+/g, "_");
  return { actor: env.GITHUB_ACTOR ?? env.USER ?? "unknown", runUrl, id };
}

/** Starts recording every mutation of this step into a JSON-lines file (QLIK_AUDIT_FILE overrides where). */
export function startAudit(actionName: string, env: NodeJS.ProcessEnv = process.env): AuditTrail {
  const { actor, runUrl, id } = runContext(env);
  const file =
    env.QLIK_AUDIT_FILE ?? join(env.RUNNER_TEMP ?? tmpdir(), "qlik-audit", `${actionName}-${id}.jsonl`);
  return new AuditTrail({ file, actor, runUrl, action: actionName });
}

/**
 * Summarises the step's changes in the job summary and, on a real runner, uploads the audit file as an
 * artifact named after the action and run so re-runs and other steps never collide.
 */
export async function finishAudit(trail: AuditTrail, actionName: string, env = process.env): Promise<void> {
  trail.close();
  if (trail.records.length === 0) return;
  // addHeading writes `<h3>…</h3>` and one line break; markdown after an HTML block needs a blank line.
  core.summary.addHeading("Audit trail", 3).addEOL().addRaw(trail.renderMarkdown(), true);
  core.setOutput("audit-file", trail.file);
  if (env.QLIK_AUDIT_UPLOAD === "false" || !canUploadArtifacts(env)) return;
  try {
    const { id } = runContext(env);
    await uploadArtifact(`qlik-audit-${actionName}-${id}`, [trail.file], dirname(trail.file));
  } catch (error) {
    core.warning(
      `The audit file could not be uploaded as an artifact (${(error as Error).message}); it is at ${trail.file}.`,
    );
  }
}
