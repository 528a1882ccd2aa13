// provision-tenant: create a tenant in a region (idempotent through its hostname alias), optionally
// apply a blueprint to it, or deactivate / reactivate one.
import { dirname } from "node:path";
import { defineOperation, type OperationHost } from "@qlik-cicd/common";
import type { GitHubClient } from "@qlik-cicd/github";
import { loadBlueprint } from "../blueprint/parse.ts";
import {
  provisionTenant,
  type ProvisionOperation,
  type ProvisionOptions,
  type ProvisionResult,
} from "../provision/provision.ts";
import { blueprintDeps, configureSummary } from "./blueprint-host.ts";

const OPERATIONS: readonly ProvisionOperation[] = ["create", "deactivate", "reactivate"];

export interface ProvisionTenantOptions {
  provision: Omit<ProvisionOptions, "blueprint">;
  blueprint?: { file: string; label: string; pruneUsers?: boolean };
  token?: string;
}

function provisionSummary(result: ProvisionResult): string {
  const what =
    result.operation === "create"
      ? result.created
        ? "Created"
        : "Reused (alias already provisioned)"
      : `${result.operation}d`;
  const rows = [
    "| | |",
    "| --- | --- |",
    `| operation | ${what} |`,
    `| tenant id | \`${result.tenantId}\` |`,
    `| tenant URL | ${result.tenantUrl} |`,
    `| hostnames | ${result.hostnames.join(", ")} |`,
    `| region | ${result.region}${result.datacenter ? ` (${result.datacenter})` : ""} |`,
    `| status | ${result.status} |`,
    ...(result.estimatedPurgeDate ? [`| purge date | ${result.estimatedPurgeDate} |`] : []),
  ];
  const tenant = `## Tenant ${result.tenantId}\n\n${rows.join("\n")}\n\n`;
  return result.blueprint ? `${tenant}${configureSummary(result.blueprint)}\n` : tenant;
}

export const provisionTenantOperation = defineOperation({
  name: "provision-tenant",
  inputs: {
    operation: { default: "create" },
    region: { required: true },
    "registration-url": {},
    datacenter: {},
    "client-id": { required: true },
    "client-secret": { required: true },
    "license-key": {},
    "hostname-alias": {},
    "tenant-url": {},
    "tenant-id": {},
    "purge-after-days": { default: "30" },
    blueprint: {},
    "prune-users": {},
    "github-token": {},
  },
  outputNames: ["tenant-id", "tenant-url", "created", "status", "changed"],

  options(inputs): ProvisionTenantOptions {
    const clientSecret = inputs.secret("client-secret");
    if (!clientSecret) inputs.required("client-secret");
    const licenseKey = inputs.secret("license-key");
    const operation = inputs.choice("operation", OPERATIONS) ?? "create";
    const blueprintLabel = inputs.string("blueprint");
    const pruneUsers = inputs.boolean("prune-users");
    const token = inputs.secret("github-token");
    return {
      provision: {
        operation,
        region: inputs.required("region"),
        registrationUrl: inputs.string("registration-url"),
        datacenter: inputs.string("datacenter"),
        clientId: inputs.required("client-id"),
        clientSecret: clientSecret as string,
        licenseKey,
        hostnameAlias: inputs.string("hostname-alias"),
        tenantUrl: inputs.string("tenant-url"),
        tenantId: inputs.string("tenant-id"),
        purgeAfterDays: inputs.number("purge-after-days", { min: 1, max: 90, integer: true }),
      },
      ...(blueprintLabel
        ? {
            blueprint: {
              file: inputs.path("blueprint") as string,
              label: blueprintLabel,
              ...(pruneUsers !== undefined ? { pruneUsers } : {}),
            },
          }
        : {}),
      ...(token ? { token } : {}),
    };
  },

  async run(options, host: OperationHost<GitHubClient>): Promise<ProvisionResult> {
    const bp = options.blueprint;
    const blueprint = bp
      ? {
          blueprint: loadBlueprint(bp.file, bp.label),
          baseDir: dirname(bp.file),
          env: host.env,
          ...(bp.pruneUsers !== undefined ? { pruneUsers: bp.pruneUsers } : {}),
        }
      : undefined;
    return provisionTenant(
      { ...options.provision, blueprint },
      blueprint ? blueprintDeps(host, options.token) : { logger: host.logger },
    );
  },

  outputs: (result) => ({
    "tenant-id": result.tenantId,
    "tenant-url": result.tenantUrl,
    created: result.created,
    status: result.status,
    changed: result.changed,
  }),
  summary: provisionSummary,
});
