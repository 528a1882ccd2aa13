import { ConfigError } from "@qlik-cicd/common";

/** Qlik Cloud regions (the `register.{region}.qlikcloud.com` prefix) and the datacenter each one places tenants in. */
export const REGION_DATACENTERS: Readonly<Record<string, string>> = {
  us: "us-east-1",
  eu: "eu-west-1",
  de: "eu-central-1",
  uk: "eu-west-2",
  ap: "ap-southeast-1",
  sg: "ap-southeast-2",
  jp: "ap-northeast-1",
};

export function datacenterFor(region: string, override?: string): string {
  if (override) return override;
  const dc = REGION_DATACENTERS[region.toLowerCase()];
  if (!dc) {
    throw new ConfigError(
      `Region '${region}' is not a known Qlik Cloud region (${Object.keys(REGION_DATACENTERS).join(", ")}).`,
      { field: "region", hint: "Use one of these, or set 'datacenter' explicitly for a new region." },
    );
  }
  return dc;
}

export function registrationUrlFor(region: string, override?: string): string {
  if (override) return override.replace(/\/+$/, "");
  if (!/^[a-z0-9-]+$/i.test(region)) {
    throw new ConfigError(`Region '${region}' must be letters, digits and dashes, e.g. eu.`, {
      field: "region",
    });
  }
  return `https://register.${region.toLowerCase()}.qlikcloud.com`;
}

/** The full hostname of an alias: `acme` → `acme.eu.qlikcloud.com`; a name with dots is kept. */
export function aliasHostname(alias: string, region: string): string {
  const a = alias.trim().toLowerCase();
  return a.includes(".") ? a : `${a}.${region.toLowerCase()}.qlikcloud.com`;
}
