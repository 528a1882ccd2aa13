// Unit tests on the connection layer replaced by nock: tokens, retries, rate limits, errors, audit.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { MemoryLogger, mutationEvents, secrets } from "@qlik-cicd/common";
import type { MutationEvent } from "@qlik-cicd/common";
import { getSpaces } from "@qlik/api/spaces";
import nock from "nock";
import {
  QlikApiError,
  QlikClient,
  QlikConflictError,
  QlikForbiddenError,
  QlikNotFoundError,
  QlikRateLimitedError,
  QlikServerError,
  QlikUnauthorizedError,
  QlikUnreachableError,
  rateLimiters,
  tokenCache,
} from "../src/index.ts";
import type { QlikClientOptions } from "../src/index.ts";
import { cacheNamespaceOf } from "../src/response-cache.ts";
import { FakeClock } from "../../common/test/helpers/fake-clock.ts";
import { allowNetwork, releaseMockedSockets } from "../../../test/setup/network-isolation.ts";

// nock answers every request of this file, on sockets it takes over, and refuses anything unmocked (in
// place of the shared loopback guard); nothing of nock stays behind for the next file in the worker.
beforeAll(() => {
  if (!nock.isActive()) nock.activate();
  nock.disableNetConnect();
  allowNetwork();
});
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
  releaseMockedSockets();
});

let counter = 0;
/** A fresh tenant per test, so the process-wide limiter and token cache never leak between tests. */
function tenant(): { url: string; host: string } {
  counter++;
  const host = `t${counter}-${process.pid}.eu.qlikcloud.com`;
  return { url: `https://${host}`, host };
}

const clients: QlikClient[] = [];
function apiKeyClient(
  url: string,
  options: QlikClientOptions = {},
  apiKey = "api-key-secret-value",
): QlikClient {
  const c = new QlikClient({ tenantUrl: url, apiKey }, { retry: { baseDelayMs: 1 }, ...options });
  clients.push(c);
  return c;
}
function oauthClient(url: string, options: QlikClientOptions = {}): QlikClient {
  const c = new QlikClient(
    { tenantUrl: url, clientId: "cicd-client", clientSecret: "client-secret-value" },
    { retry: { baseDelayMs: 1 }, ...options },
  );
  clients.push(c);
  return c;
}

/**
 * nock (mswjs) re-issues intercepted fetches through Node's default dispatcher, whose keep-alive
 * sockets would outlive the file; `Connection: close` makes each mocked exchange release its socket.
 */
function scope(url: string, options?: nock.Options): nock.Scope {
  return nock(url, options).defaultReplyHeaders({ Connection: "close" });
}

/** nock 15 needs an Error instance (a plain object leaves fetch pending forever). */
function netError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

const read = { tier: "read", method: "GET", resource: "/api/v1/spaces" } as const;
const spacesBody = { data: [{ id: "s1", name: "development" }], links: {} };

let events: MutationEvent[] = [];
let unsubscribe: () => void = () => {};
beforeEach(() => {
  events = [];
  unsubscribe = mutationEvents.on((e) => events.push(e));
});
afterEach(async () => {
  unsubscribe();
  for (const c of clients.splice(0)) await c.close();
  nock.cleanAll();
});

describe("OAuth client credentials", () => {
  it("shares one token request between concurrent callers and sends the bearer token", async () => {
    const { url } = tenant();
    let tokenBody: unknown;
    const token = scope(url)
      .post("/oauth/token", (body) => {
        tokenBody = body;
        return true;
      })
      .delay(30)
      .reply(200, { access_token: "access-token-1", expires_in: 3600, token_type: "bearer" });
    const api = scope(url, { reqheaders: { authorization: "Bearer access-token-1" } })
      .get("/api/v1/spaces")
      .times(5)
      .reply(200, spacesBody);
    const c = oauthClient(url);
    const results = await Promise.all(Array.from({ length: 5 }, () => c.call(read, (o) => getSpaces({}, o))));
    expect(results.map((r) => r.data.data?.[0]?.id)).toEqual(["s1", "s1", "s1", "s1", "s1"]);
    expect(tokenBody).toEqual({
      client_id: "cicd-client",
      client_secret: "client-secret-value",
      grant_type: "client_credentials",
    });
    expect(token.isDone()).toBe(true);
    expect(api.isDone()).toBe(true);
    // A second client for the same tenant and OAuth client reuses the cached token: no token request.
    scope(url, { reqheaders: { authorization: "Bearer access-token-1" } })
      .get("/api/v1/spaces")
      .reply(200, spacesBody);
    await oauthClient(url).call(read, (o) => getSpaces({}, o));
    expect(secrets.has("access-token-1")).toBe(true);
  });

  it("refreshes before expiry, serving the current token while the new one is fetched", async () => {
    const { url } = tenant();
    const clock = new FakeClock();
    const c = oauthClient(url, { clock });
    scope(url).post("/oauth/token").reply(200, { access_token: "tok-a", expires_in: 120 });
    scope(url, { reqheaders: { authorization: "Bearer tok-a" } })
      .get("/api/v1/spaces")
      .times(3)
      .reply(200, spacesBody);
    await c.call(read, (o) => getSpaces({}, o));
    clock.time += 100_000; // inside the lifetime, before the refresh point (120 s − 12 s)
    await c.call(read, (o) => getSpaces({}, o));
    const second = scope(url)
      .post("/oauth/token")
      .delay(20)
      .reply(200, { access_token: "tok-b", expires_in: 120 });
    clock.time += 10_000; // 110 s: in the refresh window, not yet expired
    await c.call(read, (o) => getSpaces({}, o)); // still tok-a (interceptor requires it)
    await new Promise((r) => setTimeout(r, 60));
    expect(second.isDone()).toBe(true);
    const usesNew = scope(url, { reqheaders: { authorization: "Bearer tok-b" } })
      .get("/api/v1/spaces")
      .reply(200, spacesBody);
    await c.call(read, (o) => getSpaces({}, o));
    expect(usesNew.isDone()).toBe(true);
    // Past expiry, callers wait for a new token.
    clock.time += 200_000;
    scope(url).post("/oauth/token").reply(200, { access_token: "tok-c", expires_in: 120 });
    const usesC = scope(url, { reqheaders: { authorization: "Bearer tok-c" } })
      .get("/api/v1/spaces")
      .reply(200, spacesBody);
    await c.call(read, (o) => getSpaces({}, o));
    expect(usesC.isDone()).toBe(true);
  });

  it("fetches a new token once when the tenant answers 401 to a cached one", async () => {
    const { url } = tenant();
    scope(url).post("/oauth/token").reply(200, { access_token: "revoked-token", expires_in: 3600 });
    scope(url).post("/oauth/token").reply(200, { access_token: "fresh-token", expires_in: 3600 });
    scope(url, { reqheaders: { authorization: "Bearer revoked-token" } })
      .get("/api/v1/spaces")
      .reply(401, {});
    scope(url, { reqheaders: { authorization: "Bearer fresh-token" } })
      .get("/api/v1/spaces")
      .reply(200, spacesBody);
    const result = await oauthClient(url).call(read, (o) => getSpaces({}, o));
    expect(result.status).toBe(200);
  });

  it("names the OAuth client when the tenant rejects its credentials", async () => {
    const { url, host } = tenant();
    scope(url).post("/oauth/token").reply(401, { error: "invalid_client" });
    const error = await oauthClient(url)
      .call(read, (o) => getSpaces({}, o))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QlikUnauthorizedError);
    expect((error as Error).message).toBe(
      `The OAuth client 'cicd-client' was rejected by tenant ${host} (401 on POST /oauth/token).`,
    );
  });

  it("keeps tokens apart per tenant even when OAuth client ids are equal", async () => {
    const a = tenant();
    const b = tenant();
    scope(a.url).post("/oauth/token").reply(200, { access_token: "token-for-a", expires_in: 3600 });
    scope(b.url).post("/oauth/token").reply(200, { access_token: "token-for-b", expires_in: 3600 });
    const sa = scope(a.url, { reqheaders: { authorization: "Bearer token-for-a" } })
      .get("/api/v1/spaces")
      .reply(200, spacesBody);
    const sb = scope(b.url, { reqheaders: { authorization: "Bearer token-for-b" } })
      .get("/api/v1/spaces")
      .reply(200, spacesBody);
    await Promise.all([
      oauthClient(a.url).call(read, (o) => getSpaces({}, o)),
      oauthClient(b.url).call(read, (o) => getSpaces({}, o)),
    ]);
    expect(sa.isDone() && sb.isDone()).toBe(true);
    tokenCache.clear();
  });
});

describe("retries", () => {
  it("honours Retry-After and pauses the whole tier of that tenant, not other tiers or tenants", async () => {
    const { url } = tenant();
    const other = tenant();
    const arrivals: { path: string; at: number }[] = [];
    let rateLimitedAt = 0;
    let signal429: () => void = () => {};
    const got429 = new Promise<void>((r) => (signal429 = r));
    scope(url)
      .get("/api/v1/spaces")
      .reply(() => {
        rateLimitedAt = Date.now();
        setTimeout(signal429, 30);
        return [429, { errors: [{ code: "HTTP-429", title: "Too many requests" }] }, { "Retry-After": "2" }];
      });
    for (const path of ["/api/v1/spaces", "/api/v1/items"]) {
      scope(url)
        .get(path)
        .reply(() => {
          arrivals.push({ path, at: Date.now() });
          return [200, spacesBody];
        });
    }
    scope(url)
      .post("/api/v1/spaces")
      .reply(() => {
        arrivals.push({ path: "POST", at: Date.now() });
        return [201, { id: "new" }];
      });
    scope(other.url)
      .get("/api/v1/spaces")
      .reply(() => {
        arrivals.push({ path: "other tenant", at: Date.now() });
        return [200, spacesBody];
      });
    const logger = new MemoryLogger();
    const c = apiKeyClient(url, { logger });
    const first = c.call(read, (o) => getSpaces({}, o));
    await got429;
    // Started after the 429: another read on the same tenant waits for the pause too...
    const second = c.fetch({ tier: "read", method: "GET", resource: "/api/v1/items", url: "/api/v1/items" });
    // ...while a write on the same tenant and a read on another tenant go ahead.
    const write = c.fetch({
      tier: "write",
      method: "POST",
      resource: "/api/v1/spaces",
      url: "/api/v1/spaces",
      body: { name: "x" },
    });
    const elsewhere = apiKeyClient(other.url).call(read, (o) => getSpaces({}, o));
    await Promise.all([first, second, write, elsewhere]);
    const at = (p: string) => arrivals.find((a) => a.path === p)!.at - rateLimitedAt;
    // Lower bounds are exact (the pause); upper bounds leave room for a loaded CI machine.
    expect(at("/api/v1/spaces")).toBeGreaterThanOrEqual(1950);
    expect(at("/api/v1/items")).toBeGreaterThanOrEqual(1950);
    expect(at("POST")).toBeLessThan(1500);
    expect(at("other tenant")).toBeLessThan(1500);
    expect(logger.text()).toContain("429, retrying in 2000 ms");
  });

  it("backs off exponentially with full jitter, bounded by maxDelayMs and maxAttempts", async () => {
    const { url, host } = tenant();
    const clock = new FakeClock();
    scope(url)
      .get("/api/v1/spaces")
      .times(5)
      .reply(503, { errors: [{ code: "HTTP-503", title: "Unavailable" }] });
    const c = apiKeyClient(url, {
      clock,
      retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 250, maxElapsedMs: 60_000 },
    });
    clock.randomValue = 0.999999; // top of the jitter range
    const error = await c.call(read, (o) => getSpaces({}, o)).catch((e: unknown) => e);
    expect(clock.sleeps).toEqual([99, 199, 249, 249]);
    expect(error).toBeInstanceOf(QlikServerError);
    expect((error as Error).message).toBe(
      `Tenant ${host} failed with 503 on GET /api/v1/spaces after 5 attempts (Unavailable).`,
    );
    expect((error as QlikApiError).attempts).toBe(5);

    clock.sleeps.length = 0;
    clock.randomValue = 0; // bottom of the range: full jitter can retry at once
    scope(url).get("/api/v1/spaces").times(2).reply(502, {});
    scope(url).get("/api/v1/spaces").reply(200, spacesBody);
    await c.call(read, (o) => getSpaces({}, o));
    expect(clock.sleeps).toEqual([0, 0]);
  });

  it("stops before maxElapsedMs would be exceeded", async () => {
    const { url } = tenant();
    const clock = new FakeClock();
    scope(url).get("/api/v1/spaces").times(10).reply(504, {});
    const c = apiKeyClient(url, {
      clock,
      retry: { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 1000, maxElapsedMs: 2500 },
    });
    clock.randomValue = 0.999999;
    const error = await c.call(read, (o) => getSpaces({}, o)).catch((e: unknown) => e);
    expect(clock.sleeps).toEqual([999, 999]);
    expect((error as QlikApiError).attempts).toBe(3);
    nock.cleanAll();
  });

  it("gives up on 429 after the attempts and says so", async () => {
    const { url, host } = tenant();
    scope(url).get("/api/v1/spaces").times(3).reply(429, {}, { "Retry-After": "0" });
    const error = await apiKeyClient(url, { retry: { maxAttempts: 3 } })
      .call(read, (o) => getSpaces({}, o))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QlikRateLimitedError);
    expect((error as Error).message).toBe(
      `Tenant ${host} kept rate-limiting GET /api/v1/spaces after 3 attempts.`,
    );
  });

  it("does not repeat a POST when the connection resets after sending, but repeats a GET", async () => {
    const { url, host } = tenant();
    scope(url).post("/api/v1/apps").replyWithError(netError("ECONNRESET", "read ECONNRESET"));
    const notRepeated = scope(url)
      .post("/api/v1/apps")
      .reply(201, { attributes: { id: "dup" } });
    const logger = new MemoryLogger();
    const c = apiKeyClient(url, { logger });
    const error = await c
      .fetch({
        tier: "write",
        method: "POST",
        resource: "/api/v1/apps",
        url: "/api/v1/apps",
        body: { attributes: { name: "a" } },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QlikApiError);
    expect((error as QlikApiError).kind).toBe("network");
    expect((error as QlikApiError).attempts).toBe(1);
    expect((error as Error).message).toBe(
      `The connection to tenant ${host} failed during POST /api/v1/apps (connection reset).`,
    );
    expect(notRepeated.isDone()).toBe(false);
    expect(logger.text()).toContain("not repeating a call that is not idempotent");
    nock.cleanAll();

    scope(url).get("/api/v1/spaces").replyWithError(netError("ECONNRESET", "read ECONNRESET"));
    scope(url).get("/api/v1/spaces").reply(200, spacesBody);
    expect((await c.call(read, (o) => getSpaces({}, o))).status).toBe(200);

    // A POST marked idempotent (e.g. with an idempotency key) is repeated.
    scope(url).post("/api/v1/reloads").replyWithError(netError("ECONNRESET", "read ECONNRESET"));
    scope(url).post("/api/v1/reloads").reply(201, { id: "r1" });
    const r = await c.fetch({
      tier: "reload",
      method: "POST",
      resource: "/api/v1/reloads",
      url: "/api/v1/reloads",
      body: {},
      idempotent: true,
    });
    expect(r.status).toBe(201);
  });

  it("repeats a POST when the connection was refused (nothing was sent)", async () => {
    const { url } = tenant();
    scope(url)
      .post("/api/v1/spaces")
      .replyWithError(netError("ECONNREFUSED", "connect ECONNREFUSED 10.0.0.1:443"));
    const created = scope(url).post("/api/v1/spaces").reply(201, { id: "sp" });
    const r = await apiKeyClient(url).fetch({
      tier: "write",
      method: "POST",
      resource: "/api/v1/spaces",
      url: "/api/v1/spaces",
      body: { name: "n" },
    });
    expect(r.data).toEqual({ id: "sp" });
    expect(created.isDone()).toBe(true);
  });

  it("does not repeat a POST answered 504, but does repeat one answered 503", async () => {
    const { url } = tenant();
    scope(url).post("/api/v1/apps").reply(504, {});
    const notRepeated = scope(url).post("/api/v1/apps").reply(201, {});
    const c = apiKeyClient(url);
    const error = await c
      .fetch({ tier: "write", method: "POST", resource: "/api/v1/apps", url: "/api/v1/apps", body: {} })
      .catch((e: unknown) => e);
    expect((error as QlikApiError).status).toBe(504);
    expect(notRepeated.isDone()).toBe(false);
    nock.cleanAll();
    scope(url).post("/api/v1/apps").reply(503, {});
    scope(url).post("/api/v1/apps").reply(201, { ok: 1 });
    expect(
      (
        await c.fetch({
          tier: "write",
          method: "POST",
          resource: "/api/v1/apps",
          url: "/api/v1/apps",
          body: {},
        })
      ).status,
    ).toBe(201);
  });
});

describe("how the request layer ends", () => {
  it("says whether it gave up repeating a failure or did not repeat a change at all", async () => {
    const { url } = tenant();
    const c = apiKeyClient(url, { retry: { maxAttempts: 3 } });
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => undefined as never,
        (e: unknown) => e as QlikApiError,
      );
    const post = {
      tier: "write",
      method: "POST",
      resource: "/api/v1/apps",
      url: "/api/v1/apps",
      body: {},
    } as const;

    scope(url).get("/api/v1/spaces").times(3).reply(503, {});
    const exhausted = await failure(c.call(read, (o) => getSpaces({}, o)));
    expect([exhausted.status, exhausted.attempts, exhausted.retries]).toEqual([503, 3, "exhausted"]);

    scope(url).post("/api/v1/apps").replyWithError(netError("ECONNRESET", "read ECONNRESET"));
    const reset = await failure(c.fetch(post));
    expect([reset.kind, reset.attempts, reset.retries]).toEqual(["network", 1, "unsafe"]);

    scope(url).post("/api/v1/apps").reply(504, {});
    const gateway = await failure(c.fetch(post));
    expect([gateway.status, gateway.retries]).toEqual([504, "unsafe"]);

    scope(url).get("/api/v1/spaces").reply(404, {});
    const missing = await failure(c.call(read, (o) => getSpaces({}, o)));
    expect([missing.status, missing.retries]).toEqual([404, undefined]);
  });

  it("hands back the statuses a raw request reads itself, sent without the client's credentials", async () => {
    const { url, host } = tenant();
    const failedRun = { errors: [{ code: "AUTOMATIONS-RUN-FAILED", title: "Automation run failed" }] };
    const answered = scope(url, { badheaders: ["authorization"] })
      .post("/api/v1/automations/a1/actions/execute")
      .reply(500, failedRun);
    const result = await apiKeyClient(url).fetch({
      tier: "write",
      method: "POST",
      resource: "/api/v1/automations/{id}/actions/execute",
      operation: "execute automation",
      url: "/api/v1/automations/a1/actions/execute",
      body: "{}",
      credentials: false,
      answers: (status) => status === 500,
    });
    expect(answered.isDone()).toBe(true);
    expect([result.status, result.data]).toEqual([500, failedRun]);
    // The audit trail records the answer as the failure it is.
    expect(events.map((e) => [e.tenant, e.operation, e.result, e.status])).toEqual([
      [host, "execute automation", "error", 500],
    ]);
  });
});

describe("errors", () => {
  it.each([
    [
      401,
      QlikUnauthorizedError,
      (h: string) => `The API key was rejected by tenant ${h} (401 on GET /api/v1/spaces).`,
    ],
    [
      403,
      QlikForbiddenError,
      (h: string) => `Tenant ${h} refused GET /api/v1/spaces: the API key lacks permission (Forbidden).`,
    ],
    [404, QlikNotFoundError, (h: string) => `Tenant ${h} has no /api/v1/spaces (404 on GET) (Not found).`],
    [
      409,
      QlikConflictError,
      (h: string) => `Tenant ${h} reported a conflict for GET /api/v1/spaces (Conflict).`,
    ],
  ])("maps %i to a one-sentence typed error", async (status, type, message) => {
    const { url, host } = tenant();
    const titles: Record<number, string> = {
      401: "Unauthorized",
      403: "Forbidden",
      404: "Not found",
      409: "Conflict",
    };
    scope(url)
      .get("/api/v1/spaces")
      .reply(status, { errors: [{ code: `HTTP-${status}`, title: titles[status] }] });
    const error = await apiKeyClient(url)
      .call(read, (o) => getSpaces({}, o))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(QlikApiError);
    expect((error as Error).message).toBe(message(host));
    expect((error as QlikApiError).hint).toBeTruthy();
    expect((error as QlikApiError).status).toBe(status);
    expect((error as QlikApiError).tenant).toBe(host);
    expect((error as QlikApiError).attempts).toBe(1);
  });

  it("names the missing resource on 404 from a raw fetch", async () => {
    const { url, host } = tenant();
    scope(url)
      .get("/api/v1/apps/abc")
      .reply(404, { errors: [{ code: "HTTP-404", title: "App not found." }] });
    const error = await apiKeyClient(url)
      .fetch({ tier: "read", method: "GET", resource: "app abc", url: "/api/v1/apps/abc" })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(`Tenant ${host} has no app abc (404 on GET) (App not found).`);
    expect((error as QlikApiError).code).toBe("HTTP-404");
  });

  it("says 'cannot reach' for an unknown host, without retrying", async () => {
    const { url, host } = tenant();
    scope(url)
      .get("/api/v1/spaces")
      .replyWithError(netError("ENOTFOUND", `getaddrinfo ENOTFOUND ${host}`));
    const repeated = scope(url).get("/api/v1/spaces").reply(200, spacesBody);
    const error = await apiKeyClient(url)
      .call(read, (o) => getSpaces({}, o))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QlikUnreachableError);
    expect((error as Error).message).toBe(
      `Cannot reach tenant ${host} for GET /api/v1/spaces (host name not found).`,
    );
    expect(repeated.isDone()).toBe(false);
  });

  it("never lets a secret reach a log line, error or audit event", async () => {
    const logger = new MemoryLogger();
    const a = tenant();
    const apiKey = "very-secret-api-key-0123456789";
    scope(a.url).get("/api/v1/spaces").reply(503, {});
    scope(a.url)
      .get("/api/v1/spaces")
      .reply(401, { errors: [{ code: "AUTH", title: `bad token ${apiKey}` }] });
    const e1 = await apiKeyClient(a.url, { logger }, apiKey)
      .call(read, (o) => getSpaces({}, o))
      .catch((e: unknown) => e);

    const b = tenant();
    scope(b.url)
      .post("/oauth/token")
      .reply(200, { access_token: "issued-access-token-xyz", expires_in: 3600 });
    scope(b.url)
      .post("/api/v1/spaces")
      .reply(409, { errors: [{ title: "exists issued-access-token-xyz" }] });
    const e2 = await oauthClient(b.url, { logger })
      .fetch({
        tier: "write",
        method: "POST",
        resource: "/api/v1/spaces",
        url: "/api/v1/spaces",
        body: { name: "s" },
      })
      .catch((e: unknown) => e);

    const everything = [
      logger.text(),
      (e1 as QlikApiError).message,
      String((e1 as QlikApiError).hint),
      (e2 as QlikApiError).message,
      String((e2 as QlikApiError).hint),
      JSON.stringify(events),
    ].join("\n");
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const secret of [apiKey, "client-secret-value", "issued-access-token-xyz"]) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).toContain("***");
  });
});

describe("audit events", () => {
  it("emits one event per mutation with result and status, none for reads", async () => {
    const { url, host } = tenant();
    scope(url).get("/api/v1/spaces").reply(200, spacesBody);
    scope(url).post("/api/v1/spaces").reply(201, { id: "s2" });
    scope(url).delete("/api/v1/spaces/s9").reply(404, {});
    const c = apiKeyClient(url);
    await c.call(read, (o) => getSpaces({}, o));
    await c.fetch({
      tier: "write",
      method: "POST",
      resource: "/api/v1/spaces",
      url: "/api/v1/spaces",
      body: { name: "x" },
      operation: "create space",
    });
    await c
      .fetch({ tier: "write", method: "DELETE", resource: "/api/v1/spaces/s9", url: "/api/v1/spaces/s9" })
      .catch(() => {});
    await c.qixMutation("app-1", "SetScript", async () => true, "set script");
    expect(events.map(({ time: _t, ...rest }) => rest)).toEqual([
      {
        tenant: host,
        method: "POST",
        resource: "/api/v1/spaces",
        operation: "create space",
        result: "ok",
        status: 201,
      },
      {
        tenant: host,
        method: "DELETE",
        resource: "/api/v1/spaces/s9",
        operation: undefined,
        result: "error",
        status: 404,
      },
      {
        tenant: host,
        method: "QIX",
        resource: "qix:SetScript /app/app-1",
        operation: "set script",
        result: "ok",
      },
    ]);
  });
});

describe("client-side rate limiting", () => {
  it("shares one budget per tenant and principal across clients, separate per principal", async () => {
    const { url } = tenant();
    const clock = new FakeClock();
    scope(url).post("/api/v1/spaces").times(4).reply(201, {});
    const body = {
      tier: "write",
      method: "POST",
      resource: "/api/v1/spaces",
      url: "/api/v1/spaces",
      body: {},
    } as const;
    const options = { clock, rateLimits: { write: 6 } }; // 6/min: a burst of 1, then one every 10 s
    const a = apiKeyClient(url, options);
    const b = apiKeyClient(url, options);
    await a.fetch(body);
    expect(clock.sleeps).toEqual([]);
    await b.fetch(body); // same key → same budget → waits
    expect(clock.sleeps).toEqual([10_000]);
    const other = apiKeyClient(url, options, "another-api-key-value");
    await other.fetch(body); // another principal → its own budget
    expect(clock.sleeps).toEqual([10_000]);
    await a.fetch(body);
    expect(clock.sleeps).toEqual([10_000, 10_000]);
    rateLimiters.clear();
  });
});

describe("@qlik/api response cache", () => {
  // @qlik/api stores every GET response (noCache only stops it reading them); the client empties the
  // namespaces it uses so a process talking to many tenants does not keep every response.
  const apiCache = () =>
    (globalThis as { __API_CACHE__DO_NOT_USE_OR_YOU_WILL_BE_FIRED?: Record<string, object> })
      .__API_CACHE__DO_NOT_USE_OR_YOU_WILL_BE_FIRED ?? {};
  const entriesFor = (host: string) =>
    Object.keys(apiCache().spaces ?? {}).filter((key) => key.includes(host));

  it("maps resources to the namespaces it clears", () => {
    expect(cacheNamespaceOf("/api/v1/spaces")).toBe("spaces");
    expect(cacheNamespaceOf("/api/v1/items/{id}/publisheditems")).toBe("items");
    expect(cacheNamespaceOf("/api/v1/apps/{appId}/publish")).toBe("apps");
    expect(cacheNamespaceOf("/api/v1/reloads")).toBe("reloads");
    expect(cacheNamespaceOf("/api/v1/webhooks")).toBeUndefined();
    expect(cacheNamespaceOf("/oauth/token")).toBeUndefined();
  });

  it("empties the namespace a call used when the call ends, so no tenant's responses stay", async () => {
    const a = tenant();
    const b = tenant();
    scope(a.url).get("/api/v1/spaces").times(2).reply(200, spacesBody);
    scope(b.url).get("/api/v1/spaces").reply(200, spacesBody);
    const c = apiKeyClient(a.url);
    let during: string[] = [];
    await c.call(read, async (o) => {
      const answer = await getSpaces({}, o);
      during = entriesFor(a.host); // @qlik/api stored it while the call ran
      return answer;
    });
    // @qlik/api empties a namespace once its runtime module has loaded: a promise turn later.
    const settled = () => new Promise((resolve) => setImmediate(resolve));
    await settled();
    expect(during).toHaveLength(1);
    expect(entriesFor(a.host)).toEqual([]);
    await c.call(read, (o) => getSpaces({}, o));
    await apiKeyClient(b.url).call(read, (o) => getSpaces({}, o));
    await settled();
    expect([...entriesFor(a.host), ...entriesFor(b.host)]).toEqual([]);
  });
});
