import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { ConfigError, offendingLine } from "@qlik-cicd/common";
import { RULES } from "./rules/index.ts";
import type { LintConfig, RuleSetting } from "./types.ts";
import { LocatedYaml } from "./yaml-file.ts";

export const LINT_CONFIG_FILE = ".qlik-lint.yml";
const CONFIG_NAMES = [LINT_CONFIG_FILE, ".qlik-lint.yaml"];
const SETTINGS: readonly RuleSetting[] = ["error", "warning", "notice", "off"];
const TOP_KEYS = ["rules", "allowedStoreConnections", "builtinConnections", "knownVariables"] as const;

export interface ResolvedLintConfig {
  severity(ruleId: string): RuleSetting;
  allowedStoreConnections: string[] | undefined;
  builtinConnections: string[];
  knownVariables: string[];
}

function fail(source: string, key: string, message: string): never {
  throw new ConfigError(`${source}: ${key} ${message}`, { field: key });
}

function stringList(source: string, key: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) fail(source, key, "must be a list of names.");
  return value.map((v, i) => {
    if (typeof v !== "string" || v.trim() === "") fail(source, `${key}[${i}]`, "must be a non-empty string.");
    return v.trim();
  });
}

/**
 * Checks a config object (from code or parsed YAML) and returns it typed. Errors are `ConfigError`s
 * naming the offending key, e.g. `rules.no-such-rule`.
 */
export function validateLintConfig(raw: unknown, source = "lint config"): LintConfig {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw))
    fail(source, "(top level)", "must be a mapping of settings.");
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(TOP_KEYS as readonly string[]).includes(key)) {
      fail(source, key, `is not a known setting; use one of: ${TOP_KEYS.join(", ")}.`);
    }
  }
  const config: LintConfig = {};
  if (obj.rules !== undefined && obj.rules !== null) {
    if (typeof obj.rules !== "object" || Array.isArray(obj.rules)) {
      fail(source, "rules", "must be a mapping of rule id to error, warning, notice or off.");
    }
    const known = new Set(RULES.map((r) => r.id));
    const rules: Record<string, RuleSetting> = {};
    for (const [id, value] of Object.entries(obj.rules as Record<string, unknown>)) {
      if (!known.has(id)) fail(source, `rules.${id}`, "is not a known rule id.");
      // YAML 1.1 readers turn a bare `off` into false; accept it.
      const setting = value === false ? "off" : value;
      if (typeof setting !== "string" || !SETTINGS.includes(setting as RuleSetting)) {
        fail(source, `rules.${id}`, `must be one of ${SETTINGS.join(", ")} (got ${JSON.stringify(value)}).`);
      }
      rules[id] = setting as RuleSetting;
    }
    config.rules = rules;
  }
  const allowed = stringList(source, "allowedStoreConnections", obj.allowedStoreConnections);
  if (allowed) config.allowedStoreConnections = allowed;
  const builtin = stringList(source, "builtinConnections", obj.builtinConnections);
  if (builtin) config.builtinConnections = builtin;
  const known = stringList(source, "knownVariables", obj.knownVariables);
  if (known) config.knownVariables = known;
  return config;
}

/** Reads and validates a `.qlik-lint.yml` file. */
export async function loadLintConfig(file: string): Promise<LintConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ConfigError(`Cannot read lint config ${file}: ${(error as Error).message}`, { field: file });
  }
  const parsed = LocatedYaml.parse(text);
  if (!(parsed instanceof LocatedYaml)) {
    const { line, column } = parsed.position;
    const quoted = offendingLine(text, line);
    throw new ConfigError(
      `${file}:${line}:${column}: ${parsed.message.replace(/[.:]\s*$/, "")}${quoted ? ` in \`${quoted}\`` : ""}.`,
      {
        field: file,
      },
    );
  }
  return validateLintConfig(parsed.value, file);
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
