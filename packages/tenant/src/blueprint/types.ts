import type { TENANT_SETTINGS } from "./schema.ts";

export type TenantSettingName = (typeof TENANT_SETTINGS)[number];

export type IdentityProviderSpec =
  | { protocol: "jwtAuth"; description: string; issuer: string; keys: { kid: string; pem: string }[] }
  | {
      protocol: "OIDC";
      description: string;
      provider: string;
      discoveryUrl: string;
      clientId: string;
      clientSecretEnv: string;
      claimsMapping?: Record<string, string | string[]>;
    };

export interface UserSpec {
  subject: string;
  name?: string;
  email?: string;
  roles?: string[];
}

export interface SpaceMemberSpec {
  user?: string;
  group?: string;
  roles: string[];
}

export interface SpaceSpec {
  name: string;
  type: "shared" | "managed" | "data";
  description?: string;
  members?: SpaceMemberSpec[];
}

export interface OAuthClientSecretSink {
  githubSecret?: { name: string; repository?: string; environment?: string };
  exportVariable?: string;
}

export interface OAuthClientSpec {
  name: string;
  description?: string;
  appType: "web" | "native" | "spa";
  grantTypes?: string[];
  scopes?: string[];
  redirectUris?: string[];
  allowedOrigins?: string[];
  secret?: OAuthClientSecretSink;
}

export interface AppSourceSpec {
  source: string;
  name?: string;
}

export interface MonitoringSpec {
  space?: string;
  apps?: AppSourceSpec[];
  failedReloadWebhook?: { name?: string; url: string; secretEnv?: string };
}

export interface ContentSpec extends AppSourceSpec {
  space: string;
}

export interface Blueprint {
  version: 1;
  tenant?: { name?: string; settings?: Partial<Record<TenantSettingName, boolean>> };
  identityProvider?: IdentityProviderSpec;
  serviceAccounts?: string[];
  users?: UserSpec[];
  pruneUsers?: boolean;
  spaces?: SpaceSpec[];
  oauthClients?: OAuthClientSpec[];
  branding?: { name: string; description?: string };
  monitoring?: MonitoringSpec;
  content?: ContentSpec[];
}

/** Roles that administer a tenant; a person (not a listed service account) must hold none of them. */
export const ADMIN_ROLES = [
  "TenantAdmin",
  "AnalyticsAdmin",
  "DataAdmin",
  "AuditAdmin",
  "OrganizationAdmin",
] as const;
