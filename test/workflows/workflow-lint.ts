// Structural checks of the example workflows: a schema for the on/jobs/steps shape, plus the rules the
// examples promise users (pinned third-party actions, least-privilege permissions, secrets only through
// `secrets.*`, inputs and outputs that exist, concurrency where deploys must not overlap).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parse as parseYaml } from "yaml";
import { THIRD_PARTY_ACTIONS, standInDir } from "../local-actions/index.ts";
import { contextPaths, findExpressions } from "./expressions.ts";
import {
  checkRunScript,
  checkWorkflowExpressions,
  needsOf,
  PLACEHOLDER_REPOSITORY,
  repoRoot,
  type ActionMeta,
  type WorkflowDef,
} from "./runner.ts";

const stringMap = { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } };
const permissionValue = { enum: ["read", "write", "none"] };
const permissions = {
  anyOf: [{ type: "object", additionalProperties: permissionValue }, { const: {} }],
};
const concurrency = {
  anyOf: [
    { type: "string", minLength: 1 },
    {
      type: "object",
      required: ["group"],
      additionalProperties: false,
      properties: { group: { type: "string" }, "cancel-in-progress": { type: ["boolean", "string"] } },
    },
  ],
};
const step = {
  type: "object",
  additionalProperties: false,
  oneOf: [{ required: ["uses"] }, { required: ["run"] }],
  properties: {
    id: { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_-]*$" },
    name: { type: "string" },
    if: { type: ["string", "boolean"] },
    uses: { type: "string" },
    run: { type: "string", minLength: 1 },
    with: stringMap,
    env: stringMap,
    shell: { const: "bash" },
    "working-directory": { type: "string" },
    "continue-on-error": { type: ["boolean", "string"] },
    "timeout-minutes": { type: "number" },
  },
};

/** The workflow schema (the subset of GitHub's workflow syntax the examples may use). */
const workflowSchema = {
  type: "object",
  required: ["name", "on", "jobs"],
  additionalProperties: false,
  properties: {
    name: { type: "string", minLength: 1 },
    "run-name": { type: "string" },
    on: {
      type: "object",
      minProperties: 1,
      additionalProperties: false,
      properties: {
        push: { type: ["object", "null"] },
        pull_request: { type: ["object", "null"] },
        repository_dispatch: { type: ["object", "null"] },
        workflow_dispatch: { type: ["object", "null"] },
        schedule: { type: "array", items: { type: "object", required: ["cron"] } },
      },
    },
    permissions,
    env: stringMap,
    concurrency,
    defaults: { type: "object" },
    jobs: {
      type: "object",
      minProperties: 1,
      propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_-]*$" },
      additionalProperties: {
        type: "object",
        required: ["runs-on", "steps"],
        additionalProperties: false,
        properties: {
          name: { type: "string" },
          needs: { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
          if: { type: ["string", "boolean"] },
          "runs-on": { type: ["string", "array"] },
          environment: {
            anyOf: [
              { type: "string" },
              {
                type: "object",
                required: ["name"],
                properties: { name: { type: "string" }, url: { type: "string" } },
              },
            ],
          },
          permissions,
          concurrency,
          outputs: { type: "object", additionalProperties: { type: "string" } },
          strategy: {
            type: "object",
            additionalProperties: false,
            required: ["matrix"],
            properties: {
              matrix: { type: ["object", "string"] },
              "fail-fast": { type: ["boolean", "string"] },
              "max-parallel": { type: ["number", "string"] },
            },
          },
          env: stringMap,
          defaults: { type: "object" },
          steps: { type: "array", minItems: 1, items: step },
          "timeout-minutes": { type: "number" },
          "continue-on-error": { type: ["boolean", "string"] },
        },
      },
    },
  },
};

const validateSchema = new Ajv({ allErrors: true, strict: false }).compile(workflowSchema);

/** Inputs whose values are credentials: they must come from `secrets.*` or a token output. */
const SECRET_INPUTS = [
  "api-key",
  "client-secret",
  "private-key",
  "license-key",
  "execution-token",
  "github-token",
  "token",
];

/** Actions that change a tenant (a job using them needs `concurrency`), unless dry-run/plan/drift/merge. */
const MUTATING = ["deploy-to-space", "rollout-canary", "configure-tenant", "provision-tenant", "unbuild-app"];

export interface ActionInterface {
  inputs: string[];
  outputs: string[];
}

const OUR_USES = /^([^/@\s]+\/[^/@\s]+)\/actions\/([a-z0-9-]+)@(\S+)$/;
/** An action of this repository used from the checkout (the repository's own self-test workflow). */
const LOCAL_USES = /^\.\/actions\/([a-z0-9-]+)$/;
const THIRD_PARTY_USES = /^([^/@\s]+\/[^/@\s]+)@(\S+)$/;

/** The action folder a `uses:` names when it is one of this repository's actions. */
function ourActionName(uses: string): string | undefined {
  return OUR_USES.exec(uses)?.[2] ?? LOCAL_USES.exec(uses)?.[1];
}

/** The declared inputs/outputs of what a `uses:` names, or a problem sentence. */
function actionInterface(uses: string, options: { localActions?: boolean } = {}): ActionInterface | string {
  const ours = OUR_USES.exec(uses);
  const read = (file: string): ActionInterface => {
    const meta = parseYaml(readFileSync(file, "utf8")) as ActionMeta;
    return { inputs: Object.keys(meta.inputs ?? {}), outputs: Object.keys(meta.outputs ?? {}) };
  };
  const local = LOCAL_USES.exec(uses);
  if (local) {
    if (!options.localActions) return `'${uses}': examples use ${PLACEHOLDER_REPOSITORY}/actions/<name>@v1`;
    const file = join(repoRoot, "actions", local[1], "action.yml");
    if (!existsSync(file)) return `'${uses}': there is no action folder actions/${local[1]}`;
    return read(file);
  }
  if (ours) {
    if (ours[1] !== PLACEHOLDER_REPOSITORY)
      return `'${uses}' must use the placeholder ${PLACEHOLDER_REPOSITORY}`;
    if (ours[3] !== "v1") return `'${uses}' must reference the major version tag @v1`;
    const dir = join(repoRoot, "actions", ours[2]);
    if (!existsSync(dir)) return `'${uses}': there is no action folder actions/${ours[2]}`;
    if (!existsSync(join(dir, "action.yml")))
      return `action ${ours[2]} not built yet (no actions/${ours[2]}/action.yml)`;
    return read(join(dir, "action.yml"));
  }
  const third = THIRD_PARTY_USES.exec(uses);
  if (third) {
    const known = THIRD_PARTY_ACTIONS[third[1]];
    if (!/^[0-9a-f]{40}$/.test(third[2])) return `'${uses}' is not pinned to a full commit SHA`;
    if (!known) return `'${uses}': ${third[1]} has no local stand-in in test/local-actions/index.ts`;
    if (known.sha !== third[2]) return `'${uses}' must pin ${known.sha} (${known.version})`;
    return read(join(standInDir(known), "action.yml"));
  }
  return `'${uses}' is not an owner/repo@ref action`;
}

export interface LintOptions {
  /**
   * Commands `run:` steps may use beyond what the local runner executes: for the repository's own
   * workflows, which run only on GitHub (the examples are also run here, so they get none).
   */
  runCommands?: readonly string[];
  /** Allow `uses: ./actions/<name>` (the repository's own workflows run the actions from the checkout). */
  localActions?: boolean;
}

/** Every problem of one workflow file, as sentences (empty when it passes). */
export function lintWorkflow(file: string, options: LintOptions = {}): string[] {
  const problems: string[] = [];
  const text = readFileSync(file, "utf8");
  let wf: WorkflowDef;
  try {
    wf = parseYaml(text) as WorkflowDef;
  } catch (error) {
    return [`not valid YAML: ${(error as Error).message}`];
  }
  if (!validateSchema(wf)) {
    for (const e of validateSchema.errors ?? [])
      problems.push(`schema: ${e.instancePath || "/"} ${e.message}`);
    return problems;
  }
  try {
    checkWorkflowExpressions(wf);
  } catch (error) {
    problems.push((error as Error).message);
  }

  // Pins carry their version as a comment (`@<sha> # v7.0.1`), matching the known release.
  for (const line of text.split("\n")) {
    const m = /uses:\s*([^\s#]+)@([0-9a-f]{40})\s*(?:#\s*(\S+))?/.exec(line);
    if (!m) continue;
    const known = THIRD_PARTY_ACTIONS[m[1]];
    if (known && m[3] !== known.version)
      problems.push(`'${m[1]}@${m[2]}' needs the comment '# ${known.version}'`);
  }

  const jobIds = Object.keys(wf.jobs);
  const jobOutputs = new Map(jobIds.map((id) => [id, Object.keys(wf.jobs[id].outputs ?? {})]));
  for (const [jobId, job] of Object.entries(wf.jobs)) {
    const where = `job '${jobId}'`;
    if (wf.permissions === undefined && job.permissions === undefined) {
      problems.push(`${where} has no 'permissions' (and the workflow sets none)`);
    }
    for (const [scope, value] of Object.entries((job.permissions ?? {}) as Record<string, string>)) {
      if (
        value === "write" &&
        !["contents", "pull-requests", "issues", "actions", "deployments"].includes(scope)
      ) {
        problems.push(`${where} asks for ${scope}: write, which no example needs`);
      }
    }
    const needs = needsOf(job);
    for (const n of needs) if (!wf.jobs[n]) problems.push(`${where} needs unknown job '${n}'`);
    const hasMatrix = job.strategy?.matrix !== undefined;
    const stepOutputs = new Map<string, string[] | "run">();
    const seenIds = new Set<string>();
    let mutates = false;

    const checkRefs = (value: unknown, context: string, stepsSoFar: Map<string, string[] | "run">) => {
      const texts: string[] = [];
      const collect = (v: unknown) => {
        if (typeof v === "string") texts.push(v);
        else if (Array.isArray(v)) v.forEach(collect);
        else if (v && typeof v === "object") Object.values(v).forEach(collect);
      };
      collect(value);
      for (const t of texts) {
        let spans: { expression: string }[];
        try {
          spans = findExpressions(t);
        } catch {
          continue;
        }
        if (context.endsWith(" if") && spans.length === 0 && t.trim()) spans = [{ expression: t }];
        for (const { expression } of spans) {
          let paths: string[][];
          try {
            paths = contextPaths(expression);
          } catch {
            continue;
          }
          for (const p of paths) {
            if (p[0] === "matrix" && !hasMatrix)
              problems.push(`${where} ${context}: uses matrix.* without a matrix`);
            if (p[0] === "needs") {
              const [, job2, kind, name] = p;
              if (!job2) continue;
              if (!needs.includes(job2))
                problems.push(`${where} ${context}: needs.${job2} is not in its 'needs'`);
              else if (kind === "outputs" && name && !jobOutputs.get(job2)?.includes(name)) {
                problems.push(`${where} ${context}: job '${job2}' declares no output '${name}'`);
              } else if (kind && !["outputs", "result"].includes(kind)) {
                problems.push(`${where} ${context}: needs.${job2}.${kind} does not exist`);
              }
            }
            if (p[0] === "steps") {
              const [, id, kind, name] = p;
              if (!id) continue;
              const outs = stepsSoFar.get(id);
              if (!outs) problems.push(`${where} ${context}: no earlier step with id '${id}'`);
              else if (kind === "outputs" && name && outs !== "run" && !outs.includes(name)) {
                problems.push(`${where} ${context}: step '${id}' declares no output '${name}'`);
              } else if (kind && !["outputs", "outcome", "conclusion"].includes(kind)) {
                problems.push(`${where} ${context}: steps.${id}.${kind} does not exist`);
              }
            }
          }
        }
      }
    };

    checkRefs(job.env, "env", stepOutputs);
    checkRefs(job.if, "if", stepOutputs);
    checkRefs(job.strategy, "strategy", stepOutputs);
    checkRefs(job.environment, "environment", stepOutputs);
    checkRefs(job.concurrency, "concurrency", stepOutputs);
    for (const [index, s] of (job.steps ?? []).entries()) {
      const label = `step ${s.id ?? s.name ?? index + 1}`;
      checkRefs(s.if, `${label} if`, stepOutputs);
      checkRefs(s.env, `${label} env`, stepOutputs);
      checkRefs(s.with, `${label} with`, stepOutputs);
      if (s.id) {
        if (seenIds.has(s.id)) problems.push(`${where}: step id '${s.id}' is used twice`);
        seenIds.add(s.id);
      }
      if (s.run !== undefined) {
        if (/\$\{\{[^}]*\bsecrets\b/.test(s.run))
          problems.push(`${where} ${label}: 'run' must not contain \${{ secrets.* }}; pass it through env`);
        if (/\$\{\{[^}]*\bgithub\.event\b/.test(s.run))
          problems.push(
            `${where} ${label}: 'run' must not interpolate github.event (script injection); pass it through env`,
          );
        checkRefs(s.run, `${label} run`, stepOutputs);
        try {
          checkRunScript(s.run, options.runCommands);
        } catch (error) {
          problems.push(`${where} ${label}: ${(error as Error).message}`);
        }
        // A run step's outputs are whatever it writes to GITHUB_OUTPUT (names may be computed).
        if (s.id) stepOutputs.set(s.id, "run");
        continue;
      }
      const iface = actionInterface(String(s.uses), { localActions: options.localActions });
      if (typeof iface === "string") {
        problems.push(`${where} ${label}: ${iface}`);
        if (s.id) stepOutputs.set(s.id, []);
        continue;
      }
      for (const key of Object.keys(s.with ?? {})) {
        if (!iface.inputs.includes(key))
          problems.push(`${where} ${label}: '${s.uses}' has no input '${key}'`);
      }
      for (const [key, value] of Object.entries(s.with ?? {})) {
        if (!SECRET_INPUTS.includes(key)) continue;
        const v = String(value);
        const spans = findExpressions(v.trim());
        const fromSecret =
          spans.length === 1 &&
          spans[0].start === 0 &&
          spans[0].end === v.trim().length &&
          /^(secrets[.[]|steps\.[A-Za-z0-9_-]+\.outputs\.token$|github\.token$)/.test(spans[0].expression);
        if (!fromSecret)
          problems.push(`${where} ${label}: input '${key}' must come from secrets.* (or a token output)`);
      }
      for (const [key, value] of Object.entries(s.env ?? {})) {
        if (/secret|token|key|password/i.test(key) && !/^\$\{\{\s*secrets[.[]/.test(String(value).trim())) {
          problems.push(`${where} ${label}: env '${key}' looks like a credential but is not from secrets.*`);
        }
      }
      const name = ourActionName(String(s.uses));
      const readOnly =
        ["true"].includes(String(s.with?.["dry-run"])) ||
        s.with?.["merge-states"] !== undefined ||
        ["drift", "plan"].includes(String(s.with?.mode)) ||
        (name === "unbuild-app" && (s.with?.commit ?? "none") === "none");
      if (name && MUTATING.includes(name) && !readOnly) mutates = true;
      if (s.id) stepOutputs.set(s.id, iface.outputs);
    }
    checkRefs(job.outputs, "outputs", stepOutputs);
    if (mutates && !job.concurrency && !wf.concurrency) {
      problems.push(
        `${where} changes a tenant or the repository but has no 'concurrency' (nor the workflow)`,
      );
    }
  }
  return problems;
}
