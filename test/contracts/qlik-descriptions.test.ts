// Contract tests in both directions: the product's main flows run against the simulator through a wire tap
// on its sockets (REST and the QIX WebSocket); every request the product sends and every response the
// simulator returns is checked against Qlik's own descriptions (test/contracts/fixtures/qlik-descriptions,
// see SOURCES.md). Anything that does not hold fails, unless exceptions.ts records why the reference is
// wrong.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "@qlik-cicd/simulator";
import { EXCEPTIONS, KNOWN_DEFECTS, READING_RULES, RESPONSE_SCHEMA_OVERRIDES } from "./qlik/exceptions.ts";
import { checkTable, triage } from "./qlik/findings.ts";
import type { Check } from "./qlik/findings.ts";
import { FLOWS, runProductFlows } from "./qlik/flows.ts";
import { QixContract } from "./qlik/qix-contract.ts";
import { Recorder } from "./qlik/recorder.ts";
import { loadRestDescriptions, RestContract } from "./qlik/rest-contract.ts";
import { testReport } from "../helpers/report.ts";

const DESCRIPTIONS = join(import.meta.dirname, "fixtures", "qlik-descriptions");

const recorder = new Recorder();
let rest: RestContract;
let checks: Check[] = [];
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "contract-flows-"));
  const sim = await startSimulator({
    tenants: 1,
    seed: "demo",
    wireTap: recorder.tap,
    timings: {
      reloadMs: 10,
      evaluationMs: 10,
      publishAccessWindowMs: 0,
      automationRunMs: 10,
      retryAfterSeconds: 0,
    },
  });
  try {
    await runProductFlows(sim, recorder, work);
  } finally {
    await sim.stop();
  }
  rest = new RestContract(loadRestDescriptions(join(DESCRIPTIONS, "rest")), RESPONSE_SCHEMA_OVERRIDES);
  const qix = new QixContract(JSON.parse(readFileSync(join(DESCRIPTIONS, "qix", "engine-rpc.json"), "utf8")));
  checks = [...recorder.exchanges.map((e) => rest.check(e)), ...qix.check(recorder.frames)];
  const flows = [...recorder.durations].map(([flow, ms]) => `${flow} ${ms} ms`).join(", ");
  testReport(
    `\nChecked against Qlik's descriptions (${recorder.exchanges.length} HTTP exchanges, ${recorder.frames.length} QIX frames; flows: ${flows}):\n\n${checkTable(checks, EXCEPTIONS, KNOWN_DEFECTS)}\n\nHow the descriptions were read:\n${READING_RULES.map((r) => `- ${r.rule}`).join("\n")}\n`,
  );
  // About 20 s on its own; the margin is for a machine busy with the rest of the suite.
}, 240_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("the product's traffic against Qlik's own descriptions", () => {
  it("ran every flow through the wire tap, REST and QIX", () => {
    expect(recorder.flows()).toEqual(expect.arrayContaining([...FLOWS]));
    for (const flow of FLOWS) expect(checks.some((c) => c.flow === flow)).toBe(true);
    expect(checks.some((c) => c.kind === "REST")).toBe(true);
    expect(checks.some((c) => c.kind === "QIX")).toBe(true);
  });

  it("finds nothing the descriptions do not allow, beyond the documented exceptions", () => {
    const { failures } = triage(checks, [...EXCEPTIONS, ...KNOWN_DEFECTS]);
    const lines = failures.map((f) => `${f.flow}: ${f.rule} ${f.subject} — ${f.detail}`);
    expect([...new Set(lines)]).toEqual([]);
  });

  it("keeps no exception or override that no longer matches anything", () => {
    const { excused } = triage(checks, [...EXCEPTIONS, ...KNOWN_DEFECTS]);
    const stale = [...excused].filter(([, n]) => n === 0).map(([e]) => `${e.rule} ${String(e.subject)}`);
    expect(stale).toEqual([]);
    const unused = RESPONSE_SCHEMA_OVERRIDES.filter((o) => !rest.usedOverrides.has(o)).map((o) => o.subject);
    expect(unused).toEqual([]);
  });
});
