import * as core from "@actions/core";
import { outputText, secrets, type FileFinding, type Operation } from "@qlik-cicd/common";
import { actionHost, type GitHubCapabilities } from "./host.ts";
import { actionInputs } from "./inputs.ts";
import { runAction } from "./run-action.ts";

/** A finding as a GitHub annotation: @actions/core writes (and escapes) the workflow command. */
export function annotate(finding: FileFinding): void {
  const properties: core.AnnotationProperties = {
    title: finding.rule,
    file: finding.file,
    startLine: finding.line,
    ...(finding.endLine !== undefined && finding.endLine > finding.line ? { endLine: finding.endLine } : {}),
    ...(finding.column !== undefined ? { startColumn: finding.column } : {}),
  };
  const write = { error: core.error, warning: core.warning, notice: core.notice }[finding.severity];
  write(finding.message, properties);
}

function summarise(markdown: string): void {
  const text = secrets.redact(markdown);
  core.summary.addRaw(text.endsWith("\n") ? text : `${text}\n`);
}

function writeOutputs(outputs: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, outputText(value));
}

/**
 * The whole adapter of an action: read its inputs on the runner, run its library operation, write its
 * outputs, annotations and job summary, and fail the step with one sentence when it fails.
 */
export async function runOperation<Options, Result, GitHub>(
  operation: Operation<Options, Result, GitHub>,
  github?: GitHubCapabilities<GitHub>,
): Promise<void> {
  await runAction(operation.name, async () => {
    const host = actionHost(github);
    const options = operation.options(actionInputs(operation.inputs, host.paths), host);
    let result: Result;
    try {
      result = await operation.run(options, host);
    } catch (error) {
      const report = operation.failed?.(error, options);
      if (report?.outputs) writeOutputs(report.outputs);
      if (report?.summary) summarise(report.summary);
      throw error;
    }
    writeOutputs(operation.outputs(result, options));
    for (const finding of operation.findings?.(result) ?? []) annotate(finding);
    summarise(operation.summary(result, options));
    const failure = operation.failure?.(result, options);
    if (failure) throw failure;
  });
}
