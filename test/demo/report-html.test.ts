// The demo's report rendering on its own: escaping, the markdown subset, chart data and SVG, wave counts.
import { describe, expect, it } from "@jest/globals";
import { escapeHtml } from "@qlik-cicd/common";
import { DemoUsageError, parseDemoArgs } from "../../scripts/demo/args.ts";
import { Progress } from "../../scripts/demo/progress.ts";
import type { DemoReport, RolloutRunRecord } from "../../scripts/demo/report-data.ts";
import {
  deltaChartData,
  deltaChartSvg,
  inlineMarkdown,
  markdownToHtml,
  renderReportHtml,
  waveChartData,
  waveChartSvg,
} from "../../scripts/demo/report-html.ts";
import { renderReportMarkdown } from "../../scripts/demo/report-markdown.ts";

const EVIL = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

function run(label: string, waves: [number, number, number, number, number][]): RolloutRunRecord {
  return {
    label,
    status: label.includes("halt") ? "halted" : "succeeded",
    ms: 1234,
    markdown: `### Rollout ${label}\n\n| Tenant | Status |\n|---|---|\n| t${EVIL} | ok |\n`,
    deployedNow: [],
    waves: waves.map(([deployed, kept, failed, rolledBack, skipped], i) => ({
      index: i + 1,
      name: i === 0 ? "canary" : `wave ${i} (${EVIL})`,
      status: "passed",
      tenants: deployed + kept + failed + rolledBack + skipped,
      deployed,
      kept,
      failed,
      rolledBack,
      skipped,
      failures: failed,
      budget: 0,
    })),
    counts: {
      deployed: waves.reduce((n, w) => n + w[0], 0),
      kept: waves.reduce((n, w) => n + w[1], 0),
      failed: waves.reduce((n, w) => n + w[2], 0),
      rolledBack: waves.reduce((n, w) => n + w[3], 0),
      skipped: waves.reduce((n, w) => n + w[4], 0),
    },
  };
}

const RUNS = [
  run("run 1: halted", [
    [2, 0, 0, 0, 0],
    [0, 0, 1, 2, 0],
    [0, 0, 0, 0, 15],
  ]),
  run("run 2: resumed", [
    [0, 2, 0, 0, 0],
    [3, 0, 0, 0, 0],
    [15, 0, 0, 0, 0],
  ]),
];

const OBJECTS: DemoReport["evaluation"]["objects"] = [
  {
    id: "tbl",
    title: "Top customers",
    type: "table",
    baselineMs: 400,
    currentMs: 396,
    deltaMs: -4,
    deltaPercent: -1,
    regressed: false,
    status: "changed",
  },
  {
    id: "bar",
    title: `Sales ${EVIL}`,
    type: "barchart",
    baselineMs: 100,
    currentMs: 200,
    deltaMs: 100,
    deltaPercent: 100,
    regressed: true,
    status: "changed",
  },
  {
    id: "kpi",
    title: "",
    type: "kpi",
    baselineMs: null,
    currentMs: 50,
    deltaMs: null,
    deltaPercent: null,
    regressed: false,
    status: "new",
  },
];

function fixture(): DemoReport {
  const deploy = (environment: string) => ({
    environment,
    space: environment,
    appId: `app-${environment}`,
    stagingAppId: "staging",
    changed: true,
    reloadStatus: "SUCCEEDED",
    verified: true,
    changes: { add: 1, update: 1, remove: 0 },
    markdown: `### Deployed: ${EVIL}\n\n| | |\n| --- | --- |\n| App | [Sales](http://127.0.0.1:1234/sense/app/x) |\n\n<details><summary>Content diff</summary>\n\n**1 added** ${EVIL}\n\n</details>\n`,
  });
  return {
    version: 1,
    generatedAt: "2026-01-01T00:00:00.000Z",
    totalMs: 8000,
    appName: `Sales ${EVIL}`,
    simulator: { tenants: 21, seed: "demo" },
    stages: [{ index: 1, title: "Start the simulator", ms: 100, summary: `up ${EVIL}` }],
    baseline: deploy("production"),
    unbuild: { files: ["script.qvs", `objects/${EVIL}.json`], deterministic: true, dir: "out/app/main" },
    change: { files: ["measures.json"], summary: [`add ${EVIL}`], dir: "out/app/pull-request" },
    lint: { errors: 0, warnings: 0, notices: 0, markdown: "### Lint\n\nNo findings.\n" },
    diff: {
      added: 1,
      changed: 0,
      removed: 0,
      markdown: `**1 added** \`${EVIL}\`\n`,
      lines: [`+ measure '${EVIL}'`],
    },
    deploys: [deploy("test"), deploy("acceptance"), deploy("production")],
    evaluation: {
      verdict: "pass",
      passes: { current: 2, baseline: 2 },
      objects: OBJECTS,
      regressions: [],
      markdown: `### ✅ Performance gate passed: ${EVIL}\n\n<sub>Fails on: ${EVIL}.</sub>\n`,
      file: "out/evaluation.json",
    },
    approval: {
      outcome: "approved",
      policy: `demo ${EVIL}`,
      approvedBy: "demo-policy (automatic)",
      requestedBy: "demo",
      requestedAt: "2026-01-01T00:00:00.000Z",
      decidedAt: "2026-01-01T00:00:00.000Z",
      subject: { app: "Sales", sourceDigest: "abcdef0123456789", targets: ["acceptance", "production"] },
      evidence: [`lint ${EVIL}`],
      note: "In CI this step is the approve-gate action.",
      file: "out/approval.json",
    },
    production: { before: "p1", after: "p1", sameId: true },
    postDeploy: { checks: [{ check: "reload", ok: true, detail: `SUCCEEDED ${EVIL}` }] },
    rollout: {
      inventoryFile: "out/rollout/tenants.yml",
      stateFile: "out/rollout/state.json",
      haltedStateFile: "out/rollout/state-after-halt.json",
      tenants: 20,
      canary: "label=canary",
      waves: "25%,100%",
      healthChecks: "reload",
      failingTenant: `customer-04${EVIL}`,
      failure: `db down ${EVIL}`,
      estate: { ms: 1000, deployed: 20 },
      runs: RUNS,
      deploysThatStood: { a: 1, b: 1 },
      redeployedAfterRollback: ["c", "d", "e"],
      appIdsKept: true,
      productionApps: { a: 1, b: 1 },
    },
    estateView: {
      ms: 500,
      expected: "1234567890abcdef1234567890abcdef12345678",
      counts: {
        tenants: 20,
        healthy: 19,
        problems: { unreachable: 0, "bad-credentials": 0, "failed-reload": 1, "not-current": 0, drift: 0 },
      },
      versions: [{ app: "Sales", label: "commit 1234567", status: "current", tenants: 20 }],
      notCurrent: [],
      problems: [{ name: `customer-04${EVIL}`, problems: ["failed-reload"] }],
      markdown: `## Estate: Sales in space 'production'\n\n| Tenant | Problems | Detail |\n| --- | --- | --- |\n| customer-04${EVIL} | reload failed | x |\n`,
      files: {
        report: "out/estate/estate-report.json",
        html: "out/estate/estate.html",
        notCurrent: "out/estate/not-current.json",
      },
    },
  };
}

describe("escaping", () => {
  it("escapes the five HTML specials", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  it("inline markdown escapes everything and adds only its own tags", () => {
    expect(inlineMarkdown(EVIL)).not.toMatch(/<script|<img/);
    expect(inlineMarkdown(`\`${EVIL}\``)).toBe(`<code>${escapeHtml(EVIL)}</code>`);
    expect(inlineMarkdown("**bold <b>** and _it_")).toBe("<strong>bold &lt;b&gt;</strong> and <em>it</em>");
    expect(inlineMarkdown("a<br>b <sub>small</sub>")).toBe("a<br>b <sub>small</sub>");
    // An escaped tag stays text; backslash escapes resolve to the (escaped) character.
    expect(inlineMarkdown("\\<br> \\| \\* \\_x\\_")).toBe("&lt;br&gt; | * _x_");
    // Links keep their text only: no URL reaches the page.
    expect(inlineMarkdown("[App](http://127.0.0.1:9/sense/app/1) ok")).toBe("App ok");
    expect(inlineMarkdown("\uE0000\uE001 <x>")).toBe("0 &lt;x&gt;");
  });

  it("block markdown: tables with alignment and escaped pipes, headings, lists, quotes, code, details", () => {
    const html = markdownToHtml(
      [
        "### Title <i>",
        "",
        "| Name | Time |",
        "| --- | ---: |",
        "| a \\| b | 12 ms |",
        "",
        "- one",
        "- two <u>",
        "",
        "> quoted",
        "",
        "```",
        "if a < b",
        "```",
        "<details><summary>More <b></summary>",
        "",
        "text",
        "</details>",
        "<details onclick=x><summary>x</summary>",
      ].join("\n"),
    );
    expect(html).toContain("<h3>Title &lt;i&gt;</h3>");
    expect(html).toContain('<th>Name</th><th class="num">Time</th>');
    expect(html).toContain('<td>a | b</td><td class="num">12 ms</td>');
    expect(html).toContain("<ul><li>one</li><li>two &lt;u&gt;</li></ul>");
    expect(html).toContain("<blockquote>quoted</blockquote>");
    expect(html).toContain("<pre><code>if a &lt; b</code></pre>");
    expect(html).toContain("<details><summary>More &lt;b&gt;</summary>");
    expect(html).toContain("</details>");
    expect(html).toContain("<p>&lt;details onclick=x&gt;&lt;summary&gt;x&lt;/summary&gt;</p>");
  });
});

describe("wave chart", () => {
  it("has one bar per wave per run with the non-empty segments in legend order", () => {
    const bars = waveChartData(RUNS);
    expect(bars).toHaveLength(6);
    expect(bars[1].segments.map((s) => [s.key, s.count])).toEqual([
      ["failed", 1],
      ["rolledBack", 2],
    ]);
    expect(bars[3].segments.map((s) => [s.key, s.count])).toEqual([["kept", 2]]);
    expect(bars.map((b) => b.tenants)).toEqual([2, 3, 15, 2, 3, 15]);
  });

  it("draws segments to scale and escapes labels", () => {
    const svg = waveChartSvg(RUNS);
    expect(svg.match(/<rect class="seg /g)).toHaveLength(7);
    // The widest wave (15 tenants) fills the bar area (440 px); 2 tenants are 2/15 of it.
    expect(svg).toMatch(/class="seg seg-skipped" x="230.0" y="\d+" width="440.0"/);
    expect(svg).toMatch(/class="seg seg-deployed" x="230.0" y="\d+" width="58.7"/);
    expect(svg).toMatch(/class="seg seg-rolledBack" x="259.3" y="\d+" width="58.7"/);
    expect(svg).not.toMatch(/<script|<img/);
    expect(svg).toContain(escapeHtml(`wave 1 (${EVIL})`));
  });
});

describe("evaluation delta chart", () => {
  it("pairs baseline and now per object with the change as text", () => {
    const data = deltaChartData(OBJECTS);
    expect(data.map((d) => [d.baselineMs, d.currentMs, d.deltaText, d.regressed])).toEqual([
      [400, 396, "−4.0 ms (−1.0 %)", false],
      [100, 200, "+100 ms (+100.0 %)", true],
      [null, 50, "new", false],
    ]);
    expect(data[2].label).toBe("kpi (kpi)");
  });

  it("draws bars to scale (the slowest fills 330 px), regressions in red, no bar for a missing baseline", () => {
    const svg = deltaChartSvg(OBJECTS);
    expect(svg.match(/class="bar-baseline"/g)).toHaveLength(2);
    expect(svg.match(/class="bar-now"/g)).toHaveLength(3);
    expect(svg).toMatch(/class="bar-baseline" x="250" y="\d+" width="330.0"/);
    expect(svg).toMatch(/class="bar-now" x="250" y="\d+" width="165.0" height="11" fill="#c62828"/);
    expect(svg).not.toMatch(/<script|<img/);
  });
});

describe("report pages", () => {
  it("report.html is self-contained and escapes every inserted text", () => {
    const html = renderReportHtml(fixture());
    expect(html).not.toMatch(/<script|<img|<link|<iframe/i);
    expect(html).not.toMatch(/<[^>]*\s(src|href)\s*=/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).toContain(escapeHtml(EVIL));
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain("<style>");
    expect(html).toContain("Auto-approved by the demo policy");
    // Balanced containers: every section and details element is closed.
    expect(html.match(/<section/g)?.length).toBe(html.match(/<\/section>/g)?.length);
    expect(html.match(/<details>/g)?.length).toBe(html.match(/<\/details>/g)?.length);
  });

  it("report.md has every section and the per-wave tables of both runs", () => {
    const md = renderReportMarkdown(fixture());
    expect(md).toContain("## Approval");
    expect(md).toContain("### run 1: halted: halted in 1.2 s");
    expect(md).toContain("| 2. wave 1 (");
    expect(md).toContain("| 0 | 0 | 1 | 2 | 0 |");
    expect(md).toContain("Every tenant deployed exactly once: ✅ yes");
    // The resume sentence counts the halted run's tenants the way its wave table does.
    expect(md).toContain(
      "the 3 tenants the halt left on the previous version (1 that failed, 2 rolled back with it) were deployed by the resume",
    );
  });
});

describe("flags and progress", () => {
  it("parses flags with defaults and rejects bad ones in one sentence", () => {
    expect(parseDemoArgs([], "/repo")).toEqual({
      out: "/repo/demo-output",
      tenants: 20,
      quiet: false,
      help: false,
    });
    expect(parseDemoArgs(["--out=x", "--tenants", "8", "--quiet"], "/repo")).toEqual({
      out: "/repo/x",
      tenants: 8,
      quiet: true,
      help: false,
    });
    expect(() => parseDemoArgs(["--tenants", "1.5"])).toThrow(DemoUsageError);
    expect(() => parseDemoArgs(["--out"])).toThrow("Flag --out needs a value.");
    expect(() => parseDemoArgs(["--fast"])).toThrow("Unknown flag '--fast'; see --help.");
  });

  it("numbers stages, times them, and drops event lines when quiet", () => {
    let t = 0;
    const lines: string[] = [];
    const p = new Progress((l) => lines.push(l), { total: 12, now: () => t, quiet: false });
    p.stage("One");
    p.event("something happened");
    t = 1500;
    p.done("fine");
    const quiet: string[] = [];
    const q = new Progress((l) => quiet.push(l), { total: 3, quiet: true, now: () => 0 });
    q.stage("Two");
    q.event("hidden");
    q.logger().info("hidden too");
    q.done("ok");
    expect(lines).toEqual(["[ 1/12] One", "        · something happened", "        ✓ fine (1.5 s)"]);
    expect(quiet).toEqual(["[1/3] Two", "        ✓ ok (0.0 s)"]);
    expect(p.stages).toEqual([{ index: 1, title: "One", ms: 1500, summary: "fine" }]);
  });
});
