import { describe, expect, it } from "@jest/globals";
import {
  canonicalJson,
  compactString,
  keysInOrder,
  mapLimit,
  sameCanonicalJson,
  SecretRegistry,
  sharedCopies,
  ConfigError,
  describeError,
  sortKeysDeep,
} from "../src/index.ts";

describe("canonicalJson", () => {
  it("sorts keys at every depth, drops undefined and ends with one LF", () => {
    const text = canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } });
    expect(text).toBe(
      '{\n  "a": {\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
  });
});

describe("SecretRegistry", () => {
  it("redacts registered values and tells listeners, including ones added later", () => {
    const registry = new SecretRegistry();
    const seen: string[] = [];
    registry.register("s3cr3t-value");
    registry.onRegister((v) => seen.push(v));
    registry.register("another-secret");
    expect(seen).toEqual(["s3cr3t-value", "another-secret"]);
    expect(registry.redact("key=s3cr3t-value and another-secret")).toBe("key=*** and ***");
  });

  it("with a thousand secrets, finds one anywhere in a text and leaves texts without any alone", () => {
    const registry = new SecretRegistry();
    const keys = Array.from(
      { length: 1000 },
      (_, i) => `eyJhbGciOiJFUzM4NCJ9.tenant-${i}.signature-${i * 7919}`,
    );
    for (const key of keys) registry.register(key);
    registry.register("abcd");
    const line = "GET /api/v1/spaces on tenant-17: 200 (52 ms, attempt 1)";
    expect(registry.redact(line)).toBe(line);
    expect(registry.redact(`Bearer ${keys[512]}`)).toBe("Bearer ***");
    expect(registry.redact(`x${keys[999]}y and ${keys[0]}`)).toBe("x***y and ***");
    expect(registry.redact("...abcd")).toBe("...***");
  });

  it("keeps a secret read from the environment by its variable's name and reads it there again", () => {
    const registry = new SecretRegistry();
    const env: Record<string, string | undefined> = { TENANT_A_KEY: " key-of-tenant-a\n" };
    const seen: string[] = [];
    registry.register("key-of-tenant-a", { env, name: "TENANT_A_KEY" });
    registry.onRegister((v) => seen.push(v));
    expect(seen).toEqual(["key-of-tenant-a"]);
    expect(registry.has("key-of-tenant-a")).toBe(true);
    expect(registry.redact("sent key-of-tenant-a.")).toBe("sent ***.");
    // The same value again (a client built for the tenant registers its key too) is known already.
    registry.register("key-of-tenant-a");
    registry.onRegister((v) => seen.push(v));
    expect(seen).toEqual(["key-of-tenant-a", "key-of-tenant-a"]);
    // Only the name is kept: once the variable holds something else, the old value is not found.
    env.TENANT_A_KEY = "another-value-entirely";
    expect(registry.redact("sent key-of-tenant-a.")).toBe("sent key-of-tenant-a.");
  });

  it("keeps the value itself when the environment does not hold it", () => {
    const registry = new SecretRegistry();
    const env: Record<string, string | undefined> = { OTHER: "something-else" };
    registry.register("value-not-in-env", { env, name: "OTHER" });
    delete env.OTHER;
    expect(registry.redact("x value-not-in-env y")).toBe("x *** y");
  });

  it("tells apart secrets of one length that share their first characters", () => {
    const registry = new SecretRegistry();
    const env: Record<string, string | undefined> = {};
    for (let i = 0; i < 300; i++) {
      env[`K${i}`] = `eyJhbGci.${String(i).padStart(4, "0")}`;
      registry.register(env[`K${i}`], { env, name: `K${i}` });
    }
    expect(registry.redact("eyJhbGci.0299 eyJhbGci.0300 eyJhbGci.0000")).toBe("*** eyJhbGci.0300 ***");
    expect(registry.has("eyJhbGci.0300")).toBe(false);
  });
});

describe("sharedCopies", () => {
  it("hands back the first value given for a key", () => {
    const share = sharedCopies<string[]>();
    const first = ["a", "b"];
    expect(share("a\nb", first)).toBe(first);
    expect(share("a\nb", ["a", "b"])).toBe(first);
    const other = ["c"];
    expect(share("c", other)).toBe(other);
  });
});

describe("compactString", () => {
  it("gives back an equal string, whatever it holds", () => {
    const origin = new URL("http://127.0.0.1:40001/api").origin;
    for (const text of [origin, "", "Zürich 東京 🚀", "lone \ud800 surrogate", 'quote " and \\ backslash'])
      expect(compactString(text)).toBe(text);
  });
});

describe("mapLimit", () => {
  it("never runs more than the limit at once and keeps order", async () => {
    let active = 0;
    let peak = 0;
    const out = await mapLimit([1, 2, 3, 4, 5, 6], 2, async (n) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      return n * 2;
    });
    expect(out).toEqual([2, 4, 6, 8, 10, 12]);
    expect(peak).toBe(2);
  });
});

describe("describeError", () => {
  it("prints the sentence and its hint only", () => {
    const e = new ConfigError("Input 'space' is required.", { field: "space", hint: "Set it." });
    expect(describeError(e)).toBe("Input 'space' is required. Set it.");
  });
});

describe("SecretRegistry.redact", () => {
  it("treats secrets as literal text, covers values added after a first redact, and prefers the longest", () => {
    const registry = new SecretRegistry();
    registry.register("a.b*c(d)");
    expect(registry.redact("x a.b*c(d) y aXb*c(d)")).toBe("x *** y aXb*c(d)");
    registry.register("token-1234");
    registry.register("token-1234-extended");
    expect(registry.redact("token-1234-extended and token-1234")).toBe("*** and ***");
  });
});

describe("sameCanonicalJson", () => {
  const cases: [unknown, unknown][] = [
    [
      { a: 1, b: [1, { c: "x" }] },
      { b: [1, { c: "x" }], a: 1 },
    ],
    [{ a: 1, b: undefined }, { a: 1 }],
    [
      [undefined, 1],
      [null, 1],
    ],
    [{ a: [] }, { a: {} }],
    [{ a: 1 }, { a: 1, b: 2 }],
    [{ a: "1" }, { a: 1 }],
    [null, undefined],
    [
      [1, 2],
      [2, 1],
    ],
    [{ a: { b: { c: 1 } } }, { a: { b: { c: 2 } } }],
    ["x", "x"],
    [0, -0],
  ];
  it.each(cases)("agrees with comparing canonical JSON text (%j vs %j)", (a, b) => {
    expect(sameCanonicalJson(a, b)).toBe(canonicalJson(a) === canonicalJson(b));
    expect(sameCanonicalJson(b, a)).toBe(canonicalJson(a) === canonicalJson(b));
  });

  it("sortKeysDeep keeps already-sorted objects and sorts the rest", () => {
    expect(keysInOrder(["a", "b", "c"])).toBe(true);
    expect(keysInOrder(["b", "a"])).toBe(false);
    expect(Object.keys(sortKeysDeep({ b: 1, a: { d: 1, c: 2 } }))).toEqual(["a", "b"]);
    expect(Object.keys(sortKeysDeep({ b: 1, a: { d: 1, c: 2 } }).a)).toEqual(["c", "d"]);
  });
});
