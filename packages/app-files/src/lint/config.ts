import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import {
  ConfigDocument,
  ConfigError,
  displayPath,
  validateConfig,
  type ConfigFormat,
} from "@qlik-cicd/common";
import { lintConfigSchema } from "./config-schema.ts";
import { RULES } from "./rules/index.ts";
import type { LintConfig, RuleSetting } from "./types.ts";

export const LINT_CONFIG_FILE = ".qlik-lint.yml";
const CONFIG_NAMES = [LINT_CONFIG_FILE, ".qlik-lint.yaml"];

const LINT_CONFIG_FORMAT: ConfigFormat = {
  label: "Lint config",
  schema: lintConfigSchema,
  schemaFile: "schemas/qlik-lint.schema.json",
};

export interface ResolvedLintConfig {
  severity(ruleId: string): RuleSetting;
  allowedStoreConnections: string[] | undefined;
  builtinConnections: string[];
  knownVariables: string[];
}

/** A config as the schema accepts it: empty sections are null, `false` is off. */
interface RawLintConfig {
  rules?: Record<string, RuleSetting | false> | null;
  allowedStoreConnections?: string[] | null;
  builtinConnections?: string[] | null;
  knownVariables?: string[] | null;
}

function fromDocument(doc: ConfigDocument): LintConfig {
  const raw = validateConfig<RawLintConfig | null>(doc) ?? {};
  const config: LintConfig = {};
  if (raw.rules) {
    config.rules = Object.fromEntries(
      Object.entries(raw.rules).map(([id, value]) => [id, value === false ? "off" : value]),
    );
  }
  for (const key of ["allowedStoreConnections", "builtinConnections", "knownVariables"] as const) {
    const list = raw[key];
    if (list) config[key] = list.map((name) => name.trim());
  }
  return config;
}

/**
 * Checks a config object (from code or parsed YAML) against the schema and returns it typed. Errors are
 * `ConfigError`s naming the offending key, e.g. `rules.no-such-rule`.
 */
export function validateLintConfig(raw: unknown, source = "(given in code)"): LintConfig {
  return fromDocument(ConfigDocument.of(LINT_CONFIG_FORMAT, raw, source));
}

/** Reads and validates a `.qlik-lint.yml` file. */
export async function loadLintConfig(file: string): Promise<LintConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ConfigError(`Cannot read lint config ${file}: ${(error as Error).message}`, { field: file });
  }
  return parseLintConfig(text, displayPath(file));
}

/** Parses and validates the text of a `.qlik-lint.yml`; `file` names it in messages. */
export function parseLintConfig(text: string, file: string): LintConfig {
  return fromDocument(ConfigDocument.parse(LINT_CONFIG_FORMAT, text, file));
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the lint config for an app: `.qlik-lint.yml` in the app directory, else in each parent up to
 * the repository root (the first directory holding `.git`). Returns undefined when there is none.
 */
export async function findLintConfig(appDir: string): Promise<string | undefined> {
  let dir = path.resolve(appDir);
  for (;;) {
    for (const name of CONFIG_NAMES) {
      const candidate = path.join(dir, name);
      if (await isFile(candidate)) return candidate;
    }
    if (await exists(path.join(dir, ".git"))) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function resolveLintConfig(config: LintConfig): ResolvedLintConfig {
  const checked = validateLintConfig(config);
  const defaults = new Map(RULES.map((r) => [r.id, r.defaultSeverity as RuleSetting]));
  const overrides = checked.rules ?? {};
  return {
    severity: (id) => overrides[id] ?? defaults.get(id) ?? "off",
    allowedStoreConnections: checked.allowedStoreConnections,
    builtinConnections: checked.builtinConnections ?? ["DataFiles"],
    knownVariables: checked.knownVariables ?? [],
  };
}
