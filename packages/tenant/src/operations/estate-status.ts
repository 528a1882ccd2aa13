// estate-status: which version of each app every customer tenant runs, and whether it is healthy — read
// from the tenants (nothing is written to them). The reading and the reports are the delivery library's
// (readEstate); this operation adds the optional blueprint drift, which lives here (configure-tenant's).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  canonicalJson,
  CicdError,
  ConfigError,
  defineOperation,
  plural,
  silentLogger,
} from "@qlik-cicd/common";
import {
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
  },
  outputNames: ["report", "html", "not-current-file", "not-current", "problems", "counts", "status"],

  options(inputs, host): EstateStatusOptions {
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
    const dir = inputs.path("report-dir", { kind: "folder" }) ?? join(host.stateDir, "estate");
    const suffix = shardSuffix(shard);
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
      files: {
        report: join(dir, `estate-report${suffix}.json`),
        html: join(dir, `estate${suffix}.html`),
        notCurrent: join(dir, `not-current${suffix}.json`),
      },
    };
  },

  async run(options, host): Promise<EstateReport> {
    const drift = options.blueprint ? driftCounter(options.blueprint, host.env) : undefined;
    const report = await readEstate(options.estate, {
      logger: host.logger,
      ...(drift ? { drift: (client) => drift(client) } : {}),
    });
    write(options.files.report, canonicalJson(report));
    write(options.files.html, renderEstateHtml(report));
    write(options.files.notCurrent, renderNotCurrent(report));
    const c = report.counts;
    host.logger.info(
      `${plural(c.tenants, "tenant")}: ${c.healthy} healthy, ${c.tenants - c.healthy} with problems; ${report.notCurrent.length} not current.`,
    );
    return report;
  },

  outputs: (report, options) => ({
    report: options.files.report,
    html: options.files.html,
    "not-current-file": options.files.notCurrent,
    "not-current": report.notCurrent,
    problems: report.tenants
      .filter((t) => t.problems.length)
      .map((t) => ({ name: t.name, problems: t.problems })),
    counts: report.counts,
    status: report.counts.healthy === report.counts.tenants ? "healthy" : "problems",
  }),

  summary: (report) => renderEstateMarkdown(report),

  failure(report, options) {
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
