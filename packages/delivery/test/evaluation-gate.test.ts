// The gate's pure logic: medians over passes, the ms floor, percentages, absolute limits, new and removed
// objects, app open, memory, errors, and summaries flattened from Qlik's evaluation shape.
import { describe, expect, it } from "@jest/globals";
import type { Evaluation } from "@qlik/api/analytics/apps";
import {
  DEFAULT_THRESHOLDS,
  evaluateGate,
  evaluationState,
  failureSentence,
  formatMs,
  hasNoPublicSheets,
  median,
  renderEvaluationMarkdown,
  summarizeEvaluation,
  type EvaluationReport,
  type EvaluationSummary,
  type GateThresholds,
} from "../src/evaluation/index.ts";

let seq = 0;
function pass(times: Record<string, number>, extra: Partial<EvaluationSummary> = {}): EvaluationSummary {
  return {
    id: `e${++seq}`,
    appId: "app",
    status: "finished",
    objects: Object.entries(times).map(([id, responseMs]) => ({
      id,
      title: `Chart ${id}`,
      type: "barchart",
      sheetTitle: "Overview",
      responseMs,
    })),
    memoryLimitObjectIds: [],
    events: [],
    ...extra,
  };
}

const t = (over: Partial<GateThresholds> = {}): GateThresholds => ({ ...DEFAULT_THRESHOLDS, ...over });

describe("median", () => {
  it("takes the middle value, the mean of the middle two, and ignores non-numbers", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([NaN, 5])).toBe(5);
    expect(median([])).toBeUndefined();
  });
});

describe("evaluateGate", () => {
  it("passes an unchanged app", () => {
    const gate = evaluateGate([pass({ a: 100, b: 200 })], [pass({ a: 100, b: 200 })], t());
    expect(gate.verdict).toBe("pass");
    expect(gate.regressions).toEqual([]);
    expect(gate.objects.map((o) => [o.id, o.deltaMs, o.deltaPercent, o.status])).toEqual([
      ["b", 0, 0, "changed"],
      ["a", 0, 0, "changed"],
    ]);
  });

  it("fails an object slower by more than the percentage and the ms floor, with numbers", () => {
    const gate = evaluateGate([pass({ a: 300 })], [pass({ a: 200 })], t());
    expect(gate.verdict).toBe("fail");
    expect(gate.objects[0]).toMatchObject({
      id: "a",
      baselineMs: 200,
      currentMs: 300,
      deltaMs: 100,
      deltaPercent: 50,
      regressed: true,
    });
    expect(gate.regressions).toHaveLength(1);
    expect(gate.regressions[0]).toMatchObject({
      kind: "object",
      objectId: "a",
      baseline: 200,
      current: 300,
      delta: 100,
      deltaPercent: 50,
    });
    expect(gate.regressions[0].message).toBe(
      "Object 'Chart a' (barchart) went from 200 ms to 300 ms (+50 %, +100 ms), more than the 20 % allowed.",
    );
    expect(failureSentence(gate, "Sales")).toBe(
      "Performance gate failed for app 'Sales': Object 'Chart a' (barchart) went from 200 ms to 300 ms (+50 %, +100 ms), more than the 20 % allowed.",
    );
  });

  it("ignores changes below the ms floor however large in percent (noise on fast objects)", () => {
    const gate = evaluateGate([pass({ fast: 40 })], [pass({ fast: 10 })], t({ minRegressionMs: 50 }));
    expect(gate.objects[0].deltaPercent).toBe(300);
    expect(gate.verdict).toBe("pass");
    const noFloor = evaluateGate([pass({ fast: 40 })], [pass({ fast: 10 })], t({ minRegressionMs: 0 }));
    expect(noFloor.verdict).toBe("fail");
  });

  it("ignores changes within the percentage however large in ms", () => {
    const gate = evaluateGate(
      [pass({ slow: 5900 })],
      [pass({ slow: 5000 })],
      t({ maxRegressionPercent: 20 }),
    );
    expect(gate.objects[0].deltaPercent).toBe(18);
    expect(gate.verdict).toBe("pass");
    expect(evaluateGate([pass({ slow: 6001 })], [pass({ slow: 5000 })], t()).verdict).toBe("fail");
    // Exactly at the limit is allowed.
    expect(evaluateGate([pass({ slow: 6000 })], [pass({ slow: 5000 })], t()).verdict).toBe("pass");
  });

  it("uses medians per metric so one outlier pass cannot flip the verdict", () => {
    const current = [pass({ a: 100 }), pass({ a: 900 }), pass({ a: 104 })];
    const baseline = [pass({ a: 98 }), pass({ a: 102 }), pass({ a: 100 })];
    const gate = evaluateGate(current, baseline, t());
    expect(gate.objects[0]).toMatchObject({ baselineMs: 100, currentMs: 104, deltaMs: 4 });
    expect(gate.verdict).toBe("pass");
    expect(gate.passes).toEqual({ current: 3, baseline: 3 });
    // A consistent slowdown does fail.
    const slow = evaluateGate([pass({ a: 300 }), pass({ a: 90 }), pass({ a: 310 })], baseline, t());
    expect(slow.objects[0].currentMs).toBe(300);
    expect(slow.verdict).toBe("fail");
  });

  it("takes medians only over the passes in which an object appeared", () => {
    const gate = evaluateGate(
      [pass({ a: 100 }), pass({ a: 100, b: 70 }), pass({ a: 100, b: 90 })],
      [pass({ a: 100 })],
      t(),
    );
    expect(gate.objects.find((o) => o.id === "b")).toMatchObject({
      currentMs: 80,
      baselineMs: null,
      status: "new",
      regressed: false,
    });
  });

  it("lists new and removed objects without failing on them, unless a new one breaks an absolute limit", () => {
    const gate = evaluateGate([pass({ kept: 100, added: 5000 })], [pass({ kept: 100, gone: 300 })], t());
    expect(gate.verdict).toBe("pass");
    expect(gate.objects.map((o) => [o.id, o.status, o.baselineMs, o.currentMs, o.deltaMs])).toEqual([
      ["added", "new", null, 5000, null],
      ["gone", "removed", 300, null, null],
      ["kept", "changed", 100, 100, 0],
    ]);
    const capped = evaluateGate(
      [pass({ kept: 100, added: 5000 })],
      [pass({ kept: 100 })],
      t({ maxObjectMs: 1000 }),
    );
    expect(capped.verdict).toBe("fail");
    expect(capped.regressions[0]).toMatchObject({ kind: "objectLimit", objectId: "added", current: 5000 });
    expect(capped.regressions[0].message).toBe(
      "Object 'Chart added' (barchart) takes 5000 ms, above the limit of 1000 ms.",
    );
    expect(capped.objects.find((o) => o.id === "added")?.regressed).toBe(true);
  });

  it("applies the absolute object limit even without a baseline, and to unchanged objects", () => {
    const gate = evaluateGate([pass({ a: 1500, b: 200 })], [], t({ maxObjectMs: 1000 }));
    expect(gate.baselineMissing).toBe(true);
    expect(gate.verdict).toBe("fail");
    expect(gate.regressions.map((r) => r.objectId)).toEqual(["a"]);
    expect(evaluateGate([pass({ a: 1500 })], [pass({ a: 1500 })], t({ maxObjectMs: 1000 })).verdict).toBe(
      "fail",
    );
    expect(evaluateGate([pass({ a: 1500 })], [], t()).verdict).toBe("pass");
  });

  it("pairs objects by type, title and sheet when a rebuild gave them new ids", () => {
    const cur = pass({ new1: 400 });
    const base = pass({ old1: 100 });
    cur.objects[0].title = "Revenue";
    base.objects[0].title = "Revenue";
    const gate = evaluateGate([cur], [base], t());
    expect(gate.objects).toHaveLength(1);
    expect(gate.objects[0]).toMatchObject({ id: "new1", baselineMs: 100, currentMs: 400, regressed: true });
    // A different title on the same type is a different object.
    expect(
      evaluateGate([pass({ new1: 400 })], [pass({ old1: 100 })], t()).objects.map((o) => o.status),
    ).toEqual(["new", "removed"]);
    // Ambiguous titles are not paired.
    const twin = pass({});
    twin.objects = [
      { id: "x1", title: "Same", type: "kpi", responseMs: 100 },
      { id: "x2", title: "Same", type: "kpi", responseMs: 900 },
    ];
    const other = pass({});
    other.objects = [{ id: "y1", title: "Same", type: "kpi", responseMs: 100 }];
    expect(
      evaluateGate([twin], [other], t())
        .objects.map((o) => o.status)
        .sort(),
    ).toEqual(["new", "new", "removed"]);
  });

  it("treats an object that went from 0 ms to measurable as a regression when above the floor", () => {
    const gate = evaluateGate([pass({ a: 80 })], [pass({ a: 0 })], t());
    expect(gate.objects[0].deltaPercent).toBeNull();
    expect(gate.verdict).toBe("fail");
  });

  it("checks app open time: regression percent with the floor, and the absolute limit", () => {
    const slower = evaluateGate([pass({}, { appOpenMs: 900 })], [pass({}, { appOpenMs: 600 })], t());
    expect(slower.appOpen).toEqual({
      baseline: 600,
      current: 900,
      delta: 300,
      deltaPercent: 50,
      regressed: true,
    });
    expect(slower.regressions[0].kind).toBe("appOpen");
    expect(evaluateGate([pass({}, { appOpenMs: 90 })], [pass({}, { appOpenMs: 60 })], t()).verdict).toBe(
      "pass",
    );
    const limit = evaluateGate(
      [pass({}, { appOpenMs: 2500 })],
      [pass({}, { appOpenMs: 2500 })],
      t({ maxAppOpenMs: 2000 }),
    );
    expect(limit.regressions.map((r) => r.kind)).toEqual(["appOpenLimit"]);
    expect(limit.regressions[0].message).toBe("Opening the app takes 2500 ms, above the limit of 2000 ms.");
  });

  it("checks reload peak memory growth against its own percentage and floor", () => {
    const MiB = 1048576;
    const grown = evaluateGate(
      [pass({}, { peakMemoryBytes: 400 * MiB })],
      [pass({}, { peakMemoryBytes: 200 * MiB })],
      t({ maxMemoryRegressionPercent: 25 }),
    );
    expect(grown.memory.regressed).toBe(true);
    expect(grown.regressions[0].message).toBe(
      "Reload peak memory went from 200.0 MiB to 400.0 MiB (+100 %), more than the 25 % allowed.",
    );
    // Small in absolute terms: below the 16 MiB floor.
    expect(
      evaluateGate([pass({}, { peakMemoryBytes: 8 * MiB })], [pass({}, { peakMemoryBytes: 2 * MiB })], t())
        .verdict,
    ).toBe("pass");
    // Not checked when the threshold is unset.
    expect(
      evaluateGate(
        [pass({}, { peakMemoryBytes: 400 * MiB })],
        [pass({}, { peakMemoryBytes: 200 * MiB })],
        t({ maxMemoryRegressionPercent: undefined }),
      ).verdict,
    ).toBe("pass");
  });

  it("fails on error events (deduplicated over passes), unless told not to, and says which were already there", () => {
    const err = {
      severity: "error",
      errorCode: "EVAL-FIELD-NOT-FOUND",
      message: "Object 'x' references unknown field(s): Foo.",
      objectId: "x",
    };
    const old = { severity: "error", errorCode: "EVAL-OLD", message: "Old problem." };
    const current = [
      pass({ x: 4 }, { events: [err, old] }),
      pass({ x: 4 }, { events: [err, { severity: "warning", message: "slow" }] }),
    ];
    const baseline = [pass({ x: 4 }, { events: [old] })];
    const gate = evaluateGate(current, baseline, t());
    expect(gate.verdict).toBe("fail");
    expect(gate.errors.map((e) => [e.errorCode, e.inBaseline])).toEqual([
      ["EVAL-FIELD-NOT-FOUND", false],
      ["EVAL-OLD", true],
    ]);
    expect(gate.regressions.map((r) => r.kind)).toEqual(["error", "error"]);
    expect(gate.regressions.find((r) => r.objectId === "x")?.message).toBe(
      "The evaluation reported an error (EVAL-FIELD-NOT-FOUND): Object 'x' references unknown field(s): Foo.",
    );
    expect(evaluateGate(current, baseline, t({ failOnErrors: false })).verdict).toBe("pass");
  });

  it("fails when an object newly hits the memory limit in most passes", () => {
    const hit = (ids: string[]) => pass({ m: 10 }, { memoryLimitObjectIds: ids });
    expect(
      evaluateGate([hit(["m"]), hit(["m"]), hit([])], [hit([])], t()).regressions.map((r) => r.kind),
    ).toEqual(["memoryLimit"]);
    expect(evaluateGate([hit(["m"]), hit([]), hit([])], [hit([])], t()).verdict).toBe("pass");
    expect(evaluateGate([hit(["m"])], [hit(["m"])], t()).verdict).toBe("pass");
  });

  it("orders regressions worst first and counts the rest in the failure sentence", () => {
    const gate = evaluateGate([pass({ a: 300, b: 1000 })], [pass({ a: 200, b: 500 })], t());
    expect(gate.regressions.map((r) => r.objectId)).toEqual(["b", "a"]);
    expect(failureSentence(gate)).toBe(
      "Performance gate failed: Object 'Chart b' (barchart) went from 500 ms to 1000 ms (+100 %, +500 ms), more than the 20 % allowed (and 1 more regression).",
    );
    // Errors outrank time.
    const withError = evaluateGate(
      [pass({ a: 300 }, { events: [{ severity: "error", message: "Broken." }] })],
      [pass({ a: 200 })],
      t(),
    );
    expect(withError.regressions[0].kind).toBe("error");
  });

  it("sorts objects slowest first and is deterministic", () => {
    const a = evaluateGate([pass({ c: 5, a: 50, b: 50 })], [pass({ a: 50, b: 50, c: 5 })], t());
    expect(a.objects.map((o) => o.id)).toEqual(["a", "b", "c"]);
    expect(
      JSON.stringify(evaluateGate([pass({ c: 5, a: 50, b: 50 })], [pass({ a: 50, b: 50, c: 5 })], t())),
    ).toBe(JSON.stringify(a));
  });

  it("needs at least one current evaluation", () => {
    expect(() => evaluateGate([], [], t())).toThrow(/at least one current evaluation/);
  });
});

describe("summarizeEvaluation", () => {
  const evaluation: Evaluation = {
    id: "ev1",
    appId: "app1",
    appName: "Sales",
    status: "finished",
    started: "2026-01-01T00:00:00.000Z",
    ended: "2026-01-01T00:01:00.000Z",
    events: [{ severity: "Error", errorCode: "E1", message: "Bad.", objectId: "o3" }],
    details: {
      errors: ["Bad.", "Only in details."],
      objectMetrics: {
        o3: {
          id: "o3",
          title: "Third",
          objectType: "table",
          passes: [{ responseTimeSeconds: 0.3 }, { responseTimeSeconds: 0.01 }],
        },
        o1: { id: "o1", title: "First", objectType: "kpi", passes: [{ responseTimeSeconds: 9 }] },
      },
    },
    result: {
      sheetCount: 1,
      objectCount: 3,
      documentSizeMiB: 1.5,
      openApp: { totalDurationMilliseconds: 120.5 },
      objNoCache: [
        {
          id: "o1",
          title: "First",
          objectType: "kpi",
          sheetId: "s1",
          sheetTitle: "Main",
          responseTimeSeconds: 0.0125,
        },
      ],
      sheetsUncached: [
        {
          sheet: { id: "s1", objectType: "sheet", title: "Main", responseTimeSeconds: 0.5 },
          sheetObjects: [
            {
              id: "o2",
              title: "Second",
              objectType: "barchart",
              sheetTitle: "Main",
              responseTimeSeconds: 0.2,
            },
          ],
        },
      ],
      objMemoryLimit: [{ id: "o2" }],
    },
    reloadInformation: { reloadmeta: { peakmemorybytes: 123456 } },
  };

  it("flattens objects (objNoCache first, then sheets, then objectMetrics), metrics and events", () => {
    const s = summarizeEvaluation(evaluation);
    expect(s.objects).toEqual([
      { id: "o1", title: "First", type: "kpi", sheetId: "s1", sheetTitle: "Main", responseMs: 12.5 },
      { id: "o2", title: "Second", type: "barchart", sheetTitle: "Main", responseMs: 200 },
      { id: "o3", title: "Third", type: "table", responseMs: 300 },
    ]);
    expect(s).toMatchObject({
      id: "ev1",
      appId: "app1",
      appName: "Sales",
      appOpenMs: 120.5,
      peakMemoryBytes: 123456,
      sheetCount: 1,
    });
    expect(s.memoryLimitObjectIds).toEqual(["o2"]);
    expect(s.events).toEqual([
      { severity: "error", errorCode: "E1", message: "Bad.", objectId: "o3" },
      { severity: "error", message: "Only in details." },
    ]);
    expect(hasNoPublicSheets(s)).toBe(false);
  });

  it("recognises an evaluation without public sheets", () => {
    expect(
      hasNoPublicSheets(summarizeEvaluation({ id: "x", status: "finished", result: { sheetCount: 0 } })),
    ).toBe(true);
    expect(
      hasNoPublicSheets(
        summarizeEvaluation({
          id: "x",
          status: "finished",
          events: [{ severity: "warning", errorCode: "EVAL-NO-PUBLIC-SHEETS" }],
          result: {},
        }),
      ),
    ).toBe(true);
  });

  it("reads free-form statuses", () => {
    expect(["finished", "FINISHED", "succeeded", "completed"].map(evaluationState)).toEqual([
      "done",
      "done",
      "done",
      "done",
    ]);
    expect(["failed", "canceled", "error", "timeout"].map(evaluationState)).toEqual([
      "failed",
      "failed",
      "failed",
      "failed",
    ]);
    expect(["queued", "running", "", undefined].map(evaluationState)).toEqual([
      "pending",
      "pending",
      "pending",
      "pending",
    ]);
  });
});

describe("renderEvaluationMarkdown", () => {
  it("shows the verdict, regressions in bold, the slowest objects with baseline, now and change", () => {
    const current = [pass({ slow: 900, ok: 100, fast: 5 }, { appOpenMs: 500 })];
    const baseline = [pass({ slow: 300, ok: 100, gone: 7 }, { appOpenMs: 480 })];
    const gate = evaluateGate(current, baseline, t());
    const report: EvaluationReport = {
      version: 1,
      app: { id: "tmp", name: "Sales | EU", temporary: true, source: "apps/sales" },
      baseline: {
        kind: "auto",
        appId: "p",
        appName: "Sales | EU",
        space: "production",
        reused: 2,
        evaluationIds: ["b1"],
        evaluations: baseline,
      },
      current: { evaluationIds: ["c1"], evaluations: current },
      thresholds: t(),
      gate,
      warnings: ["Something to know."],
    };
    const md = renderEvaluationMarkdown(report, { maxObjects: 2, runUrl: "https://example.test/run/1" });
    expect(md).toContain("### ❌ Performance gate failed: Sales \\| EU");
    expect(md).toContain("a temporary app built from `apps/sales` (deleted after the run)");
    expect(md).toContain(
      "Baseline: 'Sales \\| EU' in space 'production', 1 evaluation (2 reused from recent runs).",
    );
    expect(md).toContain("**Regressions (1)**");
    expect(md).toContain(
      "| **❌ Chart slow** | barchart | Overview | 300 ms | 900 ms | **+600 ms (+200 %)** |",
    );
    expect(md).toContain("| Chart ok | barchart | Overview | 100 ms | 100 ms | ±0.0 ms (0 %) |");
    expect(md).not.toContain("Chart fast");
    expect(md).toContain("**Slowest objects** (2 of 4, uncached response time)");
    expect(md).toContain("| Open app | 480 ms | 500 ms | +20 ms (+4.2 %) |");
    expect(md).toContain("> ⚠️ Something to know.");
    expect(md).toContain("[Run](https://example.test/run/1)");
    expect(formatMs(12345)).toBe("12.35 s");
  });
});
