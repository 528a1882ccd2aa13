// Every action folder has a README with a hand-written example that uses the action as it is: the
// inputs it passes exist, the outputs it reads exist, and the generated reference is current.
import { describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { actionNames, updatedActionReadme } from "../../scripts/readme-actions.ts";

const root = join(import.meta.dirname, "..", "..");

interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
}

function meta(name: string): { inputs: string[]; outputs: string[] } {
  const m = parseYaml(readFileSync(join(root, "actions", name, "action.yml"), "utf8")) as {
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
  };
  return { inputs: Object.keys(m.inputs ?? {}), outputs: Object.keys(m.outputs ?? {}) };
}

describe.each(actionNames())("actions/%s/README.md", (name) => {
  const file = join(root, "actions", name, "README.md");
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";

  it("exists, and its generated reference matches action.yml", () => {
    expect(text).not.toBe("");
    expect(updatedActionReadme(name, text)).toBe(text);
  });

  it("shows the action in a YAML example with inputs and outputs it really has", () => {
    const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parseYaml(m[1]) as unknown);
    const steps = blocks.flatMap((b) =>
      Object.values((b as { jobs?: Record<string, { steps?: Step[] }> })?.jobs ?? {}).flatMap(
        (j) => j.steps ?? [],
      ),
    );
    const own = steps.filter((s) => s.uses === `your-org/qlik-cloud-cicd/actions/${name}@v1`);
    expect(own.length).toBeGreaterThan(0);
    const { inputs, outputs } = meta(name);
    for (const step of own) {
      for (const key of Object.keys(step.with ?? {}))
        expect({ input: key, known: inputs.includes(key) }).toEqual({ input: key, known: true });
      if (!step.id) continue;
      const read = [
        ...JSON.stringify(blocks).matchAll(new RegExp(`steps\\.${step.id}\\.outputs\\.([a-z0-9-]+)`, "g")),
      ].map((m) => m[1]);
      for (const output of read)
        expect({ output, known: outputs.includes(output) }).toEqual({ output, known: true });
    }
  });
});
