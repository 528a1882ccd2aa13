/**
 * Admin REST route modules of the simulator: app evaluations, users, groups, roles, OAuth clients, identity
 * providers, brands, tenant settings, webhooks, automations and reload tasks (mounted on every tenant
 * origin), and the Platform Operations registration module (mounted on each region's registration origin).
 */
import type { RouteModule } from "../../http/types.ts";
import { automationsModule } from "./automations.ts";
import { brandsModule } from "./brands.ts";
import { evaluationsModule } from "./evaluations.ts";
import { groupsModule } from "./groups.ts";
import { identityProvidersModule } from "./identity-providers.ts";
import { oauthClientsModule } from "./oauth-clients.ts";
import { registrationRouteModule } from "./registration.ts";
import { reloadTasksModule } from "./reload-tasks.ts";
import { rolesModule } from "./roles.ts";
import { tenantSettingsModule } from "./tenant-settings.ts";
import { usersModule } from "./users.ts";
import { webhooksModule } from "./webhooks.ts";

/** Mounted on every tenant origin. Order matters only for literal-vs-parameter paths (literals first). */
export const adminRouteModules: RouteModule[] = [
  evaluationsModule,
  rolesModule,
  groupsModule,
  usersModule,
  oauthClientsModule,
  identityProvidersModule,
  brandsModule,
  tenantSettingsModule,
  webhooksModule,
  automationsModule,
  reloadTasksModule,
];

export { registrationRouteModule };

// Hooks for the HTTP core (token endpoint, event delivery) and the control API.
export { findOAuthClient } from "./oauth-clients.ts";
export { deliverEvent, webhookDeliveries, signWebhookBody } from "./webhooks.ts";
export { setAutomationOutcome } from "./automations.ts";
export { isValidLicenseKey, makeLicenseKey } from "./registration.ts";
