/**
 * The deploy's view of app content, on top of @qlik-cicd/app-files: read the source, read an app over
 * QIX, compare, build. Everything here is credential-free: trees never hold connection credentials.
 */
import {
  AppTree,
  buildApp,
  diffAppTrees,
  planBuild,
  readAppTree,
  renderDiffMarkdown,
  treeDigest,
  unbuildApp,
  type AppTreeContent,
} from "@qlik-cicd/app-files";
import type { QlikClient } from "@qlik-cicd/qlik-client";
import type { Doc } from "@qlik/api/qix";
import type { Logger } from "@qlik-cicd/common";
import type { DeployChange } from "./types.ts";

export { AppTree, readAppTree, treeDigest };

/** The semantic diff from `current` to `desired` as markdown (for the plan's details). */
export function diffMarkdown(current: AppTree, desired: AppTree): string {
  const diff = diffAppTrees(current, desired);
  return diff.changed ? renderDiffMarkdown(diff, { title: "" }) : "";
}

/** Reads an app's content over QIX. */
export async function unbuildFromTenant(client: QlikClient, appId: string): Promise<AppTree> {
  return client.withApp(appId, (doc) => unbuildApp(doc));
}

/** An empty app limited to the kinds `like` manages, so a diff against it lists everything as added. */
export function emptyTreeLike(like: AppTree): AppTree {
  const c = like.content;
  const content: AppTreeContent = {};
  if (c.appProperties !== undefined) content.appProperties = {};
  if (c.script !== undefined) content.script = "";
  if (c.connections !== undefined) content.connections = [];
  if (c.dimensions !== undefined) content.dimensions = [];
  if (c.measures !== undefined) content.measures = [];
  if (c.variables !== undefined) content.variables = [];
  if (c.bookmarks !== undefined) content.bookmarks = [];
  if (c.objects !== undefined) content.objects = [];
  return new AppTree(content);
}

/** A copy of `tree` whose app title is `name` (the app's name and its qTitle are the same thing). */
export function withTitle(tree: AppTree, name: string): AppTree {
  if (tree.content.appProperties === undefined) return tree;
  if (tree.content.appProperties.qTitle === name) return tree;
  return new AppTree(
    { ...tree.content, appProperties: { ...tree.content.appProperties, qTitle: name } },
    {
      warnings: tree.warnings,
    },
  );
}

/** The title the files give the app, if any. */
export function titleOfTree(tree: AppTree): string | undefined {
  const t = tree.content.appProperties?.qTitle;
  return typeof t === "string" && t.trim() ? t.trim() : undefined;
}

const CHANGE = { create: "add", update: "update", delete: "remove" } as const;

/**
 * What turning `current` into `desired` changes, in people's terms: the build plan's operations
 * (with `prune` false, things only `current` has are kept, so they are not listed).
 */
export function compareContent(current: AppTree, desired: AppTree, prune: boolean): DeployChange[] {
  const plan = planBuild(current, desired, { prune });
  return plan.operations.map((op) => ({
    change: CHANGE[op.action],
    kind: op.kind === "object" && op.type ? op.type : op.kind,
    name: op.title,
  }));
}

/** Converges the open app to `desired` (no reload; the deploy reloads through the reloads API). */
export async function buildInto(
  doc: Doc,
  desired: AppTree,
  options: { prune: boolean; logger: Logger },
): Promise<boolean> {
  const result = await buildApp(doc, desired, {
    prune: options.prune,
    reload: false,
    logger: options.logger,
  });
  return result.changed;
}
