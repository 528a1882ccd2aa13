// estate-status: which version of each app every customer tenant runs, and whether it is healthy — read
// from the tenants (nothing is written to them). The reading and the reports are the delivery library's
// (readEstate); this operation adds the optional blueprint drift, which lives here (configure-tenant's).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  canonicalJson,
  CicdError,
  ConfigError,
  defineOperation,
  plural,
  resolvePathInput,
  silentLogger,
  type OperationHost,
} from "@qlik-cicd/common";
import {
  mergeEstateReports,
  parseExpectedVersions,
  readEstate,
  renderEstateHtml,
  renderEstateMarkdown,
  renderNotCurrent,
  type DriftCounts,
  type EstateInput,
  type EstateProblem,
  type EstateReport,
} from "@qlik-cicd/delivery";
import {
  closeIssue,
  createIssue,
  createIssueComment,
  findOpenIssueByMarker,
  updateIssue,
  withMarker,
  type GitHubClient,
  type RepoRef,
} from "@qlik-cicd/github";
import type { QlikClient } from "@qlik-cicd/qlik-client";
import { configureTenant } from "../blueprint/configure.ts";
import { loadBlueprint } from "../blueprint/parse.ts";

const FAIL_ON = ["unreachable", "failed-reload", "not-current", "drift"] as const;
type FailOn = (typeof FAIL_ON)[number];

/** Which problems each `fail-on` word covers (`unreachable`: the tenant could not be read at all). */
const COVERS: Record<FailOn, EstateProblem[]> = {
  unreachable: ["unreachable", "bad-credentials"],
  "failed-reload": ["failed-reload"],
  "not-current": ["not-current"],
  drift: ["drift"],
};

export interface EstateStatusOptions {
  estate: EstateInput;
  /** The blueprint whose drift is counted, absolute, and as the user wrote it. */
  blueprint?: { file: string; label: string };
  failOn: FailOn[];
  files: { report: string; html: string; notCurrent: string };
  /** Merge mode: the shards' JSON reports to join into one (no tenant is read). */
  merge?: string[];
  /** Keep one open issue listing the tenants with problems (closed once there are none). */
  issue?: { token: string; repository: RepoRef; title: string };
}

export interface EstateStatusResult {
  report: EstateReport;
  /** The issue kept up to date, if asked for and there was one to open, update or close. */
  issueUrl?: string;
}

const ISSUE_LABEL = "qlik-estate";

/**
 * One open issue per space and apps, found by its hidden marker: updated with the tenants that have
 * problems, opened when there is none, closed (with a comment) once every tenant is healthy.
 */
async function keepIssue(
  gh: GitHubClient,
  issue: NonNullable<EstateStatusOptions["issue"]>,
  report: EstateReport,
  runUrl: string | undefined,
): Promise<string | undefined> {
  const marker = `qlik-cicd:estate-status:${report.space}:${report.apps.join(",")}`.replace(/-{2,}/g, "-");
  const repo = issue.repository;
  const open = await findOpenIssueByMarker(gh, { ...repo, label: ISSUE_LABEL, marker });
  const bad = report.counts.tenants - report.counts.healthy;
  if (!bad) {
    if (!open) return undefined;
    await createIssueComment(gh, {
      ...repo,
      issueNumber: open.number,
      body: `All ${plural(report.counts.tenants, "tenant")} healthy as of ${report.checkedAt}${runUrl ? ` ([run](${runUrl}))` : ""}; closing.`,
    });
    await closeIssue(gh, { ...repo, issueNumber: open.number, reason: "completed" });
    return open.html_url;
  }
  const body = withMarker(
    `${plural(bad, "tenant")} of ${report.counts.tenants} with problems, as of ${report.checkedAt}${runUrl ? ` ([run](${runUrl}), where the HTML page is an artifact)` : ""}. This issue is kept up to date by estate-status and closed once every tenant is healthy.\n\n${renderEstateMarkdown(report)}`,
    marker,
  );
  const title = `${issue.title}: ${plural(bad, "tenant")}`;
  if (open) {
    return (await updateIssue(gh, { ...repo, issueNumber: open.number, title, body })).html_url;
  }
  return (await createIssue(gh, { ...repo, title, body, labels: [ISSUE_LABEL] })).html_url;
}

function shardSuffix(shard: string | undefined): string {
  return shard ? `-shard${shard.replace(/\s/g, "").replace("/", "of")}` : "";
}

/** configure-tenant's drift of one tenant, reduced to counts. */
function driftCounter(
  blueprint: { file: string; label: string },
  env: NodeJS.ProcessEnv,
): (client: QlikClient) => Promise<DriftCounts> {
  const parsed = loadBlueprint(blueprint.file, blueprint.label);
  return async (client) => {
    const result = await configureTenant(
      client,
      { blueprint: parsed, mode: "drift", baseDir: dirname(blueprint.file), env },
      { logger: silentLogger },
    );
    const report = result.drift!;
    const areas: Record<string, number> = {};
    for (const d of report.differences) areas[d.area] = (areas[d.area] ?? 0) + 1;
    return {
      differences: report.differences.length,
      interactiveAdmins: report.interactiveAdmins.length,
      areas,
    };
  };
}

function readReport(file: string): EstateReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(
      `Input 'merge-reports': '${file}' is not an estate report that can be read (${(error as NodeJS.ErrnoException).code ?? "not JSON"}).`,
      { field: "merge-reports", cause: error },
    );
  }
  const r = parsed as Partial<EstateReport> | null;
  if (r?.version !== 1 || !Array.isArray(r.tenants) || !Array.isArray(r.apps)) {
    throw new ConfigError(`Input 'merge-reports': '${file}' is not an estate-status JSON report.`, {
      field: "merge-reports",
    });
  }
  return r as EstateReport;
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

export const estateStatusOperation = defineOperation({
  name: "estate-status",
  inputs: {
    "tenants-file": { required: true },
    space: { required: true },
    "app-name": { required: true },
    "expected-version": {},
    selector: {},
    shard: {},
    "max-parallel": { default: "20" },
    "reload-window-hours": { default: "24" },
    blueprint: {},
    "fail-on": {},
    "report-dir": {},
    "merge-reports": {},
    issue: { default: "false" },
    "issue-title": { default: "Qlik estate: tenants with problems" },
    "github-token": { default: "${{ github.token }}" },
  },
  outputNames: ["report", "html", "not-current-file", "not-current", "problems", "counts", "status", "issue"],

  options(inputs, host: OperationHost<GitHubClient>): EstateStatusOptions {
    inputs.required("tenants-file");
    inputs.required("app-name");
    const apps = inputs.list("app-name") ?? [];
    const shard = inputs.string("shard");
    const failOn = (inputs.list("fail-on") ?? []).map((word) => {
      const w = word.toLowerCase() as FailOn;
      if (!FAIL_ON.includes(w)) {
        throw new ConfigError(
          `Input 'fail-on': '${word}' is not a problem to fail on; use any of ${FAIL_ON.join(", ")}.`,
          { field: "fail-on" },
        );
      }
      return w;
    });
    const blueprintFile = inputs.path("blueprint");
    if (failOn.includes("drift") && !blueprintFile) {
      throw new ConfigError("Input 'fail-on' names drift, which needs the 'blueprint' to compare with.", {
        field: "fail-on",
      });
    }
    let issue: EstateStatusOptions["issue"];
    if (inputs.boolean("issue")) {
      const token = inputs.secret("github-token");
      if (!token) {
        throw new ConfigError("Input 'issue' needs 'github-token' (with issues: write) to open the issue.", {
          field: "github-token",
        });
      }
      const repository = host.run.repository;
      if (!repository) {
        throw new ConfigError(
          "Input 'issue' needs the repository to open the issue in (GITHUB_REPOSITORY is not set).",
          { field: "issue" },
        );
      }
      issue = { token, repository, title: inputs.required("issue-title") };
    }
    const dir = inputs.path("report-dir", { kind: "folder" }) ?? join(host.stateDir, "estate");
    const merge = inputs
      .list("merge-reports")
      ?.map((file) => resolvePathInput(host.paths, file, { field: "merge-reports" }));
    const suffix = merge ? "" : shardSuffix(shard);
    return {
      estate: {
        tenantsFile: inputs.path("tenants-file") as string,
        space: inputs.required("space"),
        apps,
        expected: parseExpectedVersions(inputs.list("expected-version"), apps),
        selector: inputs.string("selector"),
        shard,
        maxParallel: inputs.number("max-parallel", { min: 1, max: 1000, integer: true }),
        reloadWindowHours: inputs.number("reload-window-hours", { min: 1, max: 2160 }),
        env: host.env,
      },
      ...(blueprintFile ? { blueprint: { file: blueprintFile, label: inputs.required("blueprint") } } : {}),
      failOn: [...new Set(failOn)],
      ...(merge ? { merge } : {}),
      ...(issue ? { issue } : {}),
      files: {
        report: join(dir, `estate-report${suffix}.json`),
        html: join(dir, `estate${suffix}.html`),
        notCurrent: join(dir, `not-current${suffix}.json`),
      },
    };
  },

  async run(options, host: OperationHost<GitHubClient>): Promise<EstateStatusResult> {
    let report: EstateReport;
    if (options.merge) {
      report = mergeEstateReports(options.merge.map(readReport));
    } else {
      const drift = options.blueprint ? driftCounter(options.blueprint, host.env) : undefined;
      report = await readEstate(options.estate, {
        logger: host.logger,
        ...(drift ? { drift: (client) => drift(client) } : {}),
      });
    }
    write(options.files.report, canonicalJson(report));
    write(options.files.html, renderEstateHtml(report));
    write(options.files.notCurrent, renderNotCurrent(report));
    const c = report.counts;
    host.logger.info(
      `${plural(c.tenants, "tenant")}: ${c.healthy} healthy, ${c.tenants - c.healthy} with problems; ${report.notCurrent.length} not current.`,
    );
    if (!options.issue) return { report };
    const issueUrl = await keepIssue(
      host.github(options.issue.token),
      options.issue,
      report,
      host.run.runUrl,
    );
    if (issueUrl) host.logger.info(`Estate issue: ${issueUrl}`);
    return { report, ...(issueUrl ? { issueUrl } : {}) };
  },

  outputs: ({ report, issueUrl }, options) => ({
    report: options.files.report,
    html: options.files.html,
    "not-current-file": options.files.notCurrent,
    "not-current": report.notCurrent,
    problems: report.tenants
      .filter((t) => t.problems.length)
      .map((t) => ({ name: t.name, problems: t.problems })),
    counts: report.counts,
    status: report.counts.healthy === report.counts.tenants ? "healthy" : "problems",
    issue: issueUrl ?? "",
  }),

  summary: ({ report, issueUrl }) =>
    `${renderEstateMarkdown(report)}${issueUrl ? `\nIssue: ${issueUrl}\n` : ""}`,

  failure({ report }, options) {
    const hits = options.failOn
      .map((word) => ({
        word,
        tenants: report.tenants.filter((t) => t.problems.some((p) => COVERS[word].includes(p))).length,
      }))
      .filter((h) => h.tenants > 0);
    if (!hits.length) return undefined;
    return new CicdError(
      `The estate has problems 'fail-on' names: ${hits.map((h) => `${plural(h.tenants, "tenant")} ${h.word}`).join(", ")}.`,
      { hint: `The summary lists them; the report is ${options.files.report}.` },
    );
  },
});
