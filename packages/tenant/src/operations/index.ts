export { blueprintDeps, configureSummary } from "./blueprint-host.ts";
export { configureTenantOperation, type ConfigureTenantOptions } from "./configure-tenant.ts";
export { provisionTenantOperation, type ProvisionTenantOptions } from "./provision-tenant.ts";
export { runAutomationOperation, type RunAutomationOperationOptions } from "./run-automation.ts";
export { estateStatusOperation, type EstateStatusOptions } from "./estate-status.ts";
