import * as core from "@actions/core";
import { dirname } from "node:path";
import { secrets } from "@qlik-cicd/common";
import { loadBlueprint, provisionTenant } from "@qlik-cicd/tenant";
import type { ProvisionOperation } from "@qlik-cicd/tenant";
import {
  actionsLogger,
  readBooleanInput,
  readEnumInput,
  readInput,
  readNumberInput,
  readSecretInput,
  runAction,
  writeOutput,
} from "../../_shared/src/index.ts";
import {
  addConfigureSummary,
  blueprintDeps,
  workspacePath,
} from "../../configure-tenant/src/blueprint-adapter.ts";
import { INPUTS, OUTPUTS } from "./io.ts";

const OPERATIONS: readonly ProvisionOperation[] = ["create", "deactivate", "reactivate"];

export async function run(): Promise<void> {
  await runAction("provision-tenant", async () => {
    const clientSecret = readSecretInput(INPUTS.clientSecret, { required: true }) as string;
    const licenseKey = readSecretInput(INPUTS.licenseKey);
    const operation = readEnumInput(INPUTS.operation, OPERATIONS, "create");
    const blueprintPath = readInput(INPUTS.blueprint);
    const blueprintFile = blueprintPath ? workspacePath(blueprintPath) : undefined;
    const pruneInput = readInput(INPUTS.pruneUsers);
    const blueprint = blueprintFile
      ? {
          blueprint: loadBlueprint(blueprintFile, blueprintPath),
          baseDir: dirname(blueprintFile),
          ...(pruneInput !== undefined ? { pruneUsers: readBooleanInput(INPUTS.pruneUsers, false) } : {}),
        }
      : undefined;
    const result = await provisionTenant(
      {
        operation,
        region: readInput(INPUTS.region, { required: true }) as string,
        registrationUrl: readInput(INPUTS.registrationUrl),
        datacenter: readInput(INPUTS.datacenter),
        clientId: readInput(INPUTS.clientId, { required: true }) as string,
        clientSecret,
        licenseKey,
        hostnameAlias: readInput(INPUTS.hostnameAlias),
        tenantUrl: readInput(INPUTS.tenantUrl),
        tenantId: readInput(INPUTS.tenantId),
        purgeAfterDays: readNumberInput(INPUTS.purgeAfterDays, 30, { min: 1, max: 90, integer: true }),
        blueprint,
      },
      blueprint ? blueprintDeps(INPUTS.githubToken) : { logger: actionsLogger },
    );
    writeOutput(OUTPUTS.tenantId, result.tenantId);
    writeOutput(OUTPUTS.tenantUrl, result.tenantUrl);
    writeOutput(OUTPUTS.created, result.created);
    writeOutput(OUTPUTS.status, result.status);
    writeOutput(OUTPUTS.changed, result.changed);
    const what =
      operation === "create"
        ? result.created
          ? "Created"
          : "Reused (alias already provisioned)"
        : `${operation}d`;
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
    core.summary.addRaw(secrets.redact(`## Tenant ${result.tenantId}\n\n${rows.join("\n")}\n`), true);
    if (result.blueprint) addConfigureSummary(result.blueprint);
  });
}
