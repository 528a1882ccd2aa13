/**
 * The deploy's view of app content, on top of @qlik-cicd/app-files: read the source, read an app over
 * QIX, compare, build. Everything here is credential-free: trees never hold connection credentials.
 */
import {
  AppTree,
  bookmarksSelectingData,
  buildApp,
  diffAppTrees,
  planBuild,
  standingSelectionWarnings,
  type BookmarkWarning,
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

/*
 * Trees are read-only, so what is derived from them is kept per tree (weakly): a rollout deploys one
 * source to many tenants, and for every first deploy it would otherwise re-derive the same title copy,
 * empty tree, plan and diff once per tenant.
 */
const pairMemo = <T>() => new WeakMap<AppTree, WeakMap<AppTree, T>>();
function memoPair<T>(memo: WeakMap<AppTree, WeakMap<AppTree, T>>, a: AppTree, b: AppTree, make: () => T): T {
  let inner = memo.get(a);
  if (!inner) {
    inner = new WeakMap();
    memo.set(a, inner);
  }
  let value = inner.get(b);
  if (value === undefined) {
    value = make();
    inner.set(b, value);
  }
  return value;
}
const markdownMemo = pairMemo<string>();
const changesMemo = { prune: pairMemo<DeployChange[]>(), keep: pairMemo<DeployChange[]>() };
const emptyMemo = new WeakMap<AppTree, AppTree>();
const titleMemo = new WeakMap<AppTree, Map<string, AppTree>>();

/** The semantic diff from `current` to `desired` as markdown (for the plan's details). */
export function diffMarkdown(current: AppTree, desired: AppTree): string {
  return memoPair(markdownMemo, current, desired, () => {
    const diff = diffAppTrees(current, desired);
    return diff.changed ? renderDiffMarkdown(diff, { title: "" }) : "";
  });
}

/** Reads an app's content over QIX. */
export async function unbuildFromTenant(client: QlikClient, appId: string): Promise<AppTree> {
  return client.withApp(appId, (doc) => unbuildApp(doc));
}

/** An empty app limited to the kinds `like` manages, so a diff against it lists everything as added. */
export function emptyTreeLike(like: AppTree): AppTree {
  let empty = emptyMemo.get(like);
  if (!empty) {
    empty = makeEmptyTreeLike(like);
    emptyMemo.set(like, empty);
  }
  return empty;
}

function makeEmptyTreeLike(like: AppTree): AppTree {
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
  let titled = titleMemo.get(tree);
  if (!titled) {
    titled = new Map();
    titleMemo.set(tree, titled);
  }
  let copy = titled.get(name);
  if (!copy) {
    copy = new AppTree(
      { ...tree.content, appProperties: { ...tree.content.appProperties, qTitle: name } },
      { warnings: tree.warnings },
    );
    titled.set(name, copy);
  }
  return copy;
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
  const changes = memoPair(prune ? changesMemo.prune : changesMemo.keep, current, desired, () =>
    planBuild(current, desired, { prune }).operations.map((op) => ({
      change: CHANGE[op.action],
      kind: op.kind === "object" && op.type ? op.type : op.kind,
      name: op.title,
    })),
  );
  // Copies: callers keep the list in their own results.
  return changes.map((c) => ({ ...c }));
}

/**
 * Titles of the bookmarks a build of `desired` over `current` creates (or re-creates) with selections:
 * they need the app's data, so the build reloads before making them.
 */
export function bookmarksNeedingData(current: AppTree, desired: AppTree, prune: boolean): string[] {
  return bookmarksSelectingData(planBuild(current, desired, { prune }).operations).map((op) => op.title);
}

/** What bookmarks of `desired` lack in `current` although it is up to date (values its data lacks). */
export function standingBookmarkWarnings(current: AppTree | undefined, desired: AppTree): string[] {
  return current ? standingSelectionWarnings(current, desired).map((w) => w.message) : [];
}

/**
 * Converges the open app to `desired` and returns the handles the build opened and what bookmarks
 * could not get. The deploy reloads through the reloads API afterwards; only bookmarks that select
 * values make the build reload first (`reloadForBookmarks`), so their values exist. With
 * `save: false` the caller saves once after its own changes in the same session.
 */
export async function buildInto(
  doc: Doc,
  desired: AppTree,
  options: {
    prune: boolean;
    logger: Logger;
    save?: boolean;
    reloadForBookmarks: boolean;
    /** Runs once the content is applied, before that reload (connection credentials). */
    beforeBookmarks?: () => Promise<void>;
  },
): Promise<{ openedHandles: ReadonlyMap<string, unknown>; warnings: BookmarkWarning[] }> {
  const result = await buildApp(doc, desired, {
    prune: options.prune,
    reload: false,
    reloadForBookmarks: options.reloadForBookmarks,
    ...(options.beforeBookmarks ? { beforeBookmarks: options.beforeBookmarks } : {}),
    save: options.save ?? true,
    logger: options.logger,
  });
  return { openedHandles: result.openedHandles, warnings: result.warnings };
}
