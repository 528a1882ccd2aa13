// The estate report without a tenant: versions compared and grouped, the report stable whatever order
// tenants were read in, the summary and not-current file, rollout-canary's tenants-from, and the HTML
// page at a thousand tenants — in Chromium at phone and desktop widths, with its filter used.
import { afterAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  canonicalJson,
  ConfigError,
  createInputReader,
  MemoryLogger,
  type OperationHost,
} from "@qlik-cicd/common";
import {
  buildEstateReport,
  matchesVersion,
  mergeEstateReports,
  parseExpectedVersions,
  renderEstateHtml,
  renderEstateMarkdown,
  renderNotCurrent,
  type DeploymentRecord,
  type TenantEstate,
} from "@qlik-cicd/delivery";
import type { GitHubClient } from "@qlik-cicd/github";
import { estateStatusOperation } from "@qlik-cicd/tenant";
import { actionHost } from "../../actions/_shared/src/host.ts";
import { tenantsFrom } from "../../packages/delivery/src/rollout/tenants-from.ts";
import { browserAvailable, launchBrowser, measurePage } from "../helpers/browser.ts";

const out = mkdtempSync(join(tmpdir(), "estate-report-"));
afterAll(() => {
  if (!process.env.KEEP_ESTATE_HTML) rmSync(out, { recursive: true, force: true });
});

const record = (over: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
  schema: 1,
  appName: "Sales",
  sourceDigest: "f".repeat(64),
  deployedAt: "2026-12-01T10:00:00.000Z",
  ...over,
});

const NEW = "1234567890abcdef1234567890abcdef12345678";
const OLD = "0987654321fedcba0987654321fedcba09876543";
const EVIL = `<script>alert("x")</script>`;

/** A tenant as readEstate reports it; `kind` picks the case. */
function tenant(i: number, kind: string): TenantEstate {
  const name = `customer-${String(i).padStart(4, "0")}`;
  const base = { name, url: `https://${name}.eu.qlikcloud.com`, region: i % 2 ? "eu" : "us", labels: [] };
  const reload = {
    id: `r${i}`,
    status: "SUCCEEDED",
    time: "2026-12-05T01:00:00.000Z",
    durationMs: 4000,
    failedInWindow: 0,
  };
  const version = (commit: string, status: "current" | "other") => ({
    app: "Sales",
    appId: `app-${i}`,
    status,
    version: {
      label: `commit ${commit.slice(0, 7)}`,
      sourceDigest: "f".repeat(64),
      commit,
      commitTime: "2026-11-30T09:00:00Z",
      deployedAt: "2026-12-01T10:00:00.000Z",
    },
    reload,
  });
  switch (kind) {
    case "unreachable":
      return {
        ...base,
        access: "unreachable",
        error: `Cannot reach tenant ${name} ${EVIL}.`,
        apps: [],
        problems: ["unreachable"],
      };
    case "other":
      return { ...base, access: "ok", apps: [version(OLD, "other")], problems: ["not-current"] };
    case "missing":
      return {
        ...base,
        access: "ok",
        apps: [{ app: "Sales", status: "missing" }],
        problems: ["not-current"],
      };
    case "failed":
      return {
        ...base,
        access: "ok",
        apps: [{ ...version(NEW, "current"), reload: { ...reload, status: "FAILED", failedInWindow: 2 } }],
        problems: ["failed-reload"],
      };
    default:
      return { ...base, access: "ok", apps: [version(NEW, "current")], problems: [] };
  }
}

function estate(n: number): TenantEstate[] {
  return Array.from({ length: n }, (_, i) =>
    tenant(
      i + 1,
      i % 50 === 7
        ? "unreachable"
        : i % 10 === 3
          ? "other"
          : i % 97 === 5
            ? "missing"
            : i % 31 === 2
              ? "failed"
              : "current",
    ),
  );
}

const HEAD = {
  checkedAt: "2026-12-05T06:00:00.000Z",
  space: "production",
  apps: ["Sales"],
  expected: { Sales: NEW.slice(0, 12) },
  reloadWindowHours: 24,
  excluded: 0,
};

describe("versions", () => {
  it("matches an artifact digest, a commit prefix of 7+ characters or the source digest", () => {
    expect(matchesVersion(record({ artifactDigest: "sha256:abc" }), "ABC")).toBe(true);
    expect(matchesVersion(record({ artifactDigest: "abc" }), "sha256:abc")).toBe(true);
    expect(matchesVersion(record({ commit: NEW }), NEW.slice(0, 7))).toBe(true);
    expect(matchesVersion(record({ commit: NEW }), NEW.slice(0, 6))).toBe(false);
    expect(matchesVersion(record({ commit: NEW }), OLD)).toBe(false);
    expect(matchesVersion(record(), "f".repeat(64))).toBe(true);
  });

  it("reads one expected version for every app, or one per app, and names a wrong app", () => {
    expect(parseExpectedVersions(["abc1234"], ["A", "B"])).toEqual({ A: "abc1234", B: "abc1234" });
    expect(parseExpectedVersions(["B=1234567", "A=sha256:ff"], ["A", "B"])).toEqual({
      A: "sha256:ff",
      B: "1234567",
    });
    expect(() => parseExpectedVersions(["C=1234567"], ["A", "B"])).toThrow(
      "Input 'expected-version' names app 'C', which is not in 'app-name' ('A', 'B').",
    );
    expect(() => parseExpectedVersions(["A=1", "nothing"], ["A"])).toThrow(ConfigError);
  });
});

describe("the report", () => {
  it("is the same whatever order the tenants were read in: problems first, versions counted", () => {
    const tenants = estate(200);
    const a = buildEstateReport(tenants, HEAD);
    const b = buildEstateReport([...tenants].reverse(), HEAD);
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    const firstHealthy = a.tenants.findIndex((t) => !t.problems.length);
    expect(a.tenants.slice(firstHealthy).every((t) => !t.problems.length)).toBe(true);
    expect(a.versions.map((v) => [v.label, v.status, v.tenants])).toEqual([
      [`commit ${NEW.slice(0, 7)}`, "current", 173],
      [`commit ${OLD.slice(0, 7)}`, "other", 20],
      ["missing", "missing", 3],
      ["unreadable", "unreadable", 4],
    ]);
    expect(a.counts.problems).toEqual({
      unreachable: 4,
      "bad-credentials": 0,
      "failed-reload": 5,
      "not-current": 23,
      drift: 0,
    });
    expect(a.notCurrent).toHaveLength(23);
    expect(JSON.parse(renderNotCurrent(a)).tenants).toEqual(a.notCurrent);
  });

  it("merges the reports of shards into the report of the whole estate", () => {
    const tenants = estate(200);
    const whole = buildEstateReport(tenants, HEAD);
    const shards = [0, 1, 2].map((k) =>
      buildEstateReport(
        tenants.filter((_, i) => i % 3 === k),
        { ...HEAD, shard: `${k + 1}/3`, checkedAt: `2026-12-05T06:0${k}:00.000Z` },
      ),
    );
    expect(canonicalJson(mergeEstateReports(shards))).toBe(canonicalJson(whole));
    expect(() => mergeEstateReports([shards[0], { ...shards[1], space: "test" }])).toThrow(
      /the reports are of different reads/,
    );
  });

  it("keeps the job summary short at a thousand tenants: counts, then the first tenants with problems", () => {
    const md = renderEstateMarkdown(buildEstateReport(estate(1000), HEAD));
    expect(md).toContain("| not current | 110 |");
    expect(md).toContain("more tenants with problems: see the JSON report or the HTML page.");
    expect(md.length).toBeLessThan(64_000);
  });
});

describe("rollout-canary's tenants-from", () => {
  const inventory = ["a", "b", "c"].map((name) => ({
    name,
    url: `https://${name}.example`,
    labels: [],
    credentials: { apiKeyEnv: "K" },
  }));

  it("reads the not-current file, a JSON list and plain lines", () => {
    const file = join(out, "list");
    writeFileSync(
      file,
      renderNotCurrent(buildEstateReport([tenant(1, "other")], HEAD)).replace("customer-0001", "c"),
    );
    expect(tenantsFrom(file, inventory).map((t) => t.name)).toEqual(["c"]);
    writeFileSync(file, '["b", "a"]');
    expect(tenantsFrom(file, inventory).map((t) => t.name)).toEqual(["a", "b"]);
    writeFileSync(file, "# behind\nb\n\nc # eu\n");
    expect(tenantsFrom(file, inventory).map((t) => t.name)).toEqual(["b", "c"]);
  });

  it("refuses names the inventory lacks, and a file it cannot use", () => {
    const file = join(out, "bad");
    writeFileSync(file, '{"tenants": ["a", "zeta"]}');
    expect(() => tenantsFrom(file, inventory)).toThrow(
      "Input 'tenants-from' names a tenant the inventory does not have (zeta); regenerate the list from the same inventory.",
    );
    writeFileSync(file, '{"tenants": "a"}');
    expect(() => tenantsFrom(file, inventory)).toThrow(/must hold a list of tenant names/);
    expect(() => tenantsFrom(join(out, "none"), inventory)).toThrow(/cannot be read \(ENOENT\)/);
  });
});

describe("estate.html", () => {
  const report = buildEstateReport(estate(1000), HEAD);
  const file = join(out, "estate.html");
  writeFileSync(file, renderEstateHtml(report));

  it("escapes every text and holds one row per tenant", () => {
    const html = renderEstateHtml(report);
    expect(html).not.toContain(EVIL);
    expect(html).toContain("&lt;script&gt;");
    expect(html.match(/<tr data-s=/g)).toHaveLength(1000);
    expect(html).not.toMatch(/<(link|img|iframe)|src=|https?:\/\/(?!customer-)/);
  });

  (browserAvailable() ? it : it.skip)(
    "reads on a phone and a desktop at 1,000 tenants, and its filter narrows the table",
    async () => {
      const browser = await launchBrowser();
      try {
        for (const width of [420, 1280]) {
          const m = await measurePage(browser, file, width, join(out, `estate-${width}px.png`));
          expect({ width, scroll: m.scrollWidth, tables: m.tablesOverflowingPage, emoji: m.emoji }).toEqual({
            width,
            scroll: m.viewportWidth,
            tables: 0,
            emoji: [],
          });
        }
        const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
        await page.goto(pathToFileURL(file).href);
        const visible = () => page.locator("#tenants tbody tr:visible").count();
        expect(await visible()).toBe(1000);
        await page.selectOption("#f", "not-current");
        expect(await visible()).toBe(report.counts.problems["not-current"]);
        expect(await page.textContent("#shown")).toBe(String(report.counts.problems["not-current"]));
        await page.selectOption("#f", "");
        await page.fill("#q", "customer-0008");
        expect(await visible()).toBe(1);
        await page.fill("#q", "");
        await page.click(`a[data-filter="v1"]`);
        expect(await visible()).toBe(report.versions[1].tenants);
        await page.close();
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});

describe("estate-status inputs", () => {
  const host = {
    ...actionHost(undefined, { GITHUB_WORKSPACE: out, RUNNER_TEMP: out }),
    logger: new MemoryLogger(),
  } as OperationHost<GitHubClient>;
  const base = { "tenants-file": "tenants.yml", space: "production", "app-name": "Sales, Finance" };
  const options = (inputs: Record<string, string>) => {
    const reader = createInputReader(estateStatusOperation.inputs, { get: (n) => inputs[n] }, host.paths);
    return estateStatusOperation.options(reader, host);
  };

  it("reads one sentence per bad input, naming it", () => {
    expect(() => options({ ...base, "fail-on": "unreachable, broken" })).toThrow(
      "Input 'fail-on': 'broken' is not a problem to fail on; use any of unreachable, failed-reload, not-current, drift.",
    );
    expect(() => options({ ...base, "fail-on": "drift" })).toThrow(
      "Input 'fail-on' names drift, which needs the 'blueprint' to compare with.",
    );
    expect(() => options({ ...base, "expected-version": "Sales=1234567\nHR=89abcde" })).toThrow(
      "Input 'expected-version' names app 'HR', which is not in 'app-name' ('Sales', 'Finance').",
    );
    expect(() => options({ ...base, issue: "true", "github-token": "t0ken-value" })).toThrow(
      "Input 'issue' needs the repository to open the issue in (GITHUB_REPOSITORY is not set).",
    );
  });

  it("names its files after the shard, so matrix jobs keep theirs apart", () => {
    const o = options({ ...base, shard: "2/3", "expected-version": "abcdef1" });
    expect(o.estate.apps).toEqual(["Sales", "Finance"]);
    expect(o.estate.expected).toEqual({ Sales: "abcdef1", Finance: "abcdef1" });
    expect(o.files.report).toBe(join(out, "estate", "estate-report-shard2of3.json"));
    expect(o.files.notCurrent).toBe(join(out, "estate", "not-current-shard2of3.json"));
  });
});
