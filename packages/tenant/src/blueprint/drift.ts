import { canonicalJson } from "@qlik-cicd/common";
import type { PlannedOperation } from "./operations.ts";
import type { TenantSnapshot, UserState } from "./tenant-state.ts";
import { ADMIN_ROLES } from "./types.ts";
import type { Blueprint } from "./types.ts";

export interface DriftItem {
  /** users, spaces, oauth-clients, identity-provider, branding, tenant, webhooks, apps, reload-schedules */
  area: string;
  target: string;
  /** What differs, as the change that would bring the tenant back to the blueprint. */
  difference: string;
}

export interface AdminPerson {
  id: string;
  subject: string;
  name: string;
  roles: string[];
}

export interface DriftReport {
  tenant: string;
  tenantId: string;
  checkedAt: string;
  inSync: boolean;
  differences: DriftItem[];
  /** People (not listed service accounts) who hold an admin role: customer tenants should have none. */
  interactiveAdmins: AdminPerson[];
  warnings: string[];
}

const AREAS: Record<string, string> = {
  "update-tenant": "tenant",
  "create-brand": "branding",
  "update-brand": "branding",
  "activate-brand": "branding",
  "create-identity-provider": "identity-provider",
  "replace-identity-provider": "identity-provider",
  "create-user": "users",
  "update-user": "users",
  "delete-user": "users",
  "create-space": "spaces",
  "update-space": "spaces",
  "add-space-member": "spaces",
  "update-space-member": "spaces",
  "remove-space-member": "spaces",
  "create-oauth-client": "oauth-clients",
  "update-oauth-client": "oauth-clients",
  "create-webhook": "webhooks",
  "update-webhook": "webhooks",
  "deploy-app": "apps",
  "create-reload-task": "reload-schedules",
  "update-reload-task": "reload-schedules",
};

export function driftItem(op: PlannedOperation): DriftItem {
  return { area: AREAS[op.kind] ?? op.kind, target: op.target, difference: op.description };
}

/**
 * A person is a user whose subject is not in the blueprint's `serviceAccounts`; any person holding an admin
 * role (TenantAdmin, AnalyticsAdmin, DataAdmin, AuditAdmin, OrganizationAdmin) is flagged.
 */
export function interactiveAdmins(blueprint: Blueprint, users: UserState[]): AdminPerson[] {
  const service = new Set((blueprint.serviceAccounts ?? []).map((s) => s.toLowerCase()));
  const admin = new Set<string>(ADMIN_ROLES);
  return users
    .filter((u) => u.status !== "deleted" && !service.has(u.subject.toLowerCase()))
    .map((u) => ({ id: u.id, subject: u.subject, name: u.name, roles: u.roles.filter((r) => admin.has(r)) }))
    .filter((u) => u.roles.length > 0)
    .sort((a, b) => a.subject.localeCompare(b.subject));
}

export function buildDriftReport(
  blueprint: Blueprint,
  snapshot: TenantSnapshot,
  differences: DriftItem[],
  warnings: string[],
  checkedAt: string,
): DriftReport {
  const admins = interactiveAdmins(blueprint, snapshot.users);
  return {
    tenant: snapshot.tenant.name,
    tenantId: snapshot.tenant.id,
    checkedAt,
    inSync: differences.length === 0 && admins.length === 0,
    differences,
    interactiveAdmins: admins,
    warnings,
  };
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

export function renderDriftMarkdown(report: DriftReport): string {
  const lines = [`## Drift report: ${cell(report.tenant)}`, ""];
  lines.push(
    report.inSync
      ? "The tenant matches its blueprint and no person holds an admin role."
      : `${report.differences.length} difference(s) from the blueprint; ${report.interactiveAdmins.length} person(s) with an admin role.`,
    "",
  );
  if (report.differences.length > 0) {
    lines.push("| area | target | difference |", "| --- | --- | --- |");
    for (const d of report.differences)
      lines.push(`| ${cell(d.area)} | ${cell(d.target)} | ${cell(d.difference)} |`);
    lines.push("");
  }
  if (report.interactiveAdmins.length > 0) {
    lines.push(
      "### People with admin roles",
      "",
      "Customer tenants should have no interactive admin access. List service accounts under `serviceAccounts`.",
      "",
      "| subject | name | admin roles |",
      "| --- | --- | --- |",
    );
    for (const p of report.interactiveAdmins)
      lines.push(`| ${cell(p.subject)} | ${cell(p.name)} | ${cell(p.roles.join(", "))} |`);
    lines.push("");
  }
  for (const w of report.warnings) lines.push(`> ${cell(w)}`, "");
  return `${lines.join("\n").trimEnd()}\n`;
}

export function renderDriftJson(report: DriftReport): string {
  return canonicalJson(report);
}
