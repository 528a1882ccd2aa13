// configure-tenant: apply a tenant blueprint (spaces, users, roles, OAuth clients, apps), plan it, or
// report how the tenant drifted from it.
import { dirname, join } from "node:path";
import { CicdError, defineOperation, type OperationHost } from "@qlik-cicd/common";
import type { GitHubClient } from "@qlik-cicd/github";
import {
  CONNECTION_INPUTS,
  readConnection,
  withQlikClient,
  type ConnectionInput,
} from "@qlik-cicd/qlik-client";
import { configureTenant, type ConfigureMode, type ConfigureResult } from "../blueprint/configure.ts";
import { loadBlueprint } from "../blueprint/parse.ts";
import { blueprintDeps, configureSummary } from "./blueprint-host.ts";

const MODES: readonly ConfigureMode[] = ["apply", "plan", "drift"];

export interface ConfigureTenantOptions {
  connection: ConnectionInput;
  /** The blueprint file, absolute, and as the user wrote it (for messages). */
  blueprintFile: string;
  blueprintLabel: string;
  mode: ConfigureMode;
  dryRun: boolean;
  pruneUsers?: boolean;
  failOnDrift: boolean;
  reportDir: string;
  token?: string;
}

export const configureTenantOperation = defineOperation({
  name: "configure-tenant",
  inputs: {
    ...CONNECTION_INPUTS,
    blueprint: { required: true },
    mode: { default: "apply" },
    "dry-run": { default: "false" },
    "prune-users": {},
    "drift-report-dir": {},
    "fail-on-drift": { default: "false" },
    "github-token": {},
  },
  outputNames: ["changed", "plan", "drift", "drift-report"],

  options(inputs, host: OperationHost<GitHubClient>): ConfigureTenantOptions {
    const connection = readConnection(inputs, host.env);
    const blueprintLabel = inputs.required("blueprint");
    const pruneUsers = inputs.boolean("prune-users");
    const token = inputs.secret("github-token");
    return {
      connection,
      blueprintFile: inputs.path("blueprint") as string,
      blueprintLabel,
      mode: inputs.choice("mode", MODES) ?? "apply",
      dryRun: inputs.boolean("dry-run") ?? false,
      ...(pruneUsers !== undefined ? { pruneUsers } : {}),
      failOnDrift: inputs.boolean("fail-on-drift") ?? false,
      reportDir: inputs.path("drift-report-dir") ?? join(host.tempDir, "qlik-drift"),
      ...(token ? { token } : {}),
    };
  },

  async run(options, host: OperationHost<GitHubClient>): Promise<ConfigureResult> {
    const blueprint = loadBlueprint(options.blueprintFile, options.blueprintLabel);
    const deps = blueprintDeps(host, options.token);
    return withQlikClient(options.connection, { logger: host.logger }, (client) =>
      configureTenant(
        client,
        {
          blueprint,
          mode: options.mode,
          dryRun: options.dryRun,
          ...(options.pruneUsers !== undefined ? { pruneUsers: options.pruneUsers } : {}),
          baseDir: dirname(options.blueprintFile),
          env: host.env,
          reportDir: options.reportDir,
        },
        deps,
      ),
    );
  },

  outputs: (result) => ({
    changed: result.changed,
    plan: result.plan,
    drift: result.drift ?? "",
    "drift-report": result.driftReportPath ?? "",
  }),
  summary: configureSummary,
  failure(result, options) {
    if (!options.failOnDrift || !result.drift || result.drift.inSync) return undefined;
    return new CicdError(
      `Tenant ${result.tenant} has drifted from its blueprint: ${result.drift.differences.length} difference(s), ${result.drift.interactiveAdmins.length} person(s) with admin roles.`,
      { hint: `See the drift report at ${result.driftReportPath}.` },
    );
  },
});
