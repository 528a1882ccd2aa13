// What a contract check reports: one Check per recorded exchange or QIX call, with the findings against
// Qlik's descriptions; exceptions (a reference that is itself wrong) are matched here.

export type Rule =
  | "endpoint-undescribed"
  | "path-param-invalid"
  | "query-param-undescribed"
  | "query-param-invalid"
  | "header-missing"
  | "request-content-type"
  | "request-body-undescribed"
  | "request-body-missing"
  | "request-field-undescribed"
  | "request-invalid"
  | "response-status-undescribed"
  | "response-header-missing"
  | "response-content-type"
  | "response-field-undescribed"
  | "response-invalid"
  | "qix-envelope"
  | "qix-handle-unknown"
  | "qix-method-undescribed"
  | "qix-param-undescribed"
  | "qix-param-missing"
  | "qix-param-invalid"
  | "qix-param-field-undescribed"
  | "qix-result-invalid"
  | "qix-result-field-undescribed"
  | "qix-error-invalid"
  | "qix-unanswered";

export interface Finding {
  rule: Rule;
  /** `GET /api/v1/spaces/{spaceId}` or `Doc.CreateObject`. */
  subject: string;
  detail: string;
}

export interface Check {
  kind: "REST" | "QIX";
  subject: string;
  /** The description that was checked against (file name). */
  reference: string;
  flow: string;
  findings: Finding[];
}

/** A place where a reference is itself wrong or older than @qlik/api's types; recorded once, with why. */
export interface ContractException {
  rule: Rule;
  subject: string | RegExp;
  /** Matches the finding's detail; any detail when absent. */
  detail?: RegExp;
  reason: string;
}

export function matches(e: ContractException, f: Finding): boolean {
  if (e.rule !== f.rule) return false;
  if (typeof e.subject === "string" ? e.subject !== f.subject : !e.subject.test(f.subject)) return false;
  return !e.detail || e.detail.test(f.detail);
}

export interface Triage {
  failures: (Finding & { flow: string })[];
  excused: Map<ContractException, number>;
}

export function triage(checks: readonly Check[], exceptions: readonly ContractException[]): Triage {
  const failures: Triage["failures"] = [];
  const excused = new Map<ContractException, number>(exceptions.map((e) => [e, 0]));
  for (const c of checks) {
    for (const f of c.findings) {
      const e = exceptions.find((x) => matches(x, f));
      if (e) excused.set(e, (excused.get(e) ?? 0) + 1);
      else failures.push({ ...f, flow: c.flow });
    }
  }
  return { failures, excused };
}

/** Markdown table: what was checked, how often, against which description, and the result. */
export function checkTable(
  checks: readonly Check[],
  exceptions: readonly ContractException[],
  defects: readonly ContractException[] = [],
): string {
  interface Row {
    kind: string;
    reference: string;
    count: number;
    failed: number;
    excused: number;
    defects: number;
  }
  const rows = new Map<string, Row>();
  for (const c of checks) {
    const key = `${c.kind} ${c.subject}`;
    const row = rows.get(key) ?? {
      kind: c.kind,
      reference: c.reference,
      count: 0,
      failed: 0,
      excused: 0,
      defects: 0,
    };
    row.count++;
    for (const f of c.findings) {
      if (exceptions.some((e) => matches(e, f))) row.excused++;
      else if (defects.some((e) => matches(e, f))) row.defects++;
      else row.failed++;
    }
    rows.set(key, row);
  }
  const lines = [
    "| Kind | Endpoint / method | Reference | Count | Result |",
    "| --- | --- | --- | ---: | --- |",
  ];
  const sorted = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, r] of sorted) {
    const notes = [
      r.excused ? `${r.excused} documented exception${r.excused === 1 ? "" : "s"}` : "",
      r.defects ? `${r.defects} known defect${r.defects === 1 ? "" : "s"}` : "",
    ].filter(Boolean);
    const result = r.failed ? `FAIL (${r.failed})` : notes.length ? `ok (${notes.join(", ")})` : "ok";
    lines.push(`| ${r.kind} | ${key.slice(r.kind.length + 1)} | ${r.reference} | ${r.count} | ${result} |`);
  }
  return `${lines.join("\n")}\n`;
}
