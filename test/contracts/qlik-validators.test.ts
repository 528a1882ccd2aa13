// The contract checkers themselves, on hand-made traffic against the real descriptions: each kind of
// violation the contract test must catch is caught, and conforming traffic passes.
import { beforeAll, describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { matches, triage } from "./qlik/findings.ts";
import type { Check, ContractException } from "./qlik/findings.ts";
import { QixContract } from "./qlik/qix-contract.ts";
import type { QixFrame } from "./qlik/qix-contract.ts";
import { loadRestDescriptions, RestContract } from "./qlik/rest-contract.ts";
import type { HttpExchange } from "./qlik/rest-contract.ts";

const DESCRIPTIONS = join(import.meta.dirname, "fixtures", "qlik-descriptions");
let rest: RestContract;
let qix: QixContract;

beforeAll(() => {
  rest = new RestContract(loadRestDescriptions(join(DESCRIPTIONS, "rest")));
  qix = new QixContract(JSON.parse(readFileSync(join(DESCRIPTIONS, "qix", "engine-rpc.json"), "utf8")));
});

function exchange(over: Partial<HttpExchange> & { body?: unknown; response?: unknown }): HttpExchange {
  const { body, response, ...rest } = over;
  return {
    method: "GET",
    url: "/",
    requestHeaders: body === undefined ? {} : { "content-type": "application/json" },
    requestBody: Buffer.from(body === undefined ? "" : JSON.stringify(body)),
    status: 200,
    responseHeaders: response === undefined ? {} : { "content-type": "application/json; charset=utf-8" },
    responseBody: Buffer.from(response === undefined ? "" : JSON.stringify(response)),
    flow: "test",
    ...rest,
  };
}

const rules = (c: Check) => c.findings.map((f) => `${f.rule}: ${f.detail}`);

const run = (over: Partial<Record<string, unknown>> = {}) => ({
  id: "r1",
  status: "finished",
  context: "api_async",
  ...over,
});

describe("RestContract", () => {
  it("passes a request and response the description allows", () => {
    const c = rest.check(
      exchange({
        method: "POST",
        url: "/api/v1/automations/a1/runs",
        body: { context: "api" },
        status: 201,
        response: run(),
      }),
    );
    expect(c.subject).toBe("POST /api/v1/automations/{id}/runs");
    expect(c.reference).toBe("automations.json");
    expect(rules(c)).toEqual([]);
  });

  it("fails on an endpoint no description has", () => {
    const c = rest.check(exchange({ url: "/api/v1/apps/1234567890abcdef/secret-stuff" }));
    expect(rules(c)).toEqual(["endpoint-undescribed: no description has this operation"]);
    expect(c.subject).toBe("GET /api/v1/apps/{id}/secret-stuff");
  });

  it("fails on an undescribed query parameter and on a value of the wrong type", () => {
    const c = rest.check(
      exchange({ url: "/api/v1/spaces?limit=many&colour=red", response: { data: [], links: {} } }),
    );
    expect(rules(c)).toEqual(
      expect.arrayContaining([
        "query-param-undescribed: ?colour",
        expect.stringMatching(/^query-param-invalid: \?limit \/ must be integer/),
      ]),
    );
  });

  it("fails on an undescribed body field, a missing required field and an enum value outside the enum", () => {
    const extra = rest.check(
      exchange({
        method: "POST",
        url: "/api/v1/tenants",
        body: { licenseKey: "k", datacenter: "eu-west-1", hostnameAlias: "acme" },
        status: 201,
      }),
    );
    expect(rules(extra)).toEqual(["request-field-undescribed: body /hostnameAlias"]);
    const missing = rest.check(
      exchange({ method: "POST", url: "/api/v1/spaces", body: { name: "x" }, status: 201 }),
    );
    expect(rules(missing)).toEqual(["request-invalid: body / lacks required 'type'"]);
    const outside = rest.check(
      exchange({ method: "POST", url: "/api/v1/automations/a1/runs", body: { context: "ui" }, status: 201 }),
    );
    expect(rules(outside)).toEqual(['request-invalid: body /context must be one of ["api"]']);
  });

  it("reads Qlik's titled oneOf as an enum", () => {
    const publish = (data: string) =>
      rest.check(exchange({ method: "POST", url: "/api/v1/apps/a1/publish", body: { spaceId: "s", data } }));
    expect(rules(publish("source"))).toEqual([]);
    expect(rules(publish("sideways"))).toEqual([
      'request-invalid: body /data must be one of ["source","target"]',
    ]);
  });

  it("fails on a response that does not validate, an undescribed response field and an undescribed status", () => {
    const c = rest.check(
      exchange({ url: "/api/v1/automations/a1/runs/r1", response: run({ context: "api", colour: "red" }) }),
    );
    expect(rules(c)).toEqual([
      'response-invalid: status 200 body /context must be one of ["test_run","editor","detail","api_sync","api_async","webhook","lookup"]',
      "response-field-undescribed: status 200 body /colour",
    ]);
    const me = rest.check(exchange({ url: "/api/v1/tenants/me", response: { id: "t" } }));
    expect(rules(me)).toEqual(["response-status-undescribed: status 200 (described: 302)"]);
  });

  it("fails on a body the operation does not take or in a content type it does not describe", () => {
    const c = rest.check(exchange({ method: "GET", url: "/api/v1/spaces", body: { a: 1 } }));
    expect(rules(c)).toEqual(["request-body-undescribed: the operation takes no request body"]);
    const xml = rest.check(
      exchange({
        method: "POST",
        url: "/api/v1/spaces",
        requestHeaders: { "content-type": "application/xml" },
        requestBody: Buffer.from("<space/>"),
        status: 409,
      }),
    );
    expect(rules(xml)).toEqual([
      `request-content-type: 'application/xml' is not one of ["application/json"]`,
    ]);
  });
});

describe("QixContract", () => {
  const frames = (...msgs: [QixFrame["from"], unknown][]): QixFrame[] =>
    msgs.map(([from, msg]) => ({ socket: 1, from, text: JSON.stringify(msg), flow: "test" }));
  const req = (id: number, handle: number, method: string, params: unknown) => ({
    jsonrpc: "2.0",
    id,
    handle,
    method,
    params,
  });
  const res = (id: number, result: unknown) => ({ jsonrpc: "2.0", id, result });
  const open = [
    ["client", req(1, -1, "OpenDoc", ["app-1"])],
    ["server", res(1, { qReturn: { qType: "Doc", qHandle: 1, qGenericType: "", qGenericId: "app-1" } })],
  ] as [QixFrame["from"], unknown][];

  it("follows handles to their class and passes described calls", () => {
    const checks = qix.check(
      frames(
        ...open,
        ["client", req(2, 1, "GetBookmark", ["b1"])],
        ["server", res(2, { qReturn: { qType: "GenericBookmark", qHandle: 2, qGenericId: "b1" } })],
        ["client", req(3, 2, "GetLayout", [])],
        ["server", res(3, { qLayout: { qInfo: { qId: "b1", qType: "bookmark" }, title: "B" } })],
      ),
    );
    expect(checks.map((c) => c.subject)).toEqual([
      "Global.OpenDoc",
      "Doc.GetBookmark",
      "GenericBookmark.GetLayout",
    ]);
    expect(checks.flatMap(rules)).toEqual([]);
  });

  it("fails on a method of another class, an unknown handle and undescribed or missing parameters", () => {
    const checks = qix.check(
      frames(
        ...open,
        ["client", req(2, 1, "GetHyperCubeData", ["/qHyperCubeDef", []])],
        ["client", req(3, 7, "GetLayout", [])],
        ["client", req(4, 1, "GetObject", { qId: "x", qColour: "red" })],
        ["client", req(5, 1, "CreateBookmark", [])],
        ["client", req(6, 1, "SetScript", [42])],
      ),
    );
    const found = checks.flatMap(rules);
    expect(found).toEqual(
      expect.arrayContaining([
        "qix-method-undescribed: Doc.GetHyperCubeData is not a method of Doc",
        "qix-handle-unknown: handle 7 was never returned by the engine",
        "qix-param-undescribed: qColour",
        "qix-param-missing: qProp",
        "qix-param-invalid: qScript / must be string",
      ]),
    );
  });

  it("fails on engine properties a schema does not describe, and allows dynamic ones", () => {
    const checks = qix.check(
      frames(
        ...open,
        [
          "client",
          req(2, 1, "CreateBookmark", [
            { qInfo: { qType: "bookmark" }, title: "ok", qBookmark: { qStateData: [] } },
          ]),
        ],
        [
          "server",
          res(2, {
            qInfo: { qId: "b1", qType: "bookmark" },
            qReturn: { qType: "GenericBookmark", qHandle: 2 },
          }),
        ],
        ["client", req(3, 2, "GetProperties", [])],
        ["server", res(3, { qProp: { qInfo: { qId: "b1", qType: "bookmark" }, qBookmark: {} } })],
      ),
    );
    expect(checks.flatMap(rules)).toEqual([
      "qix-param-field-undescribed: qProp/qBookmark",
      "qix-result-field-undescribed: result/qProp/qBookmark",
    ]);
  });

  it("fails on a result that does not validate and on a request never answered", () => {
    const checks = qix.check(
      frames(
        ...open,
        ["client", req(2, 1, "GetScript", [])],
        ["server", res(2, { qScript: 7 })],
        ["client", req(3, 1, "GetScript", [])],
      ),
    );
    expect(checks.flatMap(rules)).toEqual([
      "qix-result-invalid: result /qScript must be string",
      "qix-unanswered: no response",
    ]);
  });
});

describe("exceptions", () => {
  it("excuse only the rule, subject and detail they name, and count their use", () => {
    const e: ContractException = {
      rule: "response-invalid",
      subject: /^GET /,
      detail: /colour/,
      reason: "r",
    };
    const f = { rule: "response-invalid" as const, subject: "GET /x", detail: "body /colour" };
    expect(matches(e, f)).toBe(true);
    expect(matches(e, { ...f, detail: "body /size" })).toBe(false);
    expect(matches(e, { ...f, rule: "request-invalid" })).toBe(false);
    const check: Check = {
      kind: "REST",
      subject: "GET /x",
      reference: "x",
      flow: "f",
      findings: [f, { ...f, detail: "other" }],
    };
    const { failures, excused } = triage([check], [e]);
    expect(failures.map((x) => x.detail)).toEqual(["other"]);
    expect(excused.get(e)).toBe(1);
  });
});
