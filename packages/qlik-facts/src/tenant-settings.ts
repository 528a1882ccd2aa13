// The tenant settings a blueprint may set: the boolean settings `PATCH /api/v1/tenants/{id}` replaces
// (`/<name>` paths), held against @qlik/api's TenantPatchSchema paths.
import type { TenantPatchSchema } from "@qlik/api/tenants";
import type { SameUnion } from "./type-check.ts";
import { assertSameUnion } from "./type-check.ts";

export const TENANT_SETTING_NAMES = [
  "autoAssignCreateSharedSpacesRoleToProfessionals",
  "autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals",
  "autoAssignDataServicesContributorRoleToProfessionals",
  "enableAnalyticCreation",
  "enableAppOpeningFeedback",
] as const;
export type TenantSettingName = (typeof TENANT_SETTING_NAMES)[number];

/** The patch paths that are not settings: the display name and the alias hostname. */
type NotSettings = "/name" | "/hostnames/1";
assertSameUnion<SameUnion<`/${TenantSettingName}`, Exclude<TenantPatchSchema[number]["path"], NotSettings>>>(
  true,
);

export function isTenantSettingName(name: string): name is TenantSettingName {
  return (TENANT_SETTING_NAMES as readonly string[]).includes(name);
}
