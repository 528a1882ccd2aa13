import { createApp, getAppInfo, type NxApp } from "@qlik/api/apps";
import { getItems, getPublishedItems, type ItemResultResponseBody } from "@qlik/api/items";
import { allPages, QlikApiError, QlikNotFoundError, type QlikClient } from "@qlik-cicd/qlik-client";
import { ConfigError, didYouMean, type Logger } from "@qlik-cicd/common";
import { findSpace, listSpaces, spaceNotFound } from "./spaces.ts";

/** An app as the items API lists it: both ids, because item id ≠ app id. */
export interface AppItem {
  itemId: string;
  appId: string;
  name: string;
  spaceId: string;
  /** The app's attributes as the item carries them, when it has them (Qlik's app attributes). */
  attributes?: AppItemAttributes;
}

/** What a deploy reads from an app item's attributes: when the app last changed and where it came from. */
export interface AppItemAttributes {
  /** When the app was last changed. */
  modifiedDate?: string;
  /** A published app: the app it was last published from, and when. */
  originAppId?: string;
  publishTime?: string;
}

function toAppItem(item: ItemResultResponseBody): AppItem {
  const app: AppItem = {
    itemId: item.id,
    appId: item.resourceId ?? "",
    name: item.name,
    spaceId: item.spaceId ?? "",
  };
  const attributes = itemAttributes(item.resourceAttributes);
  if (attributes) app.attributes = attributes;
  return app;
}

/** The attributes a deploy uses, from an item's untyped `resourceAttributes`; empty strings are absent. */
function itemAttributes(resource: unknown): AppItemAttributes | undefined {
  if (!resource || typeof resource !== "object") return undefined;
  const r = resource as Record<string, unknown>;
  const out: AppItemAttributes = {};
  for (const key of ["modifiedDate", "originAppId", "publishTime"] as const) {
    const value = r[key];
    if (typeof value === "string" && value) out[key] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Items of a query, every page. `noActions`: the answer leaves out what the caller may do with each item,
 * which nothing here reads and which Qlik says takes time to work out.
 */
function listItems(
  client: QlikClient,
  query: Parameters<typeof getItems>[0],
  operation: string,
): Promise<ItemResultResponseBody[]> {
  const spec = { tier: "read", method: "GET", resource: "/api/v1/items", operation } as const;
  return allPages(client, spec, (opts) => getItems({ ...query, noActions: true }, opts));
}

/**
 * Apps named exactly `name` in a space (fresh read). Deploys find their target this way, so a retry
 * after a dropped connection reuses the app a previous attempt created instead of making a duplicate.
 */
export async function findAppsByName(client: QlikClient, spaceId: string, name: string): Promise<AppItem[]> {
  const items = await listItems(
    client,
    { resourceType: "app", spaceId, name, limit: 100 },
    "find app by name",
  );
  return items
    .filter((i) => i.name === name && (i.spaceId ?? "") === spaceId && i.resourceId)
    .map(toAppItem)
    .sort((a, b) => a.appId.localeCompare(b.appId));
}

/**
 * Apps named exactly `name` in each of `spaceIds`, from one items query over every space (fresh read):
 * a deploy that needs the published copy and the staging apps asks once instead of once per space.
 */
export async function findAppsByNameIn(
  client: QlikClient,
  spaceIds: readonly string[],
  name: string,
): Promise<Map<string, AppItem[]>> {
  const items = await listItems(client, { resourceType: "app", name, limit: 100 }, "find app by name");
  const out = new Map<string, AppItem[]>(spaceIds.map((id) => [id, []]));
  for (const item of items) {
    const list = out.get(item.spaceId ?? "");
    if (list && item.name === name && item.resourceId) list.push(toAppItem(item));
  }
  for (const list of out.values()) list.sort((a, b) => a.appId.localeCompare(b.appId));
  return out;
}

/**
 * The sentence for an app name that is not in a space, with the nearest names in it: "App 'Sales' in
 * 'app-name' was not found in space 'test'." and a did-you-mean hint.
 */
export async function appNotFound(
  client: QlikClient,
  space: { id: string; name: string },
  appName: string,
  options: { field?: string; inInput?: boolean } = {},
): Promise<ConfigError> {
  const field = options.field ?? "app-name";
  const names = (await listItems(client, { resourceType: "app", spaceId: space.id, limit: 100 }, "list apps"))
    .filter((i) => (i.spaceId ?? "") === space.id)
    .map((i) => i.name);
  const hint = didYouMean(appName, names) || undefined;
  const where = options.inInput ? ` in '${field}'` : "";
  return new ConfigError(`App '${appName}'${where} was not found in space '${space.name}'.`, {
    field,
    ...(hint ? { hint } : {}),
  });
}

/** An app chosen by id, or by name in a space (the unbuild-app and evaluate-app inputs). */
export interface AppChoice {
  appId?: string;
  appName?: string;
  space?: string;
}

/** The app's id and title, by id or by exactly one name in a space; ConfigErrors name the inputs. */
export async function resolveApp(
  client: QlikClient,
  choice: AppChoice,
): Promise<{ id: string; title: string }> {
  if (choice.appId) {
    try {
      const app = await getApp(client, choice.appId);
      return { id: choice.appId, title: app.attributes?.name ?? choice.appId };
    } catch (error) {
      if (error instanceof QlikNotFoundError) {
        throw new ConfigError(
          `App '${choice.appId}' in 'app-id' was not found on tenant ${client.tenantName}.`,
          {
            field: "app-id",
            hint: "Check the id, and that these credentials can see the app's space.",
          },
        );
      }
      throw error;
    }
  }
  const spaceName = choice.space ?? "";
  const appName = choice.appName ?? "";
  const spaces = await listSpaces(client);
  const space = findSpace(spaces, spaceName);
  if (!space) throw spaceNotFound(spaceName, client.tenantName, spaces, "space");
  const apps = await findAppsByName(client, space.id, appName);
  if (apps.length === 0) throw await appNotFound(client, space, appName, { inInput: true });
  if (apps.length > 1) {
    throw new ConfigError(
      `${apps.length} apps are named '${appName}' in space '${space.name}': set 'app-id' to pick one (${apps
        .map((a) => a.appId)
        .join(", ")}).`,
      { field: "app-name" },
    );
  }
  return { id: apps[0].appId, title: apps[0].name };
}

/** The item of one app (its item id), or undefined. */
export async function findAppItem(client: QlikClient, appId: string): Promise<AppItem | undefined> {
  const items = await listItems(
    client,
    { resourceType: "app", resourceId: appId, limit: 10 },
    "find app item",
  );
  const item = items.find((i) => i.resourceId === appId);
  return item ? toAppItem(item) : undefined;
}

/** The copies `sourceAppId` was published to: items API → item id → published items. */
export async function findPublishedCopies(client: QlikClient, sourceAppId: string): Promise<AppItem[]> {
  const source = await findAppItem(client, sourceAppId);
  if (!source) return [];
  const meta = {
    tier: "read",
    method: "GET",
    resource: `/api/v1/items/${source.itemId}/publisheditems`,
    operation: "list published copies",
  } as const;
  const res = await client.call(meta, (opts) => getPublishedItems(source.itemId, { limit: 100 }, opts));
  // @qlik/api types this list as collections; the API returns items.
  const data = (res.data as unknown as { data?: ItemResultResponseBody[] }).data ?? [];
  return data.filter((i) => i.resourceId).map(toAppItem);
}

export async function getApp(client: QlikClient, appId: string): Promise<NxApp> {
  const res = await client.call(
    { tier: "read", method: "GET", resource: `/api/v1/apps/${appId}`, operation: "read app" },
    (opts) => getAppInfo(appId, opts),
  );
  return res.data;
}

/**
 * Creates an app in a space. Never blind-retried: when the call fails in a way that may have been
 * applied (network drop, timeout, 5xx), the space is searched by name first.
 */
export async function createAppInSpace(
  client: QlikClient,
  spaceId: string,
  name: string,
  logger: Logger,
): Promise<AppItem> {
  try {
    const res = await client.call(
      { tier: "write", method: "POST", resource: "/api/v1/apps", operation: "create app" },
      (opts) => createApp({ attributes: { name, spaceId } }, opts),
    );
    // The item id is looked up by whoever reports it (the deploy does, for the app consumers use):
    // a new staging app's item id is never reported, so it costs no call here.
    return { appId: res.data.attributes?.id ?? "", itemId: "", name, spaceId };
  } catch (error) {
    if (error instanceof QlikApiError && error.status !== undefined && error.status < 500) throw error;
    logger.warn(
      `Creating app '${name}' failed (${(error as Error).message}); checking whether it was created anyway.`,
    );
    const found = await findAppsByName(client, spaceId, name);
    if (found.length) return found[0];
    throw error;
  }
}

/** The hub link people open for an app. */
export function appUrl(tenantOrigin: string, appId: string): string {
  return appId ? `${tenantOrigin.replace(/\/+$/, "")}/sense/app/${appId}` : "";
}

/** The one app of `found` (apps named `appName` in space `spaceName`); refuses duplicates by name. */
export function singleApp(found: AppItem[], spaceName: string, appName: string): AppItem | undefined {
  if (found.length > 1) {
    throw new ConfigError(
      `Space '${spaceName}' has ${found.length} apps named '${appName}' (${found.map((f) => f.appId).join(", ")}); remove the duplicates or set 'app-name' to a unique name.`,
      { field: "app-name" },
    );
  }
  return found[0];
}
