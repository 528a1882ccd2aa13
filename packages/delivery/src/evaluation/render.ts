/** Markdown for the job summary and the pull-request comment. */
import { formatMs, formatPercent } from "./gate.ts";
import type { EvaluationReport } from "./report.ts";
import type { MetricComparison, ObjectComparison } from "./types.ts";

export interface RenderOptions {
  /** How many of the slowest objects to list (default 10); regressed objects are always listed. */
  maxObjects?: number;
  /** Link to the run, shown at the end. */
  runUrl?: string;
}

/** Escapes text for a markdown table cell. */
function cell(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/[\r\n]+/g, " ")
    .replace(/([*_`<>[\]])/g, "\\$1");
}

const ms = (v: number | null) => (v === null ? "–" : formatMs(v));

function delta(o: { deltaMs: number | null; deltaPercent: number | null }): string {
  if (o.deltaMs === null) return "–";
  const sign = o.deltaMs > 0 ? "+" : o.deltaMs < 0 ? "−" : "±";
  const abs = formatMs(Math.abs(o.deltaMs));
  return o.deltaPercent === null ? `${sign}${abs}` : `${sign}${abs} (${formatPercent(o.deltaPercent)})`;
}

function objectRow(o: ObjectComparison): string {
  const name = o.title ? cell(o.title) : `\`${cell(o.id)}\``;
  const mark = o.regressed ? "❌ " : "";
  const status = o.status === "new" ? " _(new)_" : o.status === "removed" ? " _(removed)_" : "";
  const main = `${mark}${name}${status}`;
  const d = delta(o);
  return `| ${o.regressed ? `**${main}**` : main} | ${cell(o.type)} | ${cell(o.sheetTitle ?? "")} | ${ms(o.baselineMs)} | ${ms(o.currentMs)} | ${o.regressed ? `**${d}**` : d} |`;
}

function metricRow(label: string, m: MetricComparison, fmt: (n: number) => string): string {
  const f = (v: number | null) => (v === null ? "–" : fmt(v));
  const d =
    m.delta === null
      ? "–"
      : `${m.delta > 0 ? "+" : m.delta < 0 ? "−" : "±"}${fmt(Math.abs(m.delta))}${m.deltaPercent === null ? "" : ` (${formatPercent(m.deltaPercent)})`}`;
  return `| ${m.regressed ? `❌ **${label}**` : label} | ${f(m.baseline)} | ${f(m.current)} | ${m.regressed ? `**${d}**` : d} |`;
}

const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;

function baselineLine(report: EvaluationReport): string {
  const b = report.baseline;
  const n = b.evaluations.length;
  const passes = `${n} evaluation${n === 1 ? "" : "s"}`;
  switch (b.kind) {
    case "none":
      return "No baseline was found: only absolute limits and evaluation errors were checked.";
    case "report":
      return `Baseline: ${passes} from a saved report of '${cell(b.appName ?? b.appId ?? "")}'.`;
    case "evaluation":
      return `Baseline: ${passes} (${b.evaluationIds.map((id) => `\`${id}\``).join(", ")}).`;
    default:
      return `Baseline: '${cell(b.appName ?? "")}' in space '${cell(b.space ?? "")}', ${passes}${b.reused ? ` (${b.reused} reused from recent runs)` : ""}.`;
  }
}

/** The whole summary: verdict, regressions, the slowest objects, app open and memory, errors, warnings. */
export function renderEvaluationMarkdown(report: EvaluationReport, options: RenderOptions = {}): string {
  const { gate, app, thresholds } = report;
  const max = options.maxObjects ?? 10;
  const lines: string[] = [];
  const icon = gate.verdict === "pass" ? "✅" : "❌";
  lines.push(
    `### ${icon} Performance gate ${gate.verdict === "pass" ? "passed" : "failed"}: ${cell(app.name)}`,
  );
  lines.push("");
  const what = app.temporary
    ? `a temporary app built from \`${cell(app.source ?? "")}\` (deleted after the run)`
    : `app \`${app.id}\``;
  lines.push(
    `Evaluated ${what} ${gate.passes.current} time${gate.passes.current === 1 ? "" : "s"}; medians per metric are compared. ${baselineLine(report)}`,
  );
  lines.push("");
  if (gate.regressions.length) {
    lines.push(`**Regressions (${gate.regressions.length})**`);
    lines.push("");
    for (const r of gate.regressions) lines.push(`- **${cell(r.message)}**`);
    lines.push("");
  }
  const regressed = gate.objects.filter((o) => o.regressed);
  const shown = [
    ...gate.objects.slice(0, max),
    ...regressed.filter((o) => !gate.objects.slice(0, max).includes(o)),
  ];
  if (shown.length) {
    lines.push(
      gate.objects.length > shown.length
        ? `**Slowest objects** (${shown.length} of ${gate.objects.length}, uncached response time)`
        : "**Objects** (uncached response time)",
    );
    lines.push("");
    lines.push("| Object | Type | Sheet | Baseline | Now | Change |");
    lines.push("| --- | --- | --- | ---: | ---: | ---: |");
    for (const o of shown) lines.push(objectRow(o));
    lines.push("");
  } else {
    lines.push("_No objects were evaluated._");
    lines.push("");
  }
  lines.push("| App | Baseline | Now | Change |");
  lines.push("| --- | ---: | ---: | ---: |");
  lines.push(metricRow("Open app", gate.appOpen, formatMs));
  lines.push(metricRow("Reload peak memory", gate.memory, mib));
  lines.push("");
  if (gate.errors.length) {
    lines.push(`**Evaluation errors (${gate.errors.length})**`);
    lines.push("");
    for (const e of gate.errors) {
      lines.push(
        `- ${e.errorCode ? `\`${cell(e.errorCode)}\` ` : ""}${cell(e.message)}${e.inBaseline ? " _(also in the baseline)_" : ""}`,
      );
    }
    lines.push("");
  }
  if (report.warnings.length) {
    for (const w of report.warnings) lines.push(`> ⚠️ ${cell(w)}`);
    lines.push("");
  }
  const limits = [
    `slower by more than ${thresholds.maxRegressionPercent} % and ${thresholds.minRegressionMs} ms`,
    thresholds.maxObjectMs !== undefined ? `any object above ${formatMs(thresholds.maxObjectMs)}` : "",
    thresholds.maxAppOpenMs !== undefined ? `opening above ${formatMs(thresholds.maxAppOpenMs)}` : "",
    thresholds.maxMemoryRegressionPercent !== undefined
      ? `reload memory up by more than ${thresholds.maxMemoryRegressionPercent} %`
      : "",
    thresholds.failOnErrors ? "evaluation errors" : "",
  ].filter(Boolean);
  lines.push(
    `<sub>Fails on: ${limits.join("; ")}.${options.runUrl ? ` [Run](${options.runUrl})` : ""}</sub>`,
  );
  lines.push("");
  return lines.join("\n");
}
