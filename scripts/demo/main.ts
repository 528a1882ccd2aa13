/** `npm run demo`: flags, the pipeline, the report files, one sentence and exit 1 on failure. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalJson, describeError } from "@qlik-cicd/common";
import { DemoUsageError, parseDemoArgs, USAGE } from "./args.ts";
import { displayPath, runPipeline, STAGES } from "./pipeline.ts";
import { formatSeconds, Progress } from "./progress.ts";
import type { DemoReport } from "./report-data.ts";
import { renderReportHtml } from "./report-html.ts";
import { renderReportMarkdown } from "./report-markdown.ts";

export interface DemoIo {
  write(line: string): void;
  now?: () => number;
}

const stdoutIo: DemoIo = { write: (line) => process.stdout.write(`${line}\n`) };

function oneSentence(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return /[.!?]$/.test(flat) ? flat : `${flat}.`;
}

export async function main(argv: readonly string[], io: DemoIo = stdoutIo): Promise<number> {
  let args;
  try {
    args = parseDemoArgs(argv);
  } catch (error) {
    if (error instanceof DemoUsageError) {
      io.write(oneSentence(error.message));
      return 1;
    }
    throw error;
  }
  if (args.help) {
    io.write(USAGE);
    return 0;
  }
  const now = io.now ?? (() => Date.now());
  const started = now();
  const progress = new Progress(io.write, { quiet: args.quiet, total: STAGES.length, now });
  progress.line(
    "Qlik Cloud CI/CD demo: the whole pipeline on the embedded simulator — one machine, no Qlik account.",
  );
  progress.line("");
  try {
    const result = await runPipeline({ out: args.out, tenants: args.tenants, progress });
    progress.stage(STAGES[STAGES.length - 1]);
    mkdirSync(args.out, { recursive: true });
    const files = {
      json: join(args.out, "report.json"),
      md: join(args.out, "report.md"),
      html: join(args.out, "report.html"),
    };
    const report: DemoReport = {
      version: 1,
      generatedAt: new Date().toISOString(),
      totalMs: 0,
      stages: [],
      ...result,
    };
    // The report stage's own time is tiny; the total is measured up to here and the stage closed first.
    const record = progress.done("report.md, report.html and report.json written");
    report.stages = progress.stages.map((s) => ({ ...s }));
    report.totalMs = now() - started;
    writeFileSync(files.json, canonicalJson(report));
    writeFileSync(files.md, renderReportMarkdown(report));
    writeFileSync(files.html, renderReportHtml(report));
    void record;
    const rel = (p: string) => displayPath(p);
    progress.line("");
    progress.line(`Demo finished in ${formatSeconds(report.totalMs)}.`);
    progress.line(`  Report (markdown): ${rel(files.md)}`);
    progress.line(`  Report (HTML):     ${rel(files.html)}`);
    progress.line(`  Report (JSON):     ${rel(files.json)}`);
    progress.line(`  Rollout state:     ${report.rollout.stateFile}`);
    progress.line(`  Estate (HTML):     ${report.estateView.files.html}`);
    return 0;
  } catch (error) {
    const stage = progress.currentStage;
    const where = stage ? ` in stage ${stage.index} (${stage.title})` : "";
    progress.line(oneSentence(`Demo failed${where}: ${describeError(error)}`));
    return 1;
  }
}
