import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname, join } from "node:path";
import { mutationEvents, type MutationEvent, type MutationEvents } from "./mutation-events.ts";
import { secrets } from "./secrets.ts";

/** One line of the audit file: who changed what, where, from which run, and how it ended. */
export interface AuditRecord extends MutationEvent {
  actor: string;
  runUrl: string;
  action: string;
}

export interface AuditTrailOptions {
  /** JSON-lines file the records are appended to (created with its folder). */
  file: string;
  actor: string;
  runUrl: string;
  /** The action or CLI command that made the changes. */
  action: string;
  events?: MutationEvents;
}

interface AuditGroup {
  tenant: string;
  operation: string;
  ok: number;
  failed: number;
}

/** Up to this many tenants the summary has a row per tenant and operation; past it, a row per operation. */
const TENANT_ROWS_UP_TO = 20;

/**
 * Appends every mutation event to a JSON-lines file as it happens, so a crash mid-run still leaves
 * the record of what was already changed. Nothing secret is written: events carry no bodies, and
 * any registered secret is redacted from every line as a last defence.
 */
export class AuditTrail {
  readonly file: string;
  /** How many changes were recorded. */
  count = 0;
  /**
   * Counts per tenant and operation while few tenants changed (undefined past TENANT_ROWS_UP_TO), and
   * per operation; the records themselves are in the file. A rollout over thousands of tenants keeps
   * neither a row nor a record per tenant in memory, and its summary stays a short table.
   */
  private byTenant: Map<string, AuditGroup> | undefined = new Map();
  private readonly byOperation = new Map<string, AuditGroup>();
  private readonly tenantsSeen = new Set<string>();
  private readonly options: AuditTrailOptions;
  private readonly unsubscribe: () => void;
  private fd: number | undefined;

  constructor(options: AuditTrailOptions) {
    this.options = options;
    this.file = options.file;
    mkdirSync(dirname(options.file), { recursive: true });
    this.unsubscribe = (options.events ?? mutationEvents).on((event) => this.record(event));
  }

  record(event: MutationEvent): void {
    const record: AuditRecord = {
      ...event,
      actor: this.options.actor,
      runUrl: this.options.runUrl,
      action: this.options.action,
    };
    this.count++;
    this.countChange(record);
    // Written through at once (a crash keeps every line so far); the file stays open between lines, as
    // a rollout writes thousands of them.
    this.fd ??= openSync(this.file, "a");
    writeSync(this.fd, `${secrets.redact(JSON.stringify(record))}\n`);
  }

  close(): void {
    this.unsubscribe();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private countChange(record: AuditRecord): void {
    const operation = record.operation ?? `${record.method} ${record.resource}`;
    const count = (groups: Map<string, AuditGroup>, key: string, tenant: string) => {
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { tenant, operation, ok: 0, failed: 0 }));
      if (record.result === "ok") group.ok++;
      else group.failed++;
    };
    count(this.byOperation, operation, "");
    if (this.byTenant && !this.tenantsSeen.has(record.tenant)) {
      this.tenantsSeen.add(record.tenant);
      if (this.tenantsSeen.size > TENANT_ROWS_UP_TO) {
        this.byTenant = undefined;
        this.tenantsSeen.clear();
      }
    }
    if (this.byTenant) count(this.byTenant, `${record.tenant}\u0000${operation}`, record.tenant);
  }

  /**
   * Markdown table of changes for job summaries: per tenant and operation, or, when more than
   * TENANT_ROWS_UP_TO tenants changed, per operation (the audit file has every change).
   */
  renderMarkdown(): string {
    if (this.count === 0) return "No changes were made to any tenant.\n";
    const escape = (s: string) => s.replace(/\|/g, "\\|");
    const sorted = (groups: Map<string, AuditGroup>) =>
      [...groups.values()].sort(
        (a, b) => a.tenant.localeCompare(b.tenant) || a.operation.localeCompare(b.operation),
      );
    if (this.byTenant) {
      return [
        "| tenant | operation | succeeded | failed |",
        "| --- | --- | ---: | ---: |",
        ...sorted(this.byTenant).map(
          (g) => `| ${escape(g.tenant)} | ${escape(g.operation)} | ${g.ok} | ${g.failed} |`,
        ),
        "",
      ].join("\n");
    }
    return [
      `Changes in more than ${TENANT_ROWS_UP_TO} tenants, counted per operation; the audit file lists each one.`,
      "",
      "| operation | succeeded | failed |",
      "| --- | ---: | ---: |",
      ...sorted(this.byOperation).map((g) => `| ${escape(g.operation)} | ${g.ok} | ${g.failed} |`),
      "",
    ].join("\n");
  }
}

/**
 * Who the audit records name: the workflow's actor on a runner; outside GitHub Actions the operating
 * system user running the command (a GITHUB_ACTOR copied into a terminal does not count).
 */
export function auditActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GITHUB_ACTIONS === "true" && env.GITHUB_ACTOR) return env.GITHUB_ACTOR;
  try {
    const name = userInfo().username;
    if (name) return name;
  } catch {
    // No passwd entry for this uid (some containers): fall back to the environment.
  }
  return env.USER || env.USERNAME || "unknown";
}

/** `<run id>-<attempt>-<job>-<step>` from the runner's variables (`local-1` outside a run), file-name safe. */
export function auditRunId(env: NodeJS.ProcessEnv = process.env): string {
  return [env.GITHUB_RUN_ID ?? "local", env.GITHUB_RUN_ATTEMPT ?? "1", env.GITHUB_JOB, env.GITHUB_ACTION]
    .filter(Boolean)
    .join("-")
    .replace(/[^A-Za-z0-9._-]+/g, "_");
}

/**
 * Starts recording every mutation of one action run into a JSON-lines file: QLIK_AUDIT_FILE, else
 * `<tempDir>/qlik-audit/<action>-<run id>.jsonl`.
 */
export function openAuditTrail(
  action: string,
  options: { env: NodeJS.ProcessEnv; tempDir: string; runUrl?: string },
): AuditTrail {
  const file =
    options.env.QLIK_AUDIT_FILE ??
    join(options.tempDir, "qlik-audit", `${action}-${auditRunId(options.env)}.jsonl`);
  return new AuditTrail({ file, actor: auditActor(options.env), runUrl: options.runUrl ?? "local", action });
}

/** The audit section of a job summary (a blank line after the heading, so GitHub renders the table). */
export function auditSummaryMarkdown(trail: AuditTrail): string {
  return `<h3>Audit trail</h3>\n\n${trail.renderMarkdown()}\n`;
}
