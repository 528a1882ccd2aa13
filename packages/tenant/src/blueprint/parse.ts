import { readFileSync } from "node:fs";
import {
  ConfigDocument,
  ConfigError,
  displayPath,
  validateConfig,
  type ConfigFormat,
  type ConfigProblem,
} from "@qlik-cicd/common";
import { blueprintSchema } from "./schema.ts";
import type { Blueprint } from "./types.ts";

const BLUEPRINT_FORMAT: ConfigFormat = {
  label: "Blueprint",
  schema: blueprintSchema,
  schemaFile: "schemas/tenant-blueprint.schema.json",
};

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** What the schema cannot say: names unique regardless of case, and time zones this runtime knows. */
function crossFieldProblems(doc: ConfigDocument, b: Blueprint): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const unique = <T>(list: T[] | undefined, key: (x: T) => string, path: string, field: string) => {
    const seen = new Map<string, number>();
    list?.forEach((item, i) => {
      const k = key(item).toLowerCase();
      const before = seen.get(k);
      if (before !== undefined) {
        problems.push(doc.problem([path, i, field], `repeats '${key(item)}' from ${path}[${before}]`));
      } else seen.set(k, i);
    });
  };
  unique(b.users, (u) => u.subject, "users", "subject");
  unique(b.spaces, (s) => s.name, "spaces", "name");
  unique(b.oauthClients, (c) => c.name, "oauthClients", "name");
  b.monitoring?.apps?.forEach((app, i) => {
    const zone = app.schedule?.timeZone;
    if (zone !== undefined && !isTimeZone(zone)) {
      problems.push(
        doc.problem(
          ["monitoring", "apps", i, "schedule", "timeZone"],
          `'${zone}' is not an IANA time zone name (e.g. UTC, Europe/Zurich)`,
        ),
      );
    }
  });
  return problems;
}

function validate(doc: ConfigDocument): Blueprint {
  const blueprint = validateConfig<Blueprint>(doc);
  doc.check(crossFieldProblems(doc, blueprint));
  return blueprint;
}

/** Validates a blueprint given in code; `source` names it in messages. */
export function validateBlueprint(value: unknown, source = "blueprint"): Blueprint {
  return validate(ConfigDocument.of(BLUEPRINT_FORMAT, value, source));
}

/** Parses and validates blueprint YAML text; messages name `source` and the line. */
export function parseBlueprint(text: string, source = "blueprint"): Blueprint {
  return validate(ConfigDocument.parse(BLUEPRINT_FORMAT, text, source));
}

/** Reads, parses and validates a blueprint file. */
export function loadBlueprint(path: string, displayName = displayPath(path)): Blueprint {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      `Blueprint file ${displayName} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
      {
        field: "blueprint",
        cause: error,
      },
    );
  }
  return parseBlueprint(text, displayName);
}
