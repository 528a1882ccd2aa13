// Config documents: where a path is written, one sentence per problem, did-you-mean, and the one Ajv's
// errors turned into those sentences (schema keywords, errorMessage annotations, alternatives).
import { describe, expect, it } from "@jest/globals";
import {
  ConfigDocument,
  ConfigError,
  ConfigFileError,
  displayPath,
  formatConfigPath,
  validateConfig,
  type ConfigFormat,
} from "../src/index.ts";

const FORMAT: ConfigFormat = {
  label: "Sample config",
  schemaFile: "schemas/sample.schema.json",
  schema: {
    type: "object",
    additionalProperties: false,
    required: ["name"],
    properties: {
      name: { type: "string", minLength: 1 },
      size: { enum: ["small", "medium", "large"] },
      owner: {
        type: "string",
        pattern: "^[a-z]+$",
        errorMessage: "must be a user name in lower case letters",
      },
      items: {
        type: "array",
        items: {
          type: "object",
          additionalProperties: false,
          properties: { id: { type: "integer" }, ref: { type: "string" } },
          allOf: [
            {
              oneOf: [{ required: ["id"] }, { required: ["ref"] }],
              errorMessage: "must have an id or a ref",
            },
          ],
        },
      },
    },
  },
  subject: (path, value) =>
    path[0] === "items" && typeof path[1] === "number"
      ? `item ${String((value as { items: { ref?: string }[] }).items[path[1]]?.ref ?? path[1])}`
      : undefined,
};

function problems(text: string): ConfigFileError {
  try {
    validateConfig(ConfigDocument.parse(FORMAT, text, "sample.yml"));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigFileError);
    return error as ConfigFileError;
  }
  throw new Error("expected a ConfigFileError");
}

describe("config documents", () => {
  it("write paths as people read them", () => {
    expect(formatConfigPath([])).toBe("");
    expect(formatConfigPath(["tenants", 1, "credentials", "apiKeyEnv"])).toBe(
      "tenants[1].credentials.apiKeyEnv",
    );
    expect(formatConfigPath(["connections", "Sales DB", "password"])).toBe(
      'connections["Sales DB"].password',
    );
    expect(formatConfigPath(["rules", "file-parse"])).toBe("rules.file-parse");
  });

  it("find the line of a key, of a list item, and of the nearest ancestor for a missing key", () => {
    const doc = ConfigDocument.parse(FORMAT, "name: a\nitems:\n  - id: 1\n  -\n    ref: x\n", "sample.yml");
    expect(doc.position(["name"])).toEqual({ line: 1, column: 1 });
    expect(doc.position(["items", 1, "ref"])).toEqual({ line: 5, column: 5 });
    expect(doc.position(["items", 0, "missing"])?.line).toBe(3);
    expect(doc.position([])).toEqual({ line: 1, column: 1 });
    expect(doc.get(["items", 1, "ref"])).toBe("x");
    // JSON is YAML: the same positions.
    const json = ConfigDocument.parse(FORMAT, '{\n  "name": "a",\n  "items": [{ "id": 1 }]\n}\n', "s.json");
    expect(json.position(["items", 0, "id"])).toEqual({ line: 3, column: 15 });
  });

  it("report a YAML syntax error with its line and column", () => {
    expect(() => ConfigDocument.parse(FORMAT, "name: [a\n", "sample.yml")).toThrow(
      /^Sample config sample\.yml:2:1: the file is not valid YAML \(/,
    );
    expect(() => ConfigDocument.parse(FORMAT, "name: a\nname: b\n", "sample.yml")).toThrow(
      /^Sample config sample\.yml:2:1: the file is not valid YAML \(Map keys must be unique/,
    );
  });

  it("say one sentence per problem, in the order of the file, naming path, subject and line", () => {
    const error = problems("size: Medium\nowner: Ann\nitems:\n  - { ref: a, id: 2 }\n  - { idd: 3 }\n");
    expect(error.message.split("\n")).toEqual([
      "Sample config sample.yml:1: 'name' is required.",
      "Sample config sample.yml:1: 'size' must be one of small, medium, large (did you mean 'medium'?).",
      "Sample config sample.yml:2: 'owner' must be a user name in lower case letters.",
      "Sample config sample.yml:4: 'items[0]' (item a) must have an id or a ref.",
      "Sample config sample.yml:5: 'items[1].idd' (item 1) is not a known key (did you mean 'id'?).",
    ]);
    expect(error.field).toBe("name");
    expect(error.hint).toBe("See schemas/sample.schema.json for the format.");
    expect(error.problems.map((p) => [p.path, p.line])).toEqual([
      ["name", 1],
      ["size", 1],
      ["owner", 2],
      ["items[0]", 4],
      ["items[1].idd", 5],
    ]);
    expect(error).toBeInstanceOf(ConfigError);
  });

  it("name no line for a value given in code", () => {
    expect(() => validateConfig(ConfigDocument.of(FORMAT, { name: 3 }, "(given in code)"))).toThrow(
      "Sample config (given in code): 'name' must be a string.",
    );
    expect(() => validateConfig(ConfigDocument.of(FORMAT, ["x"], "(given in code)"))).toThrow(
      "Sample config (given in code): the top level must be a mapping.",
    );
  });

  it("list many problems, then count the rest", () => {
    const many = Array.from({ length: 60 }, (_, i) => `  - { id: ${i}, bad${i}: 1 }`).join("\n");
    const error = problems(`name: a\nitems:\n${many}\n`);
    expect(error.problems).toHaveLength(60);
    const lines = error.message.split("\n");
    expect(lines).toHaveLength(51);
    expect(lines[50]).toBe("…and 10 more problems in sample.yml.");
  });
});

describe("displayPath", () => {
  it("names a file inside the working folder by its path there, any other as given", () => {
    expect(displayPath("/work/repo/config/tenants.yml", "/work/repo")).toBe("config/tenants.yml");
    expect(displayPath("/elsewhere/tenants.yml", "/work/repo")).toBe("/elsewhere/tenants.yml");
    expect(displayPath("config/tenants.yml", "/work/repo")).toBe("config/tenants.yml");
  });
});
