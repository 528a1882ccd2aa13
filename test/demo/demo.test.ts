// `npm run demo` end to end: the demo runs as a child process, the way people start it, against its own
// embedded simulator; the test checks what it printed and the files it left behind.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "@qlik-cicd/simulator";
import type { RolloutState } from "../../packages/delivery/src/rollout/index.ts";
import { STAGES } from "../../scripts/demo/stages.ts";
import type { DemoReport } from "../../scripts/demo/report-data.ts";
import { browserAvailable, launchBrowser, measurePage } from "../helpers/browser.ts";
import { testReport } from "../helpers/report.ts";

const repoRoot = join(import.meta.dirname, "..", "..");

/** Cells of the markdown table whose header row starts with `header`, one array per body row. */
function tableRows(markdown: string, header: string): string[][] {
  const lines = markdown.split("\n");
  const start = lines.findIndex((l) => l.startsWith(header));
  if (start < 0) throw new Error(`no table starting with ${header}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .slice(1, -1)
        .split(" | ")
        .map((c) => c.trim()),
    );
  }
  return rows;
}

function runDemo(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, "scripts", "demo", "index.ts"), ...args], {
      cwd: repoRoot,
      env: { ...process.env, NODE_OPTIONS: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "demo-test-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("npm run demo", () => {
  let run: Awaited<ReturnType<typeof runDemo>>;
  let out: string;
  let report: DemoReport;

  beforeAll(async () => {
    out = join(work, "out");
    run = await runDemo(["--out", out]);
    // The real time, for the record (the assertion below uses a generous bound for loaded CI machines).
    testReport(`demo run took ${(run.ms / 1000).toFixed(1)} s (the demo's own total: see its last lines)`);
    if (run.code === 0) report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as DemoReport;
  }, 180_000);

  it("exits 0 well within the time budget, without stack traces", () => {
    if (run.code !== 0) throw new Error(`demo exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
    expect(run.ms).toBeLessThan(150_000);
    expect(run.stdout).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
    expect(run.stdout).toMatch(/Demo finished in [\d.]+ s\./);
  });

  it("prints every stage, numbered, with a result line and a time", () => {
    STAGES.forEach((title, i) => {
      const n = String(i + 1).padStart(String(STAGES.length).length);
      expect(run.stdout).toContain(`[${n}/${STAGES.length}] ${title}`);
    });
    expect(run.stdout.match(/^ +✓ .+ \([\d.]+ s\)$/gm)?.length).toBe(STAGES.length);
    expect(report.stages.map((s) => s.title)).toEqual([...STAGES]);
    // The interesting events are on the terminal.
    expect(run.stdout).toContain("+ measure 'Sales per unit' (mSalesPerUnit)");
    expect(run.stdout).toMatch(/gate PASS/);
    expect(run.stdout).toContain("auto-approved by the demo policy; in CI this is approve-gate");
    expect(run.stdout).toContain("halting the rollout");
    expect(run.stdout).toContain(join(out, "report.html"));
  });

  it("republishes production over the same app: the id before and after are equal", () => {
    const before = /production app id before: (\S+)/.exec(run.stdout)?.[1];
    const after = /production app id after: +(\S+)/.exec(run.stdout)?.[1];
    expect(before).toBeTruthy();
    expect(after).toBe(before);
    expect(report.production).toEqual({ before, after: before, sameId: true });
    expect(report.baseline.appId).toBe(before);
    expect(report.deploys.map((d) => [d.environment, d.reloadStatus, d.verified])).toEqual([
      ["test", "SUCCEEDED", true],
      ["acceptance", "SUCCEEDED", true],
      ["production", "SUCCEEDED", true],
    ]);
    expect(report.postDeploy.checks.every((c) => c.ok)).toBe(true);
    expect(report.evaluation.verdict).toBe("pass");
    expect(report.diff).toMatchObject({ added: 1, changed: 1, removed: 0 });
  });

  it("halts the rollout on the failing tenant, rolls its wave back, then resumes: every tenant deployed once", () => {
    const ro = report.rollout;
    expect(ro.runs.map((r) => r.status)).toEqual(["halted", "succeeded"]);
    const halted = JSON.parse(
      readFileSync(join(out, "rollout", "state-after-halt.json"), "utf8"),
    ) as RolloutState;
    const final = JSON.parse(readFileSync(join(out, "rollout", "state.json"), "utf8")) as RolloutState;
    const names = Object.keys(final.tenants).sort();
    expect(names).toHaveLength(20);

    expect(halted.status).toBe("halted");
    expect(halted.rolloutId).toBe(final.rolloutId);
    expect(halted.waves.map((w) => w.status)).toEqual(["passed", "halted", "skipped"]);
    const failing = halted.tenants[ro.failingTenant];
    expect(failing.status).toBe("rolled-back");
    expect(failing.reloadStatus).toBe("FAILED");
    expect(failing.error).toContain("Connection to the customer database failed");
    const haltedWave = halted.waves[1].tenants;
    for (const n of haltedWave) expect(halted.tenants[n].status).toBe("rolled-back");
    for (const n of halted.waves[2].tenants) expect(halted.tenants[n].status).toBe("skipped");

    // The resume deployed everything that had not stood, and nothing that had.
    expect(final.status).toBe("succeeded");
    const stood = Object.values(halted.tenants).filter((t) => t.status === "deployed");
    expect(stood.map((t) => t.name).sort()).toEqual([...halted.waves[0].tenants].sort());
    for (const t of stood) expect(final.tenants[t.name].startedAt).toBe(t.startedAt);
    for (const name of names) {
      expect([name, final.tenants[name].status]).toEqual([name, "deployed"]);
      if (!stood.some((t) => t.name === name)) {
        expect(final.tenants[name].startedAt! > halted.updatedAt).toBe(true);
      }
    }
    expect(Object.values(ro.deploysThatStood)).toEqual(names.map(() => 1));
    expect(ro.redeployedAfterRollback.sort()).toEqual([...haltedWave].sort());
    expect(Object.values(ro.productionApps).every((n) => n === 1)).toBe(true);
    expect(ro.appIdsKept).toBe(true);

    // Wave table / chart data of both runs.
    expect(ro.runs[0].waves.map((w) => [w.deployed, w.kept, w.failed, w.rolledBack, w.skipped])).toEqual([
      [2, 0, 0, 0, 0],
      [0, 0, 1, 2, 0],
      [0, 0, 0, 0, 15],
    ]);
    expect(ro.runs[1].waves.map((w) => [w.deployed, w.kept, w.failed, w.rolledBack, w.skipped])).toEqual([
      [0, 2, 0, 0, 0],
      [3, 0, 0, 0, 0],
      [15, 0, 0, 0, 0],
    ]);
  });

  it("tells one story about the halted run: every count from one source, labels and plurals right", () => {
    const md = readFileSync(join(out, "report.md"), "utf8");
    const html = readFileSync(join(out, "report.html"), "utf8");
    const ro = report.rollout;
    type Counts = DemoReport["rollout"]["runs"][number]["counts"];
    const fields = ["deployed", "kept", "failed", "rolledBack", "skipped"] as const;
    const numbers = (c: Counts) => fields.map((f) => c[f]);

    for (const [i, r] of ro.runs.entries()) {
      // Each wave's categories add up to its tenants, and the waves add up to the run's totals.
      for (const w of r.waves)
        expect([w.name, numbers(w).reduce((a, b) => a + b, 0)]).toEqual([w.name, w.tenants]);
      expect(fields.map((f) => r.waves.reduce((n, w) => n + w[f], 0))).toEqual(numbers(r.counts));

      const rows = r.waves.map((w) => [
        `${w.index}. ${w.name}`,
        w.status,
        ...[w.tenants, ...numbers(w)].map(String),
      ]);
      // The library's summary of the run (in the report's details): headline and wave table.
      const headline = new RegExp(
        `^${r.counts.deployed} deployed, ${r.counts.kept ? `${r.counts.kept} kept from an earlier run, ` : ""}${r.counts.failed} failed, ${r.counts.rolledBack} rolled back with their wave, ${r.counts.skipped} not run\\.`,
        "m",
      );
      expect(r.markdown).toMatch(headline);
      const summaryRows = tableRows(r.markdown, "| Wave | Status | Tenants | Deployed |").map((cells) =>
        r.counts.kept ? cells.slice(0, 8) : [...cells.slice(0, 4), "0", ...cells.slice(4, 7)],
      );
      expect(summaryRows).toEqual(
        rows.map((row) => [row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7]]),
      );
      // report.md's own table for the run, and report.html's.
      const section = md.slice(md.indexOf(`### ${r.label}:`));
      expect(
        tableRows(section, "| Wave | Status | Tenants | Deployed now |").slice(0, r.waves.length),
      ).toEqual(rows);
      const htmlRows = [
        ...html.matchAll(
          /<tr><td>(\d+\. [^<]*)<\/td><td>(\w+)<\/td>((?:<td class="num">\d+<\/td>){6})<\/tr>/g,
        ),
      ]
        .map((m) => [m[1], m[2], ...[...m[3].matchAll(/>(\d+)</g)].map((n) => n[1])])
        .slice(i * r.waves.length, (i + 1) * r.waves.length);
      expect(htmlRows).toEqual(rows);
    }

    // The halted run, told the same way on the terminal, in the stage table, the resume sentence and the
    // state file it left: 1 failed, 2 rolled back with it, 2 stood, 15 never touched.
    const halt = ro.runs[0].counts;
    expect(halt).toEqual({ deployed: 2, kept: 0, failed: 1, rolledBack: 2, skipped: 15 });
    const stage = `halted in wave 2 (25%): ${halt.failed} failed, ${halt.rolledBack} rolled back with it, ${halt.deployed} in earlier waves stay deployed, ${halt.skipped} never touched`;
    expect(run.stdout).toContain(stage);
    expect(report.stages[12].summary).toBe(stage);
    const back = halt.failed + halt.rolledBack;
    expect(ro.redeployedAfterRollback).toHaveLength(back);
    expect(run.stdout).toContain(
      `${back} the halt left on the previous version deployed again (${halt.failed} failed, ${halt.rolledBack} rolled back with it)`,
    );
    const sentence = `the ${back} tenants the halt left on the previous version (${halt.failed} that failed, ${halt.rolledBack} rolled back with it) were deployed by the resume`;
    expect(md).toContain(sentence);
    expect(html).toContain(sentence);
    const halted = JSON.parse(
      readFileSync(join(out, "rollout", "state-after-halt.json"), "utf8"),
    ) as RolloutState;
    const statuses = Object.values(halted.tenants).map((t) => t.status);
    expect(statuses.filter((s) => s === "rolled-back")).toHaveLength(back);
    expect(statuses.filter((s) => s === "deployed")).toHaveLength(halt.deployed);
    expect(statuses.filter((s) => s === "skipped")).toHaveLength(halt.skipped);
    // The resumed run deployed 18 and kept the 2 that stood.
    expect(ro.runs[1].counts).toEqual({ deployed: 18, kept: 2, failed: 0, rolledBack: 0, skipped: 0 });

    // Labels: a wave is "Wave 2 (25%)", never "Wave 2 (wave 1 (25%))".
    expect(ro.runs[0].waves.map((w) => w.name)).toEqual(["canary", "25%", "100%"]);
    for (const text of [run.stdout, md, html]) {
      expect(text).not.toMatch(/\bwave \d+ \((?:wave|rest)\b/i);
      // Plurals: no "1 failures", "1 tenants", …
      expect(text).not.toMatch(
        /(?<![\d.,])1 (?:failures|tenants|evaluations|errors|warnings|regressions|lines|files|changes|differences|reloads|apps|objects|sheets|times)\b/,
      );
    }
  });

  it("ends with the estate view: every tenant current, the injected reload failure reported", () => {
    const ev = report.estateView;
    expect(ev.counts.tenants).toBe(20);
    expect(ev.notCurrent).toEqual([]);
    expect(ev.versions.map((v) => [v.status, v.tenants])).toEqual([["current", 20]]);
    expect(ev.problems).toEqual([{ name: report.rollout.failingTenant, problems: ["failed-reload"] }]);
    const page = readFileSync(join(out, "estate", "estate.html"), "utf8");
    expect(page.match(/<tr data-s=/g)).toHaveLength(20);
    expect(JSON.parse(readFileSync(join(out, "estate", "not-current.json"), "utf8")).tenants).toEqual([]);
    expect(run.stdout).toContain(`${report.rollout.failingTenant}: reload failed`);
  });

  it("writes the inventory with credential references only", () => {
    const inventory = readFileSync(join(out, "rollout", "tenants.yml"), "utf8");
    expect(inventory).toContain("apiKeyEnv: DEMO_TENANT_KEY_1");
    expect(inventory).not.toMatch(/apiKey:/);
    expect(inventory.match(/- name: customer-\d+/g)).toHaveLength(20);
  });

  it("leaks no API key into its output or any file it wrote", async () => {
    // The simulator's credentials follow from its seed: the same start gives the demo's keys.
    const sim = await startSimulator({ tenants: 21, seed: "demo" });
    const keys = sim.description.tenants.map((t) => t.apiKey);
    await sim.stop();
    const files = readdirSync(out, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
    expect(files.length).toBeGreaterThan(30);
    for (const text of [run.stdout, ...files.map((f) => readFileSync(f, "utf8"))]) {
      for (const key of keys) expect(text.includes(key)).toBe(false);
    }
  });

  it("writes report.md and a self-contained report.html with both charts", () => {
    const md = readFileSync(join(out, "report.md"), "utf8");
    for (const heading of [
      "## Stages",
      "## Validation: lint",
      "## Validation: semantic diff",
      "## Deploy to test",
      "## Performance gate",
      "## Approval",
      "## Deploy to acceptance",
      "## Deploy to production (republish)",
      "## Post-deploy check",
      "## Canary rollout to 20 customer tenants",
    ]) {
      expect(md).toContain(heading);
    }
    expect(md).toContain("Auto-approved by the demo policy");
    expect(md).toContain("| Wave | Status | Tenants |");

    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<img\b|<iframe\b|@import|url\(/i);
    expect(html).not.toMatch(/<[^>]*\s(src|href)\s*=/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).toContain('aria-label="Rollout progress per wave"');
    expect(html).toContain('aria-label="Evaluation: response time per object, baseline and now"');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toMatch(/class="seg seg-failed"[^>]*data-count="1"/);
    expect(html.match(/class="bar-now"/g)).toHaveLength(report.evaluation.objects.length);
    expect(html).toContain("approve-gate");
  });

  // Screenshots stay in the demo's output folder (report-420px.png, report-1280px.png) for a person to look at.
  (browserAvailable() ? it : it.skip)(
    "reads on a phone and a desktop: no sideways page scroll, tables scroll in their card, chart text ≥ 11 px, no emoji",
    async () => {
      const browser = await launchBrowser();
      try {
        for (const width of [420, 1280]) {
          const m = await measurePage(
            browser,
            join(out, "report.html"),
            width,
            join(out, `report-${width}px.png`),
          );
          expect({ width, ...m }).toEqual({
            width,
            viewportWidth: width,
            scrollWidth: width,
            minChartTextPx: expect.any(Number),
            tablesOverflowingPage: 0,
            emoji: [],
          });
          expect(m.minChartTextPx).toBeGreaterThanOrEqual(11);
        }
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});

describe("npm run demo: failures", () => {
  it("a bad flag: one sentence, exit 1", async () => {
    const r = await runDemo(["--tenants", "2"]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe("Flag --tenants must be a whole number from 4 to 200, got '2'.");
  });

  it("an unusable output folder: one sentence naming the stage, exit 1, no stack", async () => {
    const file = join(work, "not-a-folder");
    writeFileSync(file, "x");
    const r = await runDemo(["--out", join(file, "sub"), "--quiet"]);
    expect(r.code).toBe(1);
    const last = r.stdout.trim().split("\n").pop()!;
    expect(last).toMatch(/^Demo failed/);
    expect(r.stdout).not.toMatch(/^\s+at /m);
    expect(r.stderr).toBe("");
    expect(existsSync(join(file, "sub"))).toBe(false);
  });
});
