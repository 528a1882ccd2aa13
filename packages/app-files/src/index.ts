export { AppTree } from "./app-tree.ts";
export {
  FILES,
  infoOf,
  titleOf,
  type AppConnection,
  type AppTreeContent,
  type EntityKind,
  type JsonObject,
  type JsonValue,
  type ObjectEntry,
} from "./types.ts";
export {
  PROVENANCE_APP_PROPERTY,
  canonicalAppProperties,
  canonicalBookmark,
  canonicalConnection,
  canonicalizeContent,
  canonicalObjectEntry,
  canonicalProperties,
  canonicalScript,
  stripConnectionCredentials,
} from "./canonical.ts";
export { appSlug, objectFileStem, safeComponent, slugify, uniqueStems } from "./naming.ts";
export { parseJsonText, parseYamlText, positionAt, type TextPosition } from "./parse.ts";
export { readAppTree, writeAppTree, type WriteResult } from "./files.ts";
export type {
  QixBookmarkHandle,
  QixConnection,
  QixDoc,
  QixField,
  QixFieldValue,
  QixInfo,
  QixObjectHandle,
  QixPropertiesHandle,
  QixVariableHandle,
} from "./doc.ts";
export {
  DEFAULT_STATE,
  SELECTION_RECORD_KEY,
  SELECTIONS_KEY,
  bookmarkProperties,
  canonicalSelectionState,
  selectionDigest,
  selectionGaps,
  selectionsOf,
  type SelectionGap,
  type SelectionRecord,
} from "./bookmark-state.ts";
export { selectionWarnings, standingSelectionWarnings, type BookmarkWarning } from "./bookmark-build.ts";
export { APP_FOLDER_MARKERS, isAppFolder, noAppFolderError, requireAppFolder } from "./app-folder.ts";
export { readLiveApp, unbuildApp, type LiveApp, type UnbuildOptions } from "./unbuild.ts";
export {
  OPERATION_ORDER,
  bookmarksSelectingData,
  planBuild,
  summarizeOperations,
  type BuildOperation,
  type BuildPlan,
  type OperationAction,
  type OperationKind,
  type PlanOptions,
} from "./plan.ts";
export {
  applyPlan,
  buildApp,
  BuildError,
  type BuildOptions,
  type BuildResult,
  type ReloadOutcome,
} from "./build.ts";
export {
  DIFF_KINDS,
  describeChanges,
  diffAppTrees,
  renderDiffMarkdown,
  scriptSections,
  type AppDiff,
  type DiffChange,
  type DiffDetail,
  type DiffEntry,
  type DiffKind,
  type MarkdownOptions,
} from "./diff.ts";
export { treeDigest } from "./digest.ts";
export * from "./lint/index.ts";
