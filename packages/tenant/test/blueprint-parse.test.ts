// Blueprint parsing: every mistake is one sentence naming the YAML path and line (the published schema is
// checked against the code's in test/contracts/config-schemas.test.ts).
import { describe, expect, it } from "@jest/globals";
import { ConfigError } from "@qlik-cicd/common";
import { parseBlueprint } from "../src/index.ts";

function problem(yaml: string): ConfigError {
  try {
    parseBlueprint(yaml, "tenant.yml");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("parseBlueprint", () => {
  const valid = `version: 1
tenant:
  name: Acme
  settings:
    enableAnalyticCreation: false
serviceAccounts: ["svc|pipeline"]
users:
  - subject: acme|ann
    roles: [SharedSpaceCreator]
spaces:
  - name: reports
    type: shared
    members:
      - user: acme|ann
        roles: [producer]
oauthClients:
  - name: backend
    appType: web
    secret:
      githubSecret: { name: BACKEND_SECRET }
identityProvider:
  protocol: jwtAuth
  description: acme
  issuer: https://acme.example
  keys:
    - kid: k1
      pem: "-----BEGIN PUBLIC KEY-----\\nabc\\n-----END PUBLIC KEY-----"
`;

  it("accepts a valid blueprint", () => {
    const b = parseBlueprint(valid);
    expect(b.spaces?.[0].members?.[0].roles).toEqual(["producer"]);
    expect(b.identityProvider?.protocol).toBe("jwtAuth");
  });

  it("names an unknown key by its YAML path and line", () => {
    const e = problem(valid.replace("    type: shared", "    type: shared\n    colour: blue"));
    expect(e.field).toBe("spaces[0].colour");
    expect(e.message).toBe(
      "Blueprint tenant.yml:13: 'spaces[0].colour' is not a known key: use 'name', 'type', 'description' or 'members'.",
    );
    const typo = problem(valid.replace("serviceAccounts:", "serviceAcounts:"));
    expect(typo.message).toBe(
      "Blueprint tenant.yml:6: 'serviceAcounts' is not a known key (did you mean 'serviceAccounts'?).",
    );
  });

  it("names a bad value", () => {
    const e = problem(valid.replace("type: shared", "type: public"));
    expect(e.field).toBe("spaces[0].type");
    expect(e.message).toMatch(/must be one of shared, managed, data/);
  });

  it("names a missing required key and an unknown identity provider key", () => {
    expect(problem("version: 1\nusers:\n  - name: Ann\n").field).toBe("users[0].subject");
    expect(
      problem(valid.replace("issuer: https://acme.example", "issuer: https://acme.example\n  clientId: x"))
        .field,
    ).toBe("identityProvider.clientId");
    expect(problem("version: 2\n").field).toBe("version");
  });

  it("checks what the schema cannot: duplicates, one assignee, a home for new secrets", () => {
    expect(problem(valid.replace("spaces:\n", "spaces:\n  - name: Reports\n    type: shared\n")).field).toBe(
      "spaces[1].name",
    );
    expect(
      problem(valid.replace("      - user: acme|ann\n", "      - user: acme|ann\n        group: g\n")).field,
    ).toBe("spaces[0].members[0]");
    expect(
      problem(valid.replace("    secret:\n      githubSecret: { name: BACKEND_SECRET }\n", "")).field,
    ).toBe("oauthClients[0].secret");
  });

  it("reports YAML syntax errors with a line", () => {
    expect(problem("version: 1\nusers: [\n").message).toMatch(
      /^Blueprint tenant\.yml:\d+:\d+: the file is not valid YAML \(/,
    );
  });

  it("quotes the offending YAML line", () => {
    const message = problem("version: 1\nusers:\n  - subject: a\n   roles: [x]\n").message;
    expect(message).toMatch(/^Blueprint \S+:4:\d+: the file is not valid YAML \(.+\): ` {3}roles: \[x\]`\.$/);
  });

  it("lists the problems after the first instead of counting them", () => {
    const message = problem(
      "version: 1\nusers:\n  - subject: 1\n    roles: nope\nspaces:\n  - name: 2\n    type: odd\n",
    ).message;
    // One sentence per problem, each with its line, every one listed (none only counted).
    const items = message.split("\n");
    expect(items.length).toBeGreaterThan(2);
    for (const item of items) expect(item).toMatch(/^Blueprint \S+:\d+: '[a-z[\]0-9.]+' .+\.$/i);
    expect(message).toContain("'spaces[0].type'");
    expect(message).not.toMatch(/more problems?/);
  });
});
