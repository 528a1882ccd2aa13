// workflows-examples/README.md says what each example needs; this holds it to the YAML: the permissions
// table lists every job with exactly the permissions it asks for, every secret and variable an example
// reads is described, and every environment a job names is explained.
import { describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "./runner.ts";

const dir = join(repoRoot, "workflows-examples");
const readme = readFileSync(join(dir, "README.md"), "utf8");

interface Job {
  permissions?: Record<string, string>;
  environment?: string | { name: string };
}
const examples = readdirSync(dir)
  .filter((f) => f.endsWith(".yml"))
  .map((file) => {
    const text = readFileSync(join(dir, file), "utf8");
    return {
      name: file.replace(/\.yml$/, ""),
      text,
      jobs: (parse(text) as { jobs: Record<string, Job> }).jobs,
    };
  });

/** The rows of the markdown table under `heading`, as cells. */
function tableUnder(heading: string): string[][] {
  const section = readme.split(`\n${heading}\n`)[1]?.split(/\n#{2,3} /)[0];
  if (!section) throw new Error(`workflows-examples/README.md has no '${heading}' section.`);
  return section
    .split("\n")
    .filter((l) => l.startsWith("| ") && !/^\| -/.test(l))
    .slice(1)
    .map((l) => l.slice(2, -2).split(" | "));
}

const codeSpans = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe("workflows-examples/README.md", () => {
  it("lists every job with exactly the permissions it asks for", () => {
    const documented = new Map<string, Record<string, string>>();
    for (const [example, jobs, permissions] of tableUnder("### Permissions per job")) {
      const asked = Object.fromEntries(codeSpans(permissions).map((p) => p.split(": ") as [string, string]));
      for (const job of codeSpans(jobs)) documented.set(`${example}/${job}`, asked);
    }
    const actual = new Map<string, Record<string, string>>();
    for (const { name, jobs } of examples) {
      for (const [id, job] of Object.entries(jobs)) actual.set(`${name}/${id}`, job.permissions ?? {});
    }
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(actual));
  });

  it("describes every secret and variable the examples read", () => {
    // A name such as QLIK_KEY_<CUSTOMER> describes every QLIK_KEY_… secret.
    const described = tableUnder("### Secrets and variables")
      .flatMap((row) => codeSpans(row[0]))
      .map((n) => new RegExp(`^${n.replace(/<[A-Z]+>/g, "[A-Z0-9]+")}$`));
    const check = (example: string, key: string) =>
      expect(`${example}: ${key} ${described.some((re) => re.test(key)) ? "described" : "missing"}`).toBe(
        `${example}: ${key} described`,
      );
    for (const { name, text } of examples) {
      for (const [, key] of text.matchAll(/\b(?:secrets|vars)\.([A-Z][A-Z0-9_]+)/g)) check(name, key);
      // Names built per region: QLIK_{0}_CLIENT_ID → QLIK_EU_CLIENT_ID.
      for (const [, key] of text.matchAll(/(?:secrets|vars)\[format\('([A-Z_{}0-9]+)'/g)) {
        check(name, key.replace("{0}", "EU"));
      }
    }
  });

  it("explains every environment a job names", () => {
    const explained = tableUnder("### Environments").flatMap((row) => codeSpans(row[0]));
    const used = examples.flatMap(({ jobs }) =>
      Object.values(jobs)
        .map((j) => (typeof j.environment === "object" ? j.environment.name : j.environment))
        .filter((e): e is string => Boolean(e)),
    );
    expect([...new Set(used)].sort()).toEqual([...new Set(explained)].sort());
  });
});
