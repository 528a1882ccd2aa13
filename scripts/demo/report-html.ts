/**
 * report.html: one self-contained page — inline CSS, inline SVG charts, no scripts, no external assets.
 * Every piece of text is escaped; the library summaries (markdown) go through a small converter that
 * escapes first and only then adds the few tags it knows.
 */
import { escapeHtml } from "@qlik-cicd/common";
import { formatSeconds } from "./progress.ts";
import type { DemoReport, DeployRecord, EvaluationObjectRow, RolloutRunRecord } from "./report-data.ts";
import { resumeDetail } from "./report-markdown.ts";

const esc = escapeHtml;

// ---------------------------------------------------------------------------------------------------
// Markdown (the subset the libraries' summaries use) → HTML

const PLACEHOLDER = /\uE000(\d+)\uE001/g;

/** Inline markdown: code spans, backslash escapes, **bold**, _italic_, links (text only), <br>, <sub>. */
/**
 * The job summaries' status emoji, drawn as plain text marks: a page must not depend on an emoji font
 * (phones and servers without one show empty boxes).
 */
const MARKS: [RegExp, string][] = [
  [/\u2705\uFE0F?/gu, '<span class="mark ok">✓</span>'],
  [/\u274C\uFE0F?/gu, '<span class="mark bad">✗</span>'],
  [/\u26A0\uFE0F?/gu, '<span class="mark warn">!</span>'],
  [/\u2139\uFE0F?/gu, '<span class="mark info">i</span>'],
  [/\u2795\uFE0F?/gu, '<span class="mark add">+</span>'],
  [/\u2796\uFE0F?/gu, '<span class="mark remove">−</span>'],
  [/\u270F\uFE0F?/gu, '<span class="mark change">~</span>'],
];

export function textMarks(html: string): string {
  return MARKS.reduce((out, [emoji, mark]) => out.replace(emoji, mark), html);
}

export function inlineMarkdown(text: string): string {
  const parts = text.split(/(`[^`]*`)/);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return `<code>${esc(part.slice(1, -1))}</code>`;
      const literals: string[] = [];
      let s = part
        .replace(/[\uE000\uE001]/g, "")
        .replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, (_, ch: string) => {
          literals.push(ch);
          return `\uE000${literals.length - 1}\uE001`;
        });
      // Links keep their text only: the simulator's URLs are gone when the demo ends.
      s = s.replace(/\[([^\]]*)\]\(([^)\s]*)\)/g, "$1");
      s = esc(s);
      s = s.replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>");
      s = s.replace(/(^|[\s(])_([^_]+)_(?=$|[\s).,;:])/g, "$1<em>$2</em>");
      s = s.replace(/&lt;br\s*\/?&gt;/gi, "<br>");
      s = s.replace(/&lt;(\/?)sub&gt;/gi, "<$1sub>");
      s = textMarks(s);
      return s.replace(PLACEHOLDER, (_, n: string) => esc(literals[Number(n)]));
    })
    .join("");
}

function splitRow(line: string): string[] {
  let body = line.trim();
  if (body.startsWith("|")) body = body.slice(1);
  if (body.endsWith("|") && !body.endsWith("\\|")) body = body.slice(0, -1);
  const cells: string[] = [];
  let cur = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === "\\" && i + 1 < body.length) {
      cur += ch + body[i + 1];
      i++;
    } else if (ch === "|") {
      cells.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

const SEPARATOR = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

/** Block markdown: headings, tables, lists, quotes, fenced code, paragraphs, `<details>` wrappers. */
export function markdownToHtml(markdown: string, options: { headingOffset?: number } = {}): string {
  const offset = options.headingOffset ?? 0;
  const lines = markdown.replace(/\r\n/g, "\n").split("\n");
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) out.push(`<p>${inlineMarkdown(paragraph.join(" "))}</p>`);
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const trimmed = line.trim();
    if (!trimmed) {
      flush();
      continue;
    }
    if (trimmed.startsWith("```")) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith("```"); i++) code.push(lines[i]);
      out.push(`<pre><code>${esc(code.join("\n"))}</code></pre>`);
      continue;
    }
    const details = /^<details><summary>(.*)<\/summary>$/.exec(trimmed);
    if (details) {
      flush();
      out.push(`<details><summary>${inlineMarkdown(details[1])}</summary>`);
      continue;
    }
    if (trimmed === "</details>") {
      flush();
      out.push("</details>");
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(trimmed);
    if (heading) {
      flush();
      const level = Math.min(6, heading[1].length + offset);
      out.push(`<h${level}>${inlineMarkdown(heading[2])}</h${level}>`);
      continue;
    }
    if (trimmed.startsWith("|") && i + 1 < lines.length && SEPARATOR.test(lines[i + 1])) {
      flush();
      const header = splitRow(trimmed);
      const align = splitRow(lines[i + 1]).map((c) => (c.endsWith(":") ? "num" : ""));
      const rows: string[][] = [];
      for (i += 2; i < lines.length && lines[i].trim().startsWith("|"); i++) rows.push(splitRow(lines[i]));
      i--;
      const td = (tag: string, c: string, k: number) =>
        `<${tag}${align[k] ? ` class="${align[k]}"` : ""}>${inlineMarkdown(c)}</${tag}>`;
      out.push(
        `<table><thead><tr>${header.map((c, k) => td("th", c, k)).join("")}</tr></thead><tbody>${rows
          .map((r) => `<tr>${r.map((c, k) => td("td", c, k)).join("")}</tr>`)
          .join("")}</tbody></table>`,
      );
      continue;
    }
    if (/^[-*]\s+/.test(trimmed)) {
      flush();
      const items: string[] = [];
      for (; i < lines.length && /^\s*[-*]\s+/.test(lines[i]); i++) {
        items.push(`<li>${inlineMarkdown(lines[i].trim().replace(/^[-*]\s+/, ""))}</li>`);
      }
      i--;
      out.push(`<ul>${items.join("")}</ul>`);
      continue;
    }
    if (trimmed.startsWith(">")) {
      flush();
      const quoted: string[] = [];
      for (; i < lines.length && lines[i].trim().startsWith(">"); i++) {
        quoted.push(lines[i].trim().replace(/^>\s?/, ""));
      }
      i--;
      out.push(`<blockquote>${inlineMarkdown(quoted.join(" "))}</blockquote>`);
      continue;
    }
    paragraph.push(trimmed);
  }
  flush();
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------------
// Charts

export const WAVE_SEGMENTS = [
  { key: "deployed", label: "Deployed by this run", color: "#2e7d32" },
  { key: "kept", label: "Kept (deployed earlier, not again)", color: "#a5d6a7" },
  { key: "failed", label: "Failed (its own deploy or check)", color: "#c62828" },
  { key: "rolledBack", label: "Rolled back with its wave", color: "#ef6c00" },
  { key: "skipped", label: "Not run (after the halt)", color: "#bdbdbd" },
] as const;

type SegmentKey = (typeof WAVE_SEGMENTS)[number]["key"];

export interface WaveBar {
  run: string;
  wave: string;
  status: string;
  tenants: number;
  segments: { key: SegmentKey; label: string; color: string; count: number }[];
}

/** One bar per wave per run, its segments in legend order (empty ones left out). */
export function waveChartData(runs: readonly RolloutRunRecord[]): WaveBar[] {
  return runs.flatMap((run) =>
    run.waves.map((w) => ({
      run: run.label,
      wave: `${w.index}. ${w.name}`,
      status: w.status,
      tenants: w.tenants,
      segments: WAVE_SEGMENTS.map((s) => ({ ...s, count: w[s.key] })).filter((s) => s.count > 0),
    })),
  );
}

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';

/** Stacked horizontal bars: tenants per outcome, for every wave of the halted and the resumed run. */
export function waveChartSvg(runs: readonly RolloutRunRecord[]): string {
  const bars = waveChartData(runs);
  const labelW = 230;
  const barW = 440;
  const statusW = 80;
  const rowH = 26;
  const legendH = 24 * Math.ceil(WAVE_SEGMENTS.length / 3) + 8;
  const max = Math.max(1, ...bars.map((b) => b.tenants));
  const scale = barW / max;
  const width = labelW + barW + statusW + 20;
  const out: string[] = [];
  let y = legendH;
  let lastRun = "";
  const rows: string[] = [];
  for (const bar of bars) {
    if (bar.run !== lastRun) {
      if (lastRun) y += 8;
      rows.push(`<text x="0" y="${y + 16}" font-weight="600" font-size="13">${esc(bar.run)}</text>`);
      y += rowH;
      lastRun = bar.run;
    }
    rows.push(`<text x="12" y="${y + 16}" font-size="12">${esc(bar.wave)}</text>`);
    let x = labelW;
    for (const s of bar.segments) {
      const w = s.count * scale;
      rows.push(
        `<rect class="seg seg-${s.key}" x="${x.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${s.color}" data-count="${s.count}"><title>${esc(`${bar.run}, wave ${bar.wave}: ${s.count} ${s.label.toLowerCase()}`)}</title></rect>`,
      );
      if (w >= 18) {
        const fill = s.key === "kept" || s.key === "skipped" ? "#1b1b1b" : "#ffffff";
        rows.push(
          `<text x="${(x + w / 2).toFixed(1)}" y="${y + 17}" font-size="11" text-anchor="middle" fill="${fill}">${s.count}</text>`,
        );
      }
      x += w;
    }
    rows.push(
      `<text x="${labelW + barW + 8}" y="${y + 16}" font-size="12" fill="#555">${esc(bar.status)}</text>`,
    );
    y += rowH;
  }
  const legend = WAVE_SEGMENTS.map((s, i) => {
    const lx = (i % 3) * 240;
    const ly = Math.floor(i / 3) * 24;
    return `<rect x="${lx}" y="${ly + 4}" width="14" height="14" fill="${s.color}"/><text x="${lx + 20}" y="${ly + 16}" font-size="12">${esc(s.label)}</text>`;
  });
  out.push(
    `<svg class="chart" role="img" aria-label="Rollout progress per wave" viewBox="0 0 ${width} ${y + 4}" width="${width}" height="${y + 4}" ${FONT}>`,
    `<title>Rollout progress per wave: tenants deployed, kept, failed, rolled back and not run, in the halted and the resumed run</title>`,
    ...legend,
    ...rows,
    "</svg>",
  );
  return out.join("\n");
}

export interface DeltaBar {
  label: string;
  baselineMs: number | null;
  currentMs: number | null;
  deltaText: string;
  regressed: boolean;
}

function ms(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v >= 100 ? Math.round(v) : v.toFixed(1)} ms`;
}

/** One pair of bars per evaluated object (baseline and now), slowest first, as the gate lists them. */
export function deltaChartData(objects: readonly EvaluationObjectRow[]): DeltaBar[] {
  return objects.map((o) => {
    const deltaText =
      o.status === "new"
        ? "new"
        : o.status === "removed"
          ? "removed"
          : o.deltaMs === null
            ? ""
            : `${o.deltaMs >= 0 ? "+" : "−"}${ms(Math.abs(o.deltaMs))}${o.deltaPercent === null ? "" : ` (${o.deltaPercent >= 0 ? "+" : "−"}${Math.abs(o.deltaPercent).toFixed(1)} %)`}`;
    return {
      label: `${o.title || o.id} (${o.type})`,
      baselineMs: o.baselineMs,
      currentMs: o.currentMs,
      deltaText,
      regressed: o.regressed,
    };
  });
}

/** Grouped horizontal bars: baseline (production) and now (test) per object, with the change. */
export function deltaChartSvg(objects: readonly EvaluationObjectRow[]): string {
  const bars = deltaChartData(objects);
  const labelW = 250;
  const barW = 330;
  const textW = 250;
  const groupH = 34;
  const legendH = 28;
  const max = Math.max(1, ...bars.flatMap((b) => [b.baselineMs ?? 0, b.currentMs ?? 0]));
  const scale = barW / max;
  const width = labelW + barW + textW;
  const height = legendH + bars.length * groupH + 4;
  const parts: string[] = [
    `<svg class="chart" role="img" aria-label="Evaluation: response time per object, baseline and now" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ${FONT}>`,
    "<title>Uncached response time per object: production baseline and the change in test (medians)</title>",
    `<rect x="0" y="6" width="14" height="10" fill="#9e9e9e"/><text x="20" y="16" font-size="12">Baseline (production)</text>`,
    `<rect x="190" y="6" width="14" height="10" fill="#1565c0"/><text x="210" y="16" font-size="12">Now (test)</text>`,
    `<rect x="310" y="6" width="14" height="10" fill="#c62828"/><text x="330" y="16" font-size="12">Now, regressed</text>`,
  ];
  bars.forEach((b, i) => {
    const y = legendH + i * groupH;
    parts.push(`<text x="0" y="${y + 18}" font-size="12">${esc(b.label)}</text>`);
    if (b.baselineMs !== null) {
      parts.push(
        `<rect class="bar-baseline" x="${labelW}" y="${y + 4}" width="${(b.baselineMs * scale).toFixed(1)}" height="11" fill="#9e9e9e" data-ms="${b.baselineMs}"><title>${esc(`${b.label}: baseline ${ms(b.baselineMs)}`)}</title></rect>`,
      );
    }
    if (b.currentMs !== null) {
      parts.push(
        `<rect class="bar-now" x="${labelW}" y="${y + 16}" width="${(b.currentMs * scale).toFixed(1)}" height="11" fill="${b.regressed ? "#c62828" : "#1565c0"}" data-ms="${b.currentMs}"><title>${esc(`${b.label}: now ${ms(b.currentMs)}`)}</title></rect>`,
      );
    }
    const values = `${b.baselineMs === null ? "–" : ms(b.baselineMs)} → ${b.currentMs === null ? "–" : ms(b.currentMs)}`;
    parts.push(
      `<text x="${labelW + barW + 8}" y="${y + 18}" font-size="12"${b.regressed ? ' fill="#c62828" font-weight="600"' : ""}>${esc(`${values}  ${b.deltaText}`)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

// ---------------------------------------------------------------------------------------------------
// The page

const CSS = `
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1b1b1b; background: #f6f7f9; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
header { background: #0b3d2e; color: #fff; padding: 24px; }
header h1 { margin: 0 0 6px; font-size: 24px; }
header p { margin: 0; opacity: .9; }
section { background: #fff; border: 1px solid #e0e3e8; border-radius: 8px; padding: 16px 20px; margin: 16px 0; }
h2 { font-size: 19px; margin: 0 0 10px; }
h3, h4, h5, h6 { font-size: 15px; margin: 14px 0 8px; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13px; }
th, td { border: 1px solid #e0e3e8; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f0f2f5; }
td.num, th.num { text-align: right; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; background: #f0f2f5; padding: 1px 4px; border-radius: 3px; }
pre { background: #f0f2f5; padding: 8px; overflow-x: auto; }
blockquote { border-left: 4px solid #f9a825; margin: 8px 0; padding: 6px 12px; background: #fffde7; }
details { margin: 8px 0; }
summary { cursor: pointer; color: #0b5394; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { background: #fff; border: 1px solid #e0e3e8; border-radius: 8px; padding: 12px 16px; min-width: 170px; flex: 1; }
.card b { display: block; font-size: 20px; margin-top: 4px; }
.ok { color: #2e7d32; } .bad { color: #c62828; }
.callout { border-left: 4px solid #1565c0; background: #e3f2fd; padding: 8px 12px; margin: 8px 0; }
.scroll { overflow-x: auto; max-width: 100%; }
.chart { display: block; margin: 8px 0 12px; }
.mark { display: inline-block; min-width: 1.3em; padding: 0 3px; border-radius: 3px; text-align: center; font-weight: 700; }
.mark.ok { color: #fff; background: #2e7d32; } .mark.bad { color: #fff; background: #c62828; }
.mark.warn { color: #1b1b1b; background: #f9a825; } .mark.info { color: #fff; background: #1565c0; }
.mark.add { color: #2e7d32; } .mark.remove { color: #c62828; } .mark.change { color: #0b5394; }
@media (max-width: 600px) { main { padding: 12px; } section { padding: 12px; } header { padding: 16px; } }
footer { color: #666; font-size: 12px; margin: 24px 0; }
`;

function deploySection(id: string, title: string, d: DeployRecord, extra = ""): string {
  return `<section id="${esc(id)}"><h2>${esc(title)}</h2>
<p>App <code>${esc(d.appId)}</code> in space <strong>${esc(d.space)}</strong>: reload ${esc(d.reloadStatus)}, ${d.verified ? '<span class="ok">verified</span> (the app matches the source)' : '<span class="bad">not verified</span>'}; ${d.changes.add} to add, ${d.changes.update} to update, ${d.changes.remove} to remove.</p>${extra}
${markdownToHtml(d.markdown, { headingOffset: 0 })}</section>`;
}

function card(label: string, value: string, ok?: boolean): string {
  const cls = ok === undefined ? "" : ok ? ' class="ok"' : ' class="bad"';
  return `<div class="card">${esc(label)}<b${cls}>${esc(value)}</b></div>`;
}

/** Tables and charts keep their natural width and scroll inside their card instead of the page. */
function scrollWide(html: string): string {
  return html
    .replace(/<table>/g, '<div class="scroll"><table>')
    .replace(/<\/table>/g, "</table></div>")
    .replace(/<svg class="chart"/g, '<div class="scroll"><svg class="chart"')
    .replace(/<\/svg>/g, "</svg></div>");
}

export function renderReportHtml(r: DemoReport): string {
  const ro = r.rollout;
  const last = ro.runs[ro.runs.length - 1];
  const once = Object.values(ro.deploysThatStood).every((n) => n === 1);
  const [test, acceptance, production] = r.deploys;
  const body: string[] = [];

  body.push(
    `<div class="cards">${[
      card("Total time", formatSeconds(r.totalMs)),
      card("Performance gate", r.evaluation.verdict.toUpperCase(), r.evaluation.verdict === "pass"),
      card("Production app id kept", r.production.sameId ? "yes" : "no", r.production.sameId),
      card("Rollout", last ? `${last.status}` : "not run", last?.status === "succeeded"),
      card("Each tenant deployed once", once ? "yes" : "no", once),
    ].join("")}</div>`,
  );

  body.push(
    `<section id="stages"><h2>Stages</h2><table><thead><tr><th class="num">#</th><th>Stage</th><th>Result</th><th class="num">Time</th></tr></thead><tbody>${r.stages
      .map(
        (s) =>
          `<tr><td class="num">${s.index}</td><td>${esc(s.title)}</td><td>${esc(s.summary)}</td><td class="num">${esc(formatSeconds(s.ms))}</td></tr>`,
      )
      .join("")}</tbody></table></section>`,
  );

  body.push(
    deploySection(
      "baseline",
      "Baseline: the current version in production",
      r.baseline,
      "<p>Production had to hold the current version first: it is the baseline of the performance gate, and the app the later republish must keep.</p>",
    ),
  );

  body.push(
    `<section id="unbuild"><h2>Unbuild</h2><p>${r.unbuild.files.length} files in <code>${esc(r.unbuild.dir)}</code>; unbuilt a second time: ${r.unbuild.deterministic ? '<span class="ok">byte-identical</span>' : '<span class="bad">different</span>'}.</p><ul>${r.unbuild.files
      .map((f) => `<li><code>${esc(f)}</code></li>`)
      .join("")}</ul></section>`,
  );

  body.push(
    `<section id="pull-request"><h2>Pull request</h2><ul>${r.change.summary
      .map((s) => `<li>${esc(s)}</li>`)
      .join(
        "",
      )}</ul><p>Files: ${r.change.files.map((f) => `<code>${esc(f)}</code>`).join(", ")} in <code>${esc(r.change.dir)}</code>.</p></section>`,
  );

  body.push(`<section id="lint"><h2>Validation: lint</h2>${markdownToHtml(r.lint.markdown)}</section>`);
  body.push(
    `<section id="diff"><h2>Validation: semantic diff</h2><pre><code>${esc(r.diff.lines.join("\n"))}</code></pre>${markdownToHtml(r.diff.markdown)}</section>`,
  );

  if (test) body.push(deploySection("test", "Deploy to test", test));

  body.push(`<section id="evaluation"><h2>Performance gate: ${esc(r.evaluation.verdict.toUpperCase())}</h2>
<p>Medians of ${r.evaluation.passes.current} evaluations of the change in test against ${r.evaluation.passes.baseline} of the production baseline; the report is <code>${esc(r.evaluation.file)}</code>.</p>
${deltaChartSvg(r.evaluation.objects)}
${markdownToHtml(r.evaluation.markdown)}</section>`);

  const a = r.approval;
  body.push(`<section id="approval"><h2>Approval</h2>
<p class="callout">Auto-approved by the demo policy. In CI this step is the <strong>approve-gate</strong> action.</p>
<table><tbody>
<tr><th>Outcome</th><td class="ok">${esc(a.outcome)}</td></tr>
<tr><th>Policy</th><td>${esc(a.policy)}</td></tr>
<tr><th>Approved by</th><td>${esc(a.approvedBy)}</td></tr>
<tr><th>Requested by</th><td>${esc(a.requestedBy)} at ${esc(a.requestedAt)}</td></tr>
<tr><th>Decided at</th><td>${esc(a.decidedAt)}</td></tr>
<tr><th>Subject</th><td>${esc(a.subject.app)}, files <code>${esc(a.subject.sourceDigest.slice(0, 12))}</code></td></tr>
<tr><th>Targets</th><td>${esc(a.subject.targets.join(", "))}</td></tr>
<tr><th>Evidence</th><td>${a.evidence.map(esc).join("<br>")}</td></tr>
<tr><th>Record</th><td><code>${esc(a.file)}</code></td></tr>
</tbody></table><p>${esc(a.note)}</p></section>`);

  if (acceptance) body.push(deploySection("acceptance", "Deploy to acceptance", acceptance));
  if (production) {
    body.push(
      deploySection(
        "production",
        "Deploy to production (republish)",
        production,
        `<p>Production app id before: <code>${esc(r.production.before)}</code>, after: <code>${esc(r.production.after)}</code> — ${r.production.sameId ? '<strong class="ok">the same app</strong>, republished in place' : '<strong class="bad">changed</strong>'}.</p>`,
      ),
    );
  }

  body.push(
    `<section id="post-deploy"><h2>Post-deploy check</h2><table><thead><tr><th>Check</th><th>Result</th><th>Detail</th></tr></thead><tbody>${r.postDeploy.checks
      .map(
        (c) =>
          `<tr><td>${esc(c.check)}</td><td class="${c.ok ? "ok" : "bad"}">${c.ok ? "ok" : "failed"}</td><td>${esc(c.detail)}</td></tr>`,
      )
      .join("")}</tbody></table></section>`,
  );

  const waveTables = ro.runs
    .map(
      (run) => `<h3>${esc(run.label)}: ${esc(run.status)} in ${esc(formatSeconds(run.ms))}</h3>
<table><thead><tr><th>Wave</th><th>Status</th><th class="num">Tenants</th><th class="num">Deployed now</th><th class="num">Kept</th><th class="num">Failed</th><th class="num">Rolled back with the wave</th><th class="num">Not run</th></tr></thead><tbody>${run.waves
        .map(
          (w) =>
            `<tr><td>${w.index}. ${esc(w.name)}</td><td>${esc(w.status)}</td><td class="num">${w.tenants}</td><td class="num">${w.deployed}</td><td class="num">${w.kept}</td><td class="num">${w.failed}</td><td class="num">${w.rolledBack}</td><td class="num">${w.skipped}</td></tr>`,
        )
        .join("")}</tbody></table>`,
    )
    .join("\n");
  body.push(`<section id="rollout"><h2>Canary rollout to ${ro.tenants} customer tenants</h2>
<p>Inventory <code>${esc(ro.inventoryFile)}</code>; canary <code>${esc(ro.canary)}</code>, waves <code>${esc(ro.waves)}</code>, health checks <code>${esc(ro.healthChecks)}</code>, error budget 0. Before the rollout every customer tenant ran the current version (${ro.estate.deployed} deployed in ${esc(formatSeconds(ro.estate.ms))}).</p>
<p>Injected failure: <strong>${esc(ro.failingTenant)}</strong> — “${esc(ro.failure)}” on its next reload. The rollout halted and rolled the wave back; later waves were never touched. After the fix the same state file (<code>${esc(ro.stateFile)}</code>) resumed it; the halted run's state is kept in <code>${esc(ro.haltedStateFile)}</code>.</p>
${waveChartSvg(ro.runs)}
${waveTables}
<p>Every tenant deployed exactly once: ${once ? '<span class="ok">yes</span>' : '<span class="bad">no</span>'} (${esc(resumeDetail(ro))}). Production app ids kept: ${ro.appIdsKept ? '<span class="ok">yes</span>' : '<span class="bad">no</span>'}.</p>
${ro.runs.map((run) => `<details><summary>${esc(run.label)}: every tenant</summary>${markdownToHtml(run.markdown)}</details>`).join("\n")}
</section>`);

  const ev = r.estateView;
  body.push(`<section id="estate"><h2>Estate after the rollout</h2>
<p>${esc(`estate-status read every customer tenant back (the deployment record each deploy left on the app, its reloads; nothing written) in ${formatSeconds(ev.ms)}, against the pull request's version ${ev.expected.slice(0, 7)}.`)}</p>
<div class="cards">${card("Tenants", String(ev.counts.tenants))}${card("Current", String(ev.counts.tenants - ev.notCurrent.length), ev.notCurrent.length === 0)}${card("With problems", String(ev.counts.tenants - ev.counts.healthy), ev.counts.healthy === ev.counts.tenants)}</div>
<p>The estate page (filterable, for a thousand tenants and a phone): <code>${esc(ev.files.html)}</code>; the report: <code>${esc(ev.files.report)}</code>; the tenants still behind, for rollout-canary's <code>tenants-from</code>: <code>${esc(ev.files.notCurrent)}</code>.</p>
${markdownToHtml(ev.markdown, { headingOffset: 1 })}</section>`);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`Qlik Cloud CI/CD demo: ${r.appName}`)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(`Qlik Cloud CI/CD demo: '${r.appName}'`)}</h1>
<p>${esc(`The whole pipeline on the embedded simulator (${r.simulator.tenants} tenants) in ${formatSeconds(r.totalMs)}, on one machine, without a Qlik account. Generated ${r.generatedAt}.`)}</p></header>
<main>
${scrollWide(body.join("\n"))}
<footer>${esc("Written by npm run demo. Self-contained: no scripts, no external assets.")}</footer>
</main>
</body>
</html>
`;
}
