import type { TenantSettingName } from "@qlik-cicd/qlik-facts";

export type { TenantSettingName };

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

/** A scheduled reload of a monitoring app (a Qlik Cloud reload task). */
export interface ReloadScheduleSpec {
  /** RFC 5545 RECUR lines, each `RRULE:FREQ=…` (e.g. `RRULE:FREQ=DAILY;BYHOUR=2`). */
  recurrence: string[];
  /** IANA time zone the rules and `startDateTime` are read in; default `UTC`. */
  timeZone?: string;
  /** First run, local to `timeZone`, e.g. `2026-01-01T02:00:00`; default the day the task is created. */
  startDateTime?: string;
  /** Partial reload; default false. */
  partial?: boolean;
  /** Default true: a task disabled on the tenant (by hand or after failures) is enabled again. */
  enabled?: boolean;
}

export interface MonitoringAppSpec extends AppSourceSpec {
  /** Reload the app on this schedule (one reload task per app, created or updated after the deploy). */
  schedule?: ReloadScheduleSpec;
}

export interface MonitoringSpec {
  space?: string;
  apps?: MonitoringAppSpec[];
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
