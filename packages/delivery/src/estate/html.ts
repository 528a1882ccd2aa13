/**
 * estate.html: one self-contained page (inline CSS and one small inline script, no external assets)
 * that stays readable at a thousand tenants and on a phone: counts first, then each app's versions with
 * how many tenants run them (a bar each, the tenants behind a disclosure), then one table of every
 * tenant — problems first — that a search box and a filter narrow. Without scripts the table shows
 * everything. Every piece of text is escaped.
 */
import { escapeHtml, plural } from "@qlik-cicd/common";
import { describeApp, describeReload, PROBLEM_TEXT } from "./render.ts";
import type { EstateReport, TenantEstate, VersionGroup } from "./types.ts";
import { PROBLEMS } from "./types.ts";

const esc = escapeHtml;

const CSS = `
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1b1b1b; background: #f6f7f9; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
header { background: #0b3d2e; color: #fff; padding: 24px; }
header h1 { margin: 0 0 6px; font-size: 24px; overflow-wrap: anywhere; }
header p { margin: 0; opacity: .9; }
section { background: #fff; border: 1px solid #e0e3e8; border-radius: 8px; padding: 16px 20px; margin: 16px 0; }
h2 { font-size: 19px; margin: 0 0 10px; }
h3 { font-size: 15px; margin: 14px 0 8px; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13px; }
th, td { border: 1px solid #e0e3e8; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f0f2f5; position: sticky; top: 0; }
td.num, th.num { text-align: right; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; background: #f0f2f5; padding: 1px 4px; border-radius: 3px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { background: #fff; border: 1px solid #e0e3e8; border-radius: 8px; padding: 12px 16px; min-width: 140px; flex: 1; }
.card b { display: block; font-size: 20px; margin-top: 4px; }
.ok { color: #2e7d32; } .bad { color: #c62828; } .warn { color: #8d5b00; }
.scroll { overflow-x: auto; max-width: 100%; }
.tall { max-height: 70vh; overflow: auto; }
.bar { display: inline-block; height: 10px; border-radius: 2px; background: #2e7d32; vertical-align: middle; }
.bar.other, .bar.unknown, .bar.missing { background: #f9a825; } .bar.unreadable { background: #c62828; } .bar.recorded { background: #1565c0; }
.tag { display: inline-block; padding: 0 6px; margin: 1px 2px 1px 0; border-radius: 3px; font-size: 12px; background: #ffebee; color: #b71c1c; white-space: nowrap; }
.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; }
.filters input, .filters select { font: inherit; padding: 4px 6px; max-width: 100%; }
details { margin: 4px 0; } summary { cursor: pointer; color: #0b5394; }
.names { font-size: 12px; color: #333; overflow-wrap: anywhere; }
footer { color: #666; font-size: 12px; margin: 24px 0; }
@media (max-width: 600px) { main { padding: 12px; } section { padding: 12px; } header { padding: 16px; } .card { min-width: 110px; } }
`;

// Filters the tenants table by the search text and the chosen filter token (rows carry data-s and data-f).
const SCRIPT = `
(() => {
  const q = document.getElementById("q"), f = document.getElementById("f"), shown = document.getElementById("shown");
  const rows = Array.from(document.querySelectorAll("#tenants tbody tr"));
  const apply = () => {
    const s = q.value.trim().toLowerCase(), v = f.value;
    let n = 0;
    for (const r of rows) {
      const ok = (!s || r.dataset.s.includes(s)) && (!v || (" " + r.dataset.f + " ").includes(" " + v + " "));
      r.hidden = !ok;
      if (ok) n++;
    }
    shown.textContent = String(n);
  };
  q.addEventListener("input", apply);
  f.addEventListener("change", apply);
  for (const a of document.querySelectorAll("a[data-filter]")) {
    a.addEventListener("click", () => { f.value = a.dataset.filter; q.value = ""; apply(); });
  }
  apply();
})();
`;

function card(label: string, value: number, cls = ""): string {
  return `<div class="card">${esc(label)}<b${cls ? ` class="${cls}"` : ""}>${value}</b></div>`;
}

function versionKey(index: number): string {
  return `v${index}`;
}

/** The group of each tenant's app: `v<index>` tokens for the filter. */
function groupIndex(report: EstateReport): Map<string, number> {
  const index = new Map<string, number>();
  report.versions.forEach((v, i) => index.set(`${v.app}\u0000${v.status}\u0000${v.label}`, i));
  return index;
}

function tenantTokens(t: TenantEstate, report: EstateReport, index: Map<string, number>): string[] {
  const tokens: string[] = t.problems.length ? ["problem", ...t.problems] : ["healthy"];
  for (const app of report.apps) {
    const a = t.apps.find((x) => x.app === app);
    const readable = t.access === "ok" && a && !a.error;
    const status = readable ? a.status : "unreadable";
    const label = readable && a.version ? a.version.label : status;
    const i = index.get(`${app}\u0000${status}\u0000${label}`);
    if (i !== undefined) tokens.push(versionKey(i));
  }
  return tokens;
}

function versionsSection(report: EstateReport, namesByGroup: string[][]): string {
  const total = Math.max(1, report.counts.tenants);
  const parts: string[] = [];
  for (const app of report.apps) {
    const rows = report.versions
      .map((v, i) => ({ v, i }))
      .filter(({ v }) => v.app === app)
      .map(({ v, i }) => versionRow(v, i, total, namesByGroup[i]));
    parts.push(`<h3>${esc(app)}${report.expected[app] ? ` — expected <code>${esc(report.expected[app])}</code>` : ""}</h3>
<div class="scroll"><table><thead><tr><th>Version</th><th>Status</th><th>Committed</th><th class="num">Tenants</th><th>Share</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`);
  }
  return `<section id="versions"><h2>Versions</h2><p>Each app's versions across the estate, as the deploys recorded them on the tenants. Select a version to list its tenants in the table below.</p>${parts.join("\n")}</section>`;
}

function versionRow(v: VersionGroup, i: number, total: number, names: string[]): string {
  const width = Math.max(2, Math.round((v.tenants / total) * 120));
  const cls =
    v.status === "current" ? "ok" : v.status === "unreadable" ? "bad" : v.status === "recorded" ? "" : "warn";
  const list = names.length
    ? `<details><summary>${esc(plural(names.length, "tenant"))}</summary><div class="names">${esc(names.join(", "))}</div></details>`
    : "";
  return `<tr><td><a href="#tenants" data-filter="${versionKey(i)}">${esc(v.label)}</a>${list}</td><td class="${cls}">${esc(v.status)}</td><td>${esc((v.commitTime ?? "").slice(0, 10))}</td><td class="num">${v.tenants}</td><td><span class="bar ${esc(v.status)}" style="width:${width}px"></span></td></tr>`;
}

function tenantRow(t: TenantEstate, report: EstateReport, tokens: string[]): string {
  const problems = t.problems.length
    ? t.problems.map((p) => `<span class="tag">${esc(PROBLEM_TEXT[p])}</span>`).join("")
    : '<span class="ok">healthy</span>';
  const cells = report.apps.map((app) => {
    const a = t.apps.find((x) => x.app === app);
    if (t.access !== "ok" || !a) return `<td colspan="2">${esc(t.error ?? "not read")}</td>`;
    return `<td>${esc(describeApp(a))}</td><td>${esc(describeReload(a))}</td>`;
  });
  const drift = report.tenants.some((x) => x.drift || x.driftError)
    ? `<td>${esc(t.drift ? `${t.drift.differences} / ${t.drift.interactiveAdmins}` : (t.driftError ?? ""))}</td>`
    : "";
  const search = [t.name, t.url, t.region ?? "", ...t.labels, ...t.problems].join(" ").toLowerCase();
  return `<tr data-s="${esc(search)}" data-f="${esc(tokens.join(" "))}"><td><strong>${esc(t.name)}</strong><br><span class="names">${esc([t.region, ...t.labels].filter(Boolean).join(", "))}</span></td><td>${problems}</td>${cells.join("")}${drift}</tr>`;
}

export function renderEstateHtml(report: EstateReport): string {
  const c = report.counts;
  const index = groupIndex(report);
  const namesByGroup: string[][] = report.versions.map(() => []);
  const rows: string[] = [];
  for (const t of report.tenants) {
    const tokens = tenantTokens(t, report, index);
    for (const tok of tokens) if (tok.startsWith("v")) namesByGroup[Number(tok.slice(1))]?.push(t.name);
    rows.push(tenantRow(t, report, tokens));
  }
  const withDrift = report.tenants.some((x) => x.drift || x.driftError);
  const appHeads = report.apps
    .map((app) => `<th>${esc(app)}: version</th><th>${esc(app)}: last reload</th>`)
    .join("");
  const options = [
    '<option value="">All tenants</option>',
    '<option value="problem">With problems</option>',
    '<option value="healthy">Healthy</option>',
    ...PROBLEMS.map((p) => `<option value="${p}">${esc(PROBLEM_TEXT[p])} (${c.problems[p]})</option>`),
    ...report.versions.map(
      (v, i) => `<option value="${versionKey(i)}">${esc(`${v.app}: ${v.label} (${v.tenants})`)}</option>`,
    ),
  ].join("");
  const title = `Estate: ${report.apps.join(", ")} in '${report.space}'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(title)}</h1>
<p>${esc(`${plural(c.tenants, "tenant")}${report.shard ? ` (shard ${report.shard})` : ""}, read ${report.checkedAt}. A reload that failed within ${report.reloadWindowHours} h counts as a problem.`)}</p></header>
<main>
<div class="cards">${card("Tenants", c.tenants)}${card("Healthy", c.healthy, "ok")}${PROBLEMS.map((p) => card(PROBLEM_TEXT[p], c.problems[p], c.problems[p] ? "bad" : "")).join("")}</div>
${versionsSection(report, namesByGroup)}
<section id="tenants"><h2>Tenants</h2>
<p>Problems first. ${report.notCurrent.length ? esc(`${plural(report.notCurrent.length, "tenant")} not current (the not-current file lists them for rollout-canary's tenants-from).`) : ""}</p>
<div class="filters"><label>Search <input id="q" type="search" placeholder="name, region, label"></label>
<label>Show <select id="f">${options}</select></label> <span><span id="shown">${report.tenants.length}</span> shown</span></div>
<div class="scroll tall"><table><thead><tr><th>Tenant</th><th>Problems</th>${appHeads}${withDrift ? "<th>Drift (differences / admins)</th>" : ""}</tr></thead><tbody>
${rows.join("\n")}
</tbody></table></div></section>
<footer>${esc("Written by estate-status (qlik-cicd). Self-contained: no external assets. Read only: nothing was changed on any tenant.")}</footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
