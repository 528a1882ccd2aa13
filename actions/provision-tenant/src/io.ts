/** Input and output names of the provision-tenant action (declared in action.yml). */
export const INPUTS = {
  operation: "operation",
  region: "region",
  registrationUrl: "registration-url",
  datacenter: "datacenter",
  clientId: "client-id",
  clientSecret: "client-secret",
  licenseKey: "license-key",
  hostnameAlias: "hostname-alias",
  tenantUrl: "tenant-url",
  tenantId: "tenant-id",
  purgeAfterDays: "purge-after-days",
  blueprint: "blueprint",
  pruneUsers: "prune-users",
  githubToken: "github-token",
} as const;

export const OUTPUTS = {
  tenantId: "tenant-id",
  tenantUrl: "tenant-url",
  created: "created",
  status: "status",
  changed: "changed",
} as const;
