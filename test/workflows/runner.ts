/**
 * A small, honest interpreter for the example workflows in workflows-examples/ — NOT a GitHub Actions
 * clone. It runs a workflow file for one event against a test world (the Qlik Cloud simulator, a fake
 * GitHub API on loopback, a real git repository as the remote, a folder as artifact store):
 *
 * - Trigger: the workflow's `on:` must accept the event (push/pull_request branch and path filters on the
 *   files the commits really changed, repository_dispatch/pull_request `types`, workflow_dispatch inputs
 *   with defaults; schedule), otherwise nothing runs (`triggered: false`).
 * - Jobs run one after another in `needs` order (declaration order breaks ties); a job whose needed jobs
 *   did not all succeed is skipped unless its `if:` calls a status function. Each job (and each matrix
 *   combination) gets a fresh empty workspace, like a hosted runner.
 * - `strategy.matrix`: keys × values, `include`, `exclude`, or one expression such as
 *   `${{ fromJSON(needs.plan.outputs.matrix) }}`; combinations run concurrently (`max-parallel`, default 4); `fail-fast` (default true)
 *   cancels the remaining ones after a failure. Outputs of a matrix job: the last non-empty value wins.
 * - `environment:` — an environment the test lists in `environments` has required reviewers: the runner
 *   records the listed people's approvals in the GitHub double's `actions/runs/{id}/approvals` endpoint
 *   before the job starts (what GitHub does when they click approve), or fails the job when it is rejected.
 * - Steps, in order:
 *   - `uses: <placeholder>/actions/<name>@…` (our actions) → `node actions/<name>/dist/index.js` with
 *     INPUT_* from `with:` (after expression evaluation) plus action.yml defaults; a `with:` key the
 *     action does not declare fails the step. A missing action.yml or bundle throws "action X not built yet"
 *     before anything runs.
 *   - `uses: <owner>/<repo>@<sha>` of a third-party action → its local stand-in, named in ONE place:
 *     test/local-actions/index.ts. Unknown actions, or a pin other than the known commit, throw.
 *   - `run:` → `bash --noprofile --norc -eo pipefail`, only when every command in it is on a short
 *     allow-list (echo, printf, cat, test, jq, mkdir, ls, …); anything else throws. No network tools.
 *   - GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STEP_SUMMARY per step; `continue-on-error`, `timeout-minutes`.
 * - Secrets: every secret value (and every `::add-mask::` value) is searched for in each step's logs,
 *   summary and outputs; hits are reported in `leaks`. Job outputs holding a masked value are dropped,
 *   as GitHub does.
 * - `concurrency:` and `permissions:` are evaluated/recorded (jobs never overlap here anyway).
 *
 * Expression support is a STATED list; anything else throws UnsupportedExpressionError quoting the
 * expression (before any job runs, for every expression in the file):
 *   contexts  github.*, env.*, secrets.*, vars.*, inputs.*, matrix.*, steps.<id>.outputs|outcome|conclusion,
 *             needs.<job>.outputs|result
 *   literals  'strings' (with '' escapes), numbers, true, false, null
 *   operators ==, != (GitHub's loose, case-insensitive comparison), &&, ||, !, ( ), .property, ['index']
 *   functions success(), always(), failure(), fromJSON(), toJSON(), format(), contains(), startsWith()
 * Not supported (throw): <, >, <=, >=, cancelled(), hashFiles(), endsWith(), join(), object filters `.*`,
 * the runner/job/strategy contexts, `container:`/`services:`, reusable workflows, composite/docker actions.
 */
import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { STAND_IN_ENV, THIRD_PARTY_ACTIONS, standInDir } from "../local-actions/index.ts";
import {
  checkExpression,
  evaluateTemplate,
  ExpressionRuntimeError,
  findExpressions,
  interpolate,
  truthy,
  usesStatusFunction,
  type ExpressionContext,
  type Value,
} from "./expressions.ts";
import type { GitHubDouble, GitHubRepo } from "../helpers/github-double.ts";

/** Workflow YAML and event payloads are read loosely (their shape is checked where it matters). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

export const repoRoot = resolve(import.meta.dirname, "..", "..");

/** The `owner/repo` the examples use for this repository's actions (users replace it; see the README). */
export const PLACEHOLDER_REPOSITORY = "your-org/qlik-cloud-cicd";

/** Commands a `run:` step may use. Anything else makes the runner throw. */
const RUN_ALLOWED_COMMANDS = [
  "echo",
  "printf",
  "cat",
  "test",
  "[",
  "[[",
  "true",
  "false",
  "exit",
  "mkdir",
  "ls",
  "jq",
  "if",
  "then",
  "else",
  "elif",
  "fi",
  "for",
  "in",
  "do",
  "done",
  "set",
  "export",
  "wc",
  "sort",
  "head",
  "tail",
  "tee",
  "{",
  "}",
];

export class ActionNotBuiltError extends Error {
  constructor(action: string, missing: string) {
    super(`action ${action} not built yet (${missing} is missing)`);
    this.name = "ActionNotBuiltError";
  }
}

export class WorkflowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkflowError";
  }
}

// ---------------------------------------------------------------------------------------------------
// The world and the run's inputs and results.

export interface World {
  /** Bare git repository that plays the GitHub remote (origin). */
  remote: string;
  github: GitHubDouble;
  /** The repository the workflows run in, on the GitHub double (its history is `remote`'s). */
  repository: GitHubRepo;
  /** The token the workflow's GITHUB_TOKEN is (accepted by the GitHub double). */
  githubToken: string;
  /** The token the GitHub App stand-in returns (accepted by the GitHub double). */
  appToken: string;
  /** Artifact store: <artifacts>/<run id>/<name>/… */
  artifacts: string;
  /** Scratch folder for workspaces, event files, step files. */
  tmp: string;
}

export interface WorkflowEvent {
  name: "push" | "pull_request" | "repository_dispatch" | "workflow_dispatch" | "schedule";
  payload: Record<string, unknown>;
  /** GITHUB_REF; default per event (push: payload.ref, pull_request: refs/pull/N/merge, else refs/heads/main). */
  ref?: string;
  /** GITHUB_SHA; default per event (push: payload.after, pull_request: head sha, else main's head). */
  sha?: string;
}

export interface RunWorkflowOptions {
  workflow: string;
  event: WorkflowEvent;
  world: World;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  runId?: number;
  runAttempt?: number;
  actor?: string;
  /** Environments with required reviewers: who approves each, or who rejects it. */
  environments?: Record<string, { approve?: string[]; reject?: string }>;
  /** Only these jobs run; every other job counts as skipped. */
  jobs?: string[];
  /** Default step timeout, seconds (120). */
  stepTimeoutSeconds?: number;
  log?: (line: string) => void;
}

export type Outcome = "success" | "failure" | "skipped" | "cancelled";

export interface StepResult {
  name: string;
  id?: string;
  uses?: string;
  run?: string;
  outcome: Outcome;
  conclusion: Outcome;
  exitCode?: number;
  outputs: Record<string, string>;
  stdout: string;
  stderr: string;
  summary: string;
  /** `::error::` lines. */
  errors: string[];
  durationMs?: number;
}

export interface JobResult {
  job: string;
  /** The job id plus its matrix values, e.g. `rollout (wave: 1, shard: 1/2)`. */
  key: string;
  matrix?: Record<string, Value>;
  result: Outcome;
  outputs: Record<string, string>;
  steps: StepResult[];
  environment?: string;
  concurrency?: string;
  permissions?: unknown;
  workspace?: string;
  /** Why the job failed or was skipped, when not because of a step. */
  reason?: string;
}

export interface WorkflowRunResult {
  triggered: boolean;
  /** Why the workflow did not trigger. */
  notTriggeredBecause?: string;
  conclusion: "success" | "failure" | "skipped";
  runId: number;
  runAttempt: number;
  jobs: JobResult[];
  /** Secret values found in logs, summaries or outputs (`job/step: where`). Must stay empty. */
  leaks: string[];
  /** Every instance of a job (one per matrix combination). */
  job(id: string): JobResult[];
  /** The only instance of a job's step with this id (throws when there are several or none). */
  step(jobId: string, stepId: string): StepResult;
}

// ---------------------------------------------------------------------------------------------------
// Workflow file shape (what the runner reads; the structural test checks more).

interface StepDef {
  id?: string;
  name?: string;
  if?: string | boolean;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  shell?: string;
  "working-directory"?: string;
  "continue-on-error"?: boolean | string;
  "timeout-minutes"?: number;
}

interface JobDef {
  name?: string;
  needs?: string | string[];
  if?: string | boolean;
  "runs-on"?: unknown;
  environment?: string | { name: string; url?: string };
  permissions?: unknown;
  concurrency?: string | { group: string; "cancel-in-progress"?: boolean | string };
  outputs?: Record<string, string>;
  strategy?: { matrix?: unknown; "fail-fast"?: boolean | string; "max-parallel"?: number };
  env?: Record<string, unknown>;
  defaults?: { run?: { shell?: string; "working-directory"?: string } };
  steps?: StepDef[];
  "timeout-minutes"?: number;
  "continue-on-error"?: boolean | string;
  uses?: string;
  container?: unknown;
  services?: unknown;
}

export interface WorkflowDef {
  name?: string;
  on: unknown;
  permissions?: unknown;
  concurrency?: unknown;
  env?: Record<string, unknown>;
  defaults?: { run?: { shell?: string; "working-directory"?: string } };
  jobs: Record<string, JobDef>;
}

function loadWorkflow(file: string): WorkflowDef {
  const doc = parseYaml(readFileSync(file, "utf8")) as WorkflowDef;
  if (!doc || typeof doc !== "object" || !doc.jobs)
    throw new WorkflowError(`${file} is not a workflow (no jobs).`);
  return doc;
}

export const needsOf = (job: JobDef): string[] =>
  job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];

// ---------------------------------------------------------------------------------------------------
// Resolving `uses:`.

export type ResolvedAction =
  | { kind: "ours"; name: string; dir: string; main: string; meta: ActionMeta }
  | { kind: "stand-in"; name: string; dir: string; main: string; meta: ActionMeta };

export interface ActionMeta {
  inputs?: Record<string, { default?: unknown; required?: boolean; description?: string }>;
  outputs?: Record<string, { description?: string }>;
  runs: { using: string; main: string };
}

const OUR_ACTION = /^([^/@\s]+\/[^/@\s]+)\/actions\/([a-z0-9-]+)@(\S+)$/;
const OUR_ROOT_ACTION = /^([^/@\s]+\/[^/@\s]+)@(\S+)$/;

/** Resolves a step's `uses:` to something runnable here, or throws saying why not. */
export function resolveAction(uses: string): ResolvedAction {
  const ours = OUR_ACTION.exec(uses);
  if (ours && ours[1] === PLACEHOLDER_REPOSITORY) {
    const name = ours[2];
    const dir = join(repoRoot, "actions", name);
    const yml = join(dir, "action.yml");
    if (!existsSync(yml)) throw new ActionNotBuiltError(name, `actions/${name}/action.yml`);
    const meta = parseYaml(readFileSync(yml, "utf8")) as ActionMeta;
    const main = join(dir, meta.runs.main);
    if (!existsSync(main)) throw new ActionNotBuiltError(name, `actions/${name}/${meta.runs.main}`);
    return { kind: "ours", name, dir, main, meta };
  }
  const root = OUR_ROOT_ACTION.exec(uses);
  if (root && root[1] === PLACEHOLDER_REPOSITORY) {
    const yml = join(repoRoot, "action.yml");
    if (!existsSync(yml)) throw new ActionNotBuiltError("(root action.yml)", "action.yml");
    const meta = parseYaml(readFileSync(yml, "utf8")) as ActionMeta;
    const main = join(repoRoot, meta.runs.main);
    if (!existsSync(main)) throw new ActionNotBuiltError("(root action.yml)", meta.runs.main);
    return { kind: "ours", name: "(root)", dir: repoRoot, main, meta };
  }
  if (root) {
    const known = THIRD_PARTY_ACTIONS[root[1]];
    if (!known) {
      throw new WorkflowError(
        `'uses: ${uses}': no local stand-in for ${root[1]} (add one in test/local-actions/index.ts).`,
      );
    }
    if (root[2] !== known.sha) {
      throw new WorkflowError(`'uses: ${uses}' must pin ${root[1]} to ${known.sha} (${known.version}).`);
    }
    const dir = standInDir(known);
    const meta = parseYaml(readFileSync(join(dir, "action.yml"), "utf8")) as ActionMeta;
    return { kind: "stand-in", name: root[1], dir, main: join(dir, meta.runs.main), meta };
  }
  throw new WorkflowError(
    `'uses: ${uses}' is not supported by the test runner (only owner/repo@ref actions).`,
  );
}

// ---------------------------------------------------------------------------------------------------
// Helpers.

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();

/** GitHub's filter globs: `*` (not /), `**` (anything), `?`, leading `!` handled by the caller. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") {
      if (glob[i + 1] === "*") {
        i++;
        if (glob[i + 1] === "/") {
          i++;
          re += "(?:.*/)?";
        } else re += ".*";
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** GitHub's include/exclude semantics: later `!patterns` remove, later patterns add back. */
function matchesFilters(value: string, patterns: string[]): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith("!")) {
      if (globToRegExp(p.slice(1)).test(value)) matched = false;
    } else if (globToRegExp(p).test(value)) matched = true;
  }
  return matched;
}

/** Parses GITHUB_OUTPUT / GITHUB_ENV (`name=value` and `name<<DELIM` blocks). */
function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i]);
      if (i >= lines.length) throw new WorkflowError(`Unterminated '${heredoc[1]}<<${heredoc[2]}' block.`);
      out[heredoc[1]] = body.join("\n");
    } else if (line.includes("=")) {
      const at = line.indexOf("=");
      out[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return out;
}

/**
 * Throws unless every command of a `run:` script is on RUN_ALLOWED_COMMANDS (or `extra`: commands a
 * workflow that only runs on GitHub, never in this runner, may use).
 */
export function checkRunScript(script: string, extra: readonly string[] = []): void {
  const lines = script.replace(/\\\n/g, " ").split("\n");
  for (const raw of lines) {
    // Quoted text is data, not commands.
    const line = raw.replace(/'[^']*'/g, "''").replace(/"(?:[^"\\]|\\.)*"/g, '""');
    if (/^\s*#/.test(line)) continue;
    const segments = line.split(/&&|\|\||;|\||\$\(|`|\(|\)/);
    for (let seg of segments) {
      seg = seg.replace(/^[\s!]+/, "").replace(/^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s*)+/, "");
      if (!seg.trim() || seg.trim().startsWith("#")) continue;
      const word = seg
        .trim()
        .split(/\s+/)[0]
        .replace(/^["']|["']$/g, "");
      if (word === "" || /^[>&<0-9]/.test(word)) continue;
      if (!RUN_ALLOWED_COMMANDS.includes(word) && !extra.includes(word)) {
        throw new WorkflowError(
          `'run:' uses '${word}', which the test runner does not allow (allowed: ${RUN_ALLOWED_COMMANDS.join(" ")}). Keep run steps minimal: ${raw.trim()}`,
        );
      }
    }
  }
}

/** Every `${{ }}` expression and `if:` condition in the workflow parses within the supported subset. */
export function checkWorkflowExpressions(wf: WorkflowDef): void {
  const visit = (v: unknown, key?: string) => {
    if (typeof v === "string") {
      for (const e of findExpressions(v)) checkExpression(e.expression);
      if (key === "if" && findExpressions(v).length === 0) checkExpression(v);
    } else if (Array.isArray(v)) v.forEach((x) => visit(x));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) visit(x, k);
  };
  visit(wf);
}

function conditionText(cond: string | boolean | undefined): string | undefined {
  if (cond === undefined) return undefined;
  if (typeof cond === "boolean") return cond ? "true" : "false";
  const t = cond.trim();
  const spans = findExpressions(t);
  return spans.length === 1 && spans[0].start === 0 && spans[0].end === t.length ? spans[0].expression : t;
}

function evaluateCondition(cond: string | boolean | undefined, ctx: ExpressionContext): boolean {
  const text = conditionText(cond);
  if (text === undefined) return ctx.status === "success";
  const value = evaluateTemplate(`\${{ ${text} }}`, ctx);
  const ok = truthy(value);
  return usesStatusFunction(text) ? ok : ok && ctx.status === "success";
}

// ---------------------------------------------------------------------------------------------------
// Triggers.

interface TriggerResult {
  triggered: boolean;
  because?: string;
  inputs: Record<string, Value>;
}

function changedFiles(remote: string, base: string | undefined, head: string): string[] {
  if (!base || /^0+$/.test(base))
    return git(remote, "ls-tree", "-r", "--name-only", head).split("\n").filter(Boolean);
  return git(remote, "diff", "--name-only", `${base}...${head}`).split("\n").filter(Boolean);
}

function checkTrigger(wf: WorkflowDef, event: WorkflowEvent, remote: string, sha: string): TriggerResult {
  const on = wf.on;
  const triggers: Record<string, Loose> =
    typeof on === "string"
      ? { [on]: null }
      : Array.isArray(on)
        ? Object.fromEntries(on.map((x) => [x, null]))
        : ((on ?? {}) as Record<string, Loose>);
  if (!(event.name in triggers)) {
    return { triggered: false, because: `the workflow has no '${event.name}' trigger`, inputs: {} };
  }
  const cfg = (triggers[event.name] ?? {}) as Record<string, Loose>;
  const p = event.payload as Record<string, Loose>;
  const no = (because: string): TriggerResult => ({ triggered: false, because, inputs: {} });
  const types =
    (cfg.types as string[] | undefined) ??
    (event.name === "pull_request" ? ["opened", "synchronize", "reopened"] : undefined);
  if (types && (event.name === "pull_request" || event.name === "repository_dispatch")) {
    if (!types.includes(String(p.action)))
      return no(`'${p.action}' is not one of types: ${types.join(", ")}`);
  }
  const branchFilter = (branch: string) => {
    if (cfg.branches && !matchesFilters(branch, cfg.branches)) return false;
    if (cfg["branches-ignore"] && matchesFilters(branch, cfg["branches-ignore"])) return false;
    return true;
  };
  const pathFilter = (files: string[]) => {
    if (cfg.paths && !files.some((f) => matchesFilters(f, cfg.paths))) return false;
    if (cfg["paths-ignore"] && files.every((f) => matchesFilters(f, cfg["paths-ignore"]))) return false;
    return true;
  };
  if (event.name === "push") {
    const ref = String(p.ref ?? "");
    if (!ref.startsWith("refs/heads/")) return no(`push of ${ref} (only branch pushes are modelled)`);
    if (!branchFilter(ref.slice("refs/heads/".length))) return no(`branch ${ref} is filtered out`);
    if (!pathFilter(changedFiles(remote, p.before, sha)))
      return no("no changed file matches the path filters");
  }
  if (event.name === "pull_request") {
    const pr = p.pull_request ?? {};
    if (!branchFilter(String(pr.base?.ref ?? ""))) return no(`base branch ${pr.base?.ref} is filtered out`);
    if (!pathFilter(changedFiles(remote, pr.base?.sha, pr.head?.sha))) {
      return no("no changed file matches the path filters");
    }
  }
  const inputs: Record<string, Value> = {};
  if (event.name === "workflow_dispatch") {
    const given = (p.inputs ?? {}) as Record<string, unknown>;
    for (const [name, def] of Object.entries((cfg.inputs ?? {}) as Record<string, Loose>)) {
      const raw = given[name] ?? def?.default;
      if ((raw === undefined || raw === "") && def?.required) {
        throw new WorkflowError(`workflow_dispatch input '${name}' is required.`);
      }
      if (def?.type === "choice" && raw !== undefined && !def.options.includes(raw)) {
        throw new WorkflowError(
          `workflow_dispatch input '${name}' must be one of ${def.options.join(", ")}.`,
        );
      }
      inputs[name] =
        def?.type === "boolean"
          ? raw === true || raw === "true"
          : def?.type === "number"
            ? Number(raw)
            : ((raw ?? "") as string);
    }
    for (const name of Object.keys(given)) {
      if (!(name in (cfg.inputs ?? {})))
        throw new WorkflowError(`Unexpected workflow_dispatch input '${name}'.`);
    }
  }
  return { triggered: true, inputs };
}

// ---------------------------------------------------------------------------------------------------
// Matrix.

function expandMatrix(matrix: Value): Record<string, Value>[] {
  if (matrix === null || typeof matrix !== "object" || Array.isArray(matrix)) {
    throw new WorkflowError(`strategy.matrix must be an object, got ${JSON.stringify(matrix)}.`);
  }
  const { include, exclude, ...axes } = matrix as Record<string, Value>;
  let combos: Record<string, Value>[] = [{}];
  for (const [key, values] of Object.entries(axes)) {
    if (!Array.isArray(values)) throw new WorkflowError(`strategy.matrix.${key} must be a list.`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  if (Object.keys(axes).length === 0) combos = [];
  const sameAs = (c: Record<string, Value>, e: Record<string, Value>) =>
    Object.entries(e).every(([k, v]) => JSON.stringify(c[k]) === JSON.stringify(v));
  if (Array.isArray(exclude))
    combos = combos.filter((c) => !exclude.some((e) => sameAs(c, e as Record<string, Value>)));
  if (Array.isArray(include)) {
    // An include entry extends every ORIGINAL combination it does not contradict; otherwise it is a
    // combination of its own (combinations added by include are never extended).
    const originals = combos.map((c) => ({ ...c }));
    const originalCount = combos.length;
    for (const entry of include as Record<string, Value>[]) {
      let added = false;
      combos.slice(0, originalCount).forEach((c, i) => {
        const original = originals[i];
        const conflicts = Object.entries(entry).some(
          ([k, v]) => k in axes && JSON.stringify(original[k]) !== JSON.stringify(v),
        );
        if (!conflicts) {
          Object.assign(c, entry);
          added = true;
        }
      });
      if (!added) combos.push({ ...entry });
    }
  }
  if (combos.length === 0)
    throw new WorkflowError("The matrix has no combinations (an empty matrix fails the job on GitHub).");
  return combos;
}

// ---------------------------------------------------------------------------------------------------
// Running.

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ["PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "SYSTEMROOT"]) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    CI: "true",
    GITHUB_ACTIONS: "true",
  };
}

async function spawnStep(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const exitCode: number = await new Promise((done) => {
    child.on("error", (e) => {
      stderr += String(e);
      done(127);
    });
    child.on("close", (code) => done(code ?? 1));
  });
  clearTimeout(timer);
  if (timedOut) stderr += `\n[runner] The step was killed after ${timeoutMs / 1000} s.`;
  return { exitCode: timedOut ? 124 : exitCode, stdout, stderr };
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80);
}

export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRunResult> {
  const { world, event } = options;
  const wf = loadWorkflow(options.workflow);
  const log = options.log ?? (() => {});
  const runId = options.runId ?? 1000 + Math.floor(Math.random() * 1_000_000);
  const runAttempt = options.runAttempt ?? 1;
  const p = event.payload as Record<string, Loose>;

  // Everything that can be checked is checked before anything runs.
  checkWorkflowExpressions(wf);
  for (const [jobId, job] of Object.entries(wf.jobs)) {
    if (job.uses)
      throw new WorkflowError(`Job '${jobId}' calls a reusable workflow; not supported by the test runner.`);
    if (job.container || job.services)
      throw new WorkflowError(`Job '${jobId}' uses container/services; not supported.`);
    for (const need of needsOf(job)) {
      if (!wf.jobs[need]) throw new WorkflowError(`Job '${jobId}' needs unknown job '${need}'.`);
    }
    for (const step of job.steps ?? []) {
      if (step.uses) resolveAction(step.uses);
      if (step.run !== undefined) checkRunScript(step.run);
      if (step.shell && step.shell !== "bash")
        throw new WorkflowError(`Only 'shell: bash' is supported (${jobId}).`);
    }
  }

  const sha =
    event.sha ??
    (event.name === "push"
      ? String(p.after)
      : event.name === "pull_request"
        ? String(p.pull_request?.head?.sha)
        : git(world.remote, "rev-parse", "refs/heads/main"));
  const ref =
    event.ref ??
    (event.name === "push"
      ? String(p.ref)
      : event.name === "pull_request"
        ? `refs/pull/${p.pull_request?.number}/merge`
        : "refs/heads/main");

  const empty = (conclusion: WorkflowRunResult["conclusion"], because?: string): WorkflowRunResult =>
    finish({
      triggered: false,
      notTriggeredBecause: because,
      conclusion,
      runId,
      runAttempt,
      jobs: [],
      leaks: [],
    });
  const trigger = checkTrigger(wf, event, world.remote, sha);
  if (!trigger.triggered) return empty("skipped", trigger.because);

  const runDir = join(world.tmp, `run-${runId}-${runAttempt}`);
  mkdirSync(runDir, { recursive: true });
  const eventPath = join(runDir, "event.json");
  writeFileSync(eventPath, JSON.stringify(event.payload, null, 2));
  const [owner, repoName] = [world.repository.owner, world.repository.name];
  const secrets: Record<string, string> = { GITHUB_TOKEN: world.githubToken, ...(options.secrets ?? {}) };
  const masks = new Set<string>(Object.values(secrets).filter((s) => s.length >= 4));
  const leaks: string[] = [];
  const actor = options.actor ?? "releaser";
  const refName = ref.replace(/^refs\/(heads|tags)\//, "").replace(/^refs\/pull\//, "");
  const githubCtx: Record<string, Value> = {
    event_name: event.name,
    event: event.payload as Value,
    repository: `${owner}/${repoName}`,
    repository_owner: owner,
    ref,
    ref_name: refName,
    sha,
    run_id: String(runId),
    run_number: String(runId % 1000),
    run_attempt: String(runAttempt),
    actor,
    triggering_actor: actor,
    workflow: wf.name ?? options.workflow,
    token: world.githubToken,
    server_url: "https://github.com",
    api_url: world.github.url,
    head_ref: event.name === "pull_request" ? String(p.pull_request?.head?.ref ?? "") : "",
    base_ref: event.name === "pull_request" ? String(p.pull_request?.base?.ref ?? "") : "",
  };
  const contexts = (extra: Partial<ExpressionContext["contexts"]>): ExpressionContext["contexts"] => ({
    github: githubCtx,
    secrets,
    vars: options.vars ?? {},
    inputs: trigger.inputs,
    ...extra,
  });

  // Jobs in needs order (declaration order breaks ties).
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (id: string) => {
    if (order.includes(id)) return;
    if (visiting.has(id)) throw new WorkflowError(`Jobs depend on each other in a cycle through '${id}'.`);
    visiting.add(id);
    for (const n of needsOf(wf.jobs[id])) visit(n);
    visiting.delete(id);
    order.push(id);
  };
  Object.keys(wf.jobs).forEach(visit);

  const jobResults: JobResult[] = [];
  const summaries = new Map<string, { result: Outcome; outputs: Record<string, string> }>();

  for (const jobId of order) {
    const job = wf.jobs[jobId];
    const needs = needsOf(job);
    const needsCtx: Record<string, Value> = {};
    for (const n of needs) needsCtx[n] = summaries.get(n) ?? { result: "skipped", outputs: {} };
    const needsOk = needs.every((n) => summaries.get(n)?.result === "success");
    const needsFailed = needs.some((n) => ["failure", "cancelled"].includes(summaries.get(n)?.result ?? ""));
    const workflowEnv = (ctx: ExpressionContext) => evalMap(wf.env, ctx);
    const jobCtx: ExpressionContext = {
      contexts: contexts({ needs: needsCtx, env: {} }),
      status: needsFailed ? "failure" : "success",
    };
    const skip = (reason: string): void => {
      const r: JobResult = { job: jobId, key: jobId, result: "skipped", outputs: {}, steps: [], reason };
      jobResults.push(r);
      summaries.set(jobId, { result: "skipped", outputs: {} });
      log(`[${jobId}] skipped: ${reason}`);
    };
    if (options.jobs && !options.jobs.includes(jobId)) {
      skip("not selected by the test");
      continue;
    }
    const condText = conditionText(job.if);
    const hasStatusFn = condText !== undefined && usesStatusFunction(condText);
    if (!needsOk && !hasStatusFn) {
      skip(
        `a needed job did not succeed (${needs.map((n) => `${n}: ${summaries.get(n)?.result}`).join(", ")})`,
      );
      continue;
    }
    if (!evaluateCondition(job.if, jobCtx)) {
      skip(`if: ${condText}`);
      continue;
    }

    // Matrix.
    let combos: (Record<string, Value> | undefined)[] = [undefined];
    const strategy = job.strategy;
    let matrixError: string | undefined;
    if (strategy?.matrix !== undefined) {
      try {
        const m = evalDeep(strategy.matrix, jobCtx);
        combos = expandMatrix(m);
      } catch (error) {
        if (error instanceof WorkflowError || error instanceof ExpressionRuntimeError)
          matrixError = error.message;
        else throw error;
      }
    }
    if (matrixError) {
      jobResults.push({
        job: jobId,
        key: jobId,
        result: "failure",
        outputs: {},
        steps: [],
        reason: matrixError,
      });
      summaries.set(jobId, { result: "failure", outputs: {} });
      continue;
    }
    const failFast =
      strategy?.["fail-fast"] === undefined ? true : truthy(evalDeep(strategy["fail-fast"], jobCtx));
    // Matrix combinations run concurrently, like parallel runners (at most `max-parallel`, default 4);
    // with fail-fast, a failure cancels the combinations that have not started yet.
    const instances: JobResult[] = new Array(combos.length);
    const maxParallel = Math.max(1, Number(strategy?.["max-parallel"] ?? 4) || 4);
    let cancelRest = false;
    let next = 0;
    const worker = async () => {
      while (next < combos.length) {
        const index = next++;
        const combo = combos[index];
        const key = combo
          ? `${jobId} (${Object.entries(combo)
              .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
              .join(", ")})`
          : jobId;
        if (cancelRest) {
          instances[index] = {
            job: jobId,
            key,
            matrix: combo,
            result: "cancelled",
            outputs: {},
            steps: [],
            reason: "fail-fast",
          };
          continue;
        }
        const instance = await runJobInstance({
          jobId,
          key,
          job,
          combo,
          needsCtx,
          contexts,
          workflowEnv,
          wf,
          world,
          options,
          runId,
          runAttempt,
          runDir,
          eventPath,
          sha,
          ref,
          refName,
          actor,
          masks,
          leaks,
          log,
        });
        instances[index] = instance;
        if (instance.result === "failure" && failFast && combo) cancelRest = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(maxParallel, combos.length) }, worker));
    jobResults.push(...instances);
    const result: Outcome = instances.some((i) => i.result === "failure")
      ? "failure"
      : instances.some((i) => i.result === "cancelled")
        ? "cancelled"
        : "success";
    const outputs: Record<string, string> = {};
    for (const i of instances)
      for (const [k, v] of Object.entries(i.outputs)) if (v !== "" || !(k in outputs)) outputs[k] = v;
    summaries.set(jobId, { result, outputs });
  }

  const ran = jobResults.filter((j) => j.result !== "skipped");
  const conclusion = jobResults.some((j) => j.result === "failure" || j.result === "cancelled")
    ? "failure"
    : ran.length === 0
      ? "skipped"
      : "success";
  return finish({ triggered: true, conclusion, runId, runAttempt, jobs: jobResults, leaks });
}

function finish(r: Omit<WorkflowRunResult, "job" | "step">): WorkflowRunResult {
  return {
    ...r,
    job: (id) => r.jobs.filter((j) => j.job === id),
    step: (jobId, stepId) => {
      const found = r.jobs
        .filter((j) => j.job === jobId)
        .flatMap((j) => j.steps.filter((s) => s.id === stepId));
      if (found.length !== 1) {
        throw new Error(`Expected one step '${stepId}' in job '${jobId}', found ${found.length}.`);
      }
      return found[0];
    },
  };
}

function evalMap(map: Record<string, unknown> | undefined, ctx: ExpressionContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map ?? {})) {
    out[k] = typeof v === "string" ? interpolate(v, ctx) : v === null ? "" : String(v);
  }
  return out;
}

function evalDeep(v: unknown, ctx: ExpressionContext): Value {
  if (typeof v === "string") return evaluateTemplate(v, ctx);
  if (Array.isArray(v)) return v.map((x) => evalDeep(x, ctx));
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, evalDeep(x, ctx)]));
  return (v ?? null) as Value;
}

interface InstanceArgs {
  jobId: string;
  key: string;
  job: JobDef;
  combo: Record<string, Value> | undefined;
  needsCtx: Record<string, Value>;
  contexts: (extra: Partial<ExpressionContext["contexts"]>) => ExpressionContext["contexts"];
  workflowEnv: (ctx: ExpressionContext) => Record<string, string>;
  wf: WorkflowDef;
  world: World;
  options: RunWorkflowOptions;
  runId: number;
  runAttempt: number;
  runDir: string;
  eventPath: string;
  sha: string;
  ref: string;
  refName: string;
  actor: string;
  masks: Set<string>;
  leaks: string[];
  log: (line: string) => void;
}

async function runJobInstance(a: InstanceArgs): Promise<JobResult> {
  const { job, world, options } = a;
  const dir = join(a.runDir, slug(a.key));
  const workspace = join(dir, "workspace");
  const temp = join(dir, "temp");
  mkdirSync(workspace, { recursive: true });
  mkdirSync(temp, { recursive: true });
  const matrix = a.combo ?? {};
  // Inside a job, success()/failure() look at the job's own steps (the needs only decide whether it runs).
  let status: "success" | "failure" = "success";
  const steps: Record<string, Value> = {};
  const ctxAt = (env: Record<string, string>): ExpressionContext => ({
    contexts: a.contexts({ needs: a.needsCtx, matrix, steps, env }),
    status,
  });
  // Workflow env, then job env (each may use the contexts available at its level).
  let env: Record<string, string> = a.workflowEnv(ctxAt({}));
  env = { ...env, ...evalMap(job.env, ctxAt(env)) };
  const result: JobResult = {
    job: a.jobId,
    key: a.key,
    ...(a.combo ? { matrix: a.combo } : {}),
    result: "success",
    outputs: {},
    steps: [],
    workspace,
    permissions: job.permissions ?? a.wf.permissions,
  };
  const envName =
    job.environment === undefined
      ? undefined
      : interpolate(typeof job.environment === "string" ? job.environment : job.environment.name, ctxAt(env));
  if (envName) result.environment = envName;
  const conc = job.concurrency ?? (a.wf.concurrency as JobDef["concurrency"]);
  if (conc) result.concurrency = interpolate(typeof conc === "string" ? conc : conc.group, ctxAt(env));

  // Required reviewers of the environment decide before the job starts.
  const protection = envName ? options.environments?.[envName] : undefined;
  if (envName && protection) {
    if (protection.reject) {
      world.repository.recordApproval(a.runId, envName, protection.reject, "rejected");
      result.result = "failure";
      result.reason = `Environment '${envName}' was rejected by @${protection.reject}.`;
      a.log(`[${a.key}] ${result.reason}`);
      return result;
    }
    for (const login of protection.approve ?? []) world.repository.recordApproval(a.runId, envName, login);
  }
  a.log(`[${a.key}] start${envName ? ` (environment ${envName})` : ""}`);

  const stepDefs = job.steps ?? [];
  for (let index = 0; index < stepDefs.length; index++) {
    const def = stepDefs[index];
    const stepKey = def.id ?? `__step${index}`;
    const name = def.name ?? (def.uses ? `Run ${def.uses}` : `Run ${String(def.run).split("\n")[0]}`);
    const stepEnv = { ...env, ...evalMap(def.env, ctxAt(env)) };
    const ctx = ctxAt(stepEnv);
    const sr: StepResult = {
      name,
      ...(def.id ? { id: def.id } : {}),
      ...(def.uses ? { uses: def.uses } : {}),
      ...(def.run !== undefined ? { run: def.run } : {}),
      outcome: "skipped",
      conclusion: "skipped",
      outputs: {},
      stdout: "",
      stderr: "",
      summary: "",
      errors: [],
    };
    if (!evaluateCondition(def.if, ctx)) {
      steps[stepKey] = { outputs: {}, outcome: "skipped", conclusion: "skipped" };
      result.steps.push(sr);
      continue;
    }
    const files = {
      output: join(dir, `step-${index}.output`),
      env: join(dir, `step-${index}.env`),
      summary: join(dir, `step-${index}.summary`),
      path: join(dir, `step-${index}.path`),
    };
    for (const f of Object.values(files)) writeFileSync(f, "");
    const githubEnv: Record<string, string> = {
      GITHUB_OUTPUT: files.output,
      GITHUB_ENV: files.env,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_PATH: files.path,
      GITHUB_WORKSPACE: workspace,
      GITHUB_EVENT_PATH: a.eventPath,
      GITHUB_EVENT_NAME: String(
        ctx.contexts.github && (ctx.contexts.github as Record<string, Value>).event_name,
      ),
      GITHUB_REPOSITORY: world.repository.fullName,
      GITHUB_REPOSITORY_OWNER: world.repository.owner,
      GITHUB_API_URL: world.github.url,
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_GRAPHQL_URL: `${world.github.url}/graphql`,
      GITHUB_RUN_ID: String(a.runId),
      GITHUB_RUN_NUMBER: String(a.runId % 1000),
      GITHUB_RUN_ATTEMPT: String(a.runAttempt),
      GITHUB_ACTOR: a.actor,
      GITHUB_TRIGGERING_ACTOR: a.actor,
      GITHUB_SHA: a.sha,
      GITHUB_REF: a.ref,
      GITHUB_REF_NAME: a.refName,
      GITHUB_JOB: a.jobId,
      GITHUB_WORKFLOW: a.wf.name ?? "",
      RUNNER_TEMP: temp,
      RUNNER_OS: "Linux",
    };
    const pr = (options.event.payload as Record<string, Loose>).pull_request;
    if (pr) {
      githubEnv.GITHUB_HEAD_REF = String(pr.head?.ref ?? "");
      githubEnv.GITHUB_BASE_REF = String(pr.base?.ref ?? "");
    }
    let run: { exitCode: number; stdout: string; stderr: string };
    const startedAt = Date.now();
    const timeoutMs =
      (def["timeout-minutes"] ? def["timeout-minutes"] * 60 : (options.stepTimeoutSeconds ?? 120)) * 1000;
    if (def.uses) {
      const action = resolveAction(def.uses);
      const declared = action.meta.inputs ?? {};
      const given = evalMap(def.with, ctx);
      for (const k of Object.keys(given)) {
        if (!(k in declared))
          throw new WorkflowError(`Step '${name}' of job '${a.jobId}': '${def.uses}' has no input '${k}'.`);
      }
      const inputEnv: Record<string, string> = {};
      for (const [k, spec] of Object.entries(declared)) {
        const v =
          k in given
            ? given[k]
            : spec.default !== undefined
              ? interpolate(String(spec.default), ctx)
              : undefined;
        if (v !== undefined) inputEnv[`INPUT_${k.replace(/ /g, "_").toUpperCase()}`] = v;
      }
      const standIn: Record<string, string> =
        action.kind === "stand-in"
          ? {
              [STAND_IN_ENV.remote]: world.remote,
              [STAND_IN_ENV.artifacts]: world.artifacts,
              [STAND_IN_ENV.appToken]: world.appToken,
            }
          : {};
      run = await spawnStep(
        process.execPath,
        [action.main],
        workspace,
        { ...baseEnv(), ...stepEnv, ...githubEnv, ...inputEnv, ...standIn },
        timeoutMs,
      );
    } else if (def.run !== undefined) {
      const script = interpolate(def.run, ctx);
      const scriptFile = join(dir, `step-${index}.sh`);
      writeFileSync(scriptFile, script);
      const wd =
        def["working-directory"] ??
        job.defaults?.run?.["working-directory"] ??
        a.wf.defaults?.run?.["working-directory"];
      run = await spawnStep(
        "bash",
        ["--noprofile", "--norc", "-eo", "pipefail", scriptFile],
        wd ? resolve(workspace, wd) : workspace,
        { ...baseEnv(), ...stepEnv, ...githubEnv },
        timeoutMs,
      );
    } else {
      throw new WorkflowError(`Step '${name}' of job '${a.jobId}' has neither 'uses' nor 'run'.`);
    }
    sr.durationMs = Date.now() - startedAt;
    sr.exitCode = run.exitCode;
    sr.stdout = run.stdout;
    sr.stderr = run.stderr;
    sr.outputs = parseCommandFile(readFileSync(files.output, "utf8"));
    sr.summary = readFileSync(files.summary, "utf8");
    const lines = run.stdout.split("\n");
    for (const l of lines) {
      const mask = /^::add-mask::(.+)$/.exec(l);
      if (mask && mask[1].trim().length >= 4) a.masks.add(mask[1].trim());
    }
    sr.errors = lines.filter((l) => l.startsWith("::error")).map((l) => l.replace(/^::error[^:]*::/, ""));
    const visible = lines.filter((l) => !l.startsWith("::add-mask::")).join("\n");
    for (const secret of a.masks) {
      const where = [
        visible.includes(secret) && "stdout",
        run.stderr.includes(secret) && "stderr",
        sr.summary.includes(secret) && "summary",
      ].filter(Boolean);
      // Step outputs may carry a masked token to the next step (create-github-app-token does); job
      // outputs may not (see below), and logs and summaries never.
      if (where.length) a.leaks.push(`${a.key} / ${name}: a secret appears in ${where.join(", ")}`);
    }
    Object.assign(env, parseCommandFile(readFileSync(files.env, "utf8")));
    const ok = run.exitCode === 0;
    const continueOnError =
      def["continue-on-error"] !== undefined && truthy(evalDeep(def["continue-on-error"], ctx));
    sr.outcome = ok ? "success" : "failure";
    sr.conclusion = ok || continueOnError ? "success" : "failure";
    if (sr.conclusion === "failure") status = "failure";
    steps[stepKey] = { outputs: sr.outputs, outcome: sr.outcome, conclusion: sr.conclusion };
    result.steps.push(sr);
    a.log(
      `[${a.key}] ${name}: ${sr.outcome} in ${sr.durationMs} ms${ok ? "" : ` (exit ${run.exitCode}) ${sr.errors.join(" | ") || run.stderr.slice(-500)}`}`,
    );
  }
  result.result = status === "failure" ? "failure" : "success";
  // Job outputs: evaluated after the steps; a value holding a masked secret is dropped, as on GitHub.
  for (const [k, v] of Object.entries(job.outputs ?? {})) {
    const value = interpolate(v, ctxAt(env));
    if ([...a.masks].some((m) => value.includes(m))) {
      a.log(`[${a.key}] output '${k}' holds a secret and is dropped`);
      result.outputs[k] = "";
    } else result.outputs[k] = value;
  }
  return result;
}
