import type { SelectionRecord } from "./bookmark-state.ts";
import { canonicalizeContent } from "./canonical.ts";
import { renderFiles, type RenderedFile } from "./render.ts";
import {
  infoOf,
  type AppConnection,
  type AppTreeContent,
  type JsonObject,
  type JsonValue,
  type ObjectEntry,
} from "./types.ts";

/**
 * An app's content as files: a map of relative path → parsed content, with typed accessors. Always
 * canonical, so equal content gives byte-identical files.
 */
export class AppTree {
  /** Canonical content; treat as read-only. */
  readonly content: Readonly<AppTreeContent>;
  /** Notes from reading the files (e.g. dropped credentials or script-created variables). */
  readonly warnings: readonly string[];
  /**
   * Live apps only (never files): bookmark id → what a build recorded when it could not reproduce all
   * of the bookmark's selections (see SELECTION_RECORD_KEY).
   */
  readonly bookmarkRecords: ReadonlyMap<string, SelectionRecord>;
  #rendered: RenderedFile[] | undefined;

  constructor(
    content: AppTreeContent,
    options?: { warnings?: readonly string[]; bookmarkRecords?: ReadonlyMap<string, SelectionRecord> },
  ) {
    this.content = canonicalizeContent(content);
    this.warnings = options?.warnings ?? [];
    this.bookmarkRecords = options?.bookmarkRecords ?? new Map();
  }

  get script(): string | undefined {
    return this.content.script;
  }
  get appProperties(): JsonObject | undefined {
    return this.content.appProperties;
  }
  get connections(): readonly AppConnection[] {
    return this.content.connections ?? [];
  }
  get dimensions(): readonly JsonObject[] {
    return this.content.dimensions ?? [];
  }
  get measures(): readonly JsonObject[] {
    return this.content.measures ?? [];
  }
  get variables(): readonly JsonObject[] {
    return this.content.variables ?? [];
  }
  get bookmarks(): readonly JsonObject[] {
    return this.content.bookmarks ?? [];
  }
  get objects(): readonly ObjectEntry[] {
    return this.content.objects ?? [];
  }

  /** A top-level object or any descendant, by qInfo.qId. */
  object(id: string): ObjectEntry | undefined {
    const visit = (list: readonly ObjectEntry[]): ObjectEntry | undefined => {
      for (const entry of list) {
        if (infoOf(entry.qProperty).id === id) return entry;
        const found = visit(entry.qChildren);
        if (found) return found;
      }
      return undefined;
    };
    return visit(this.objects);
  }
  measure(id: string): JsonObject | undefined {
    return this.measures.find((m) => infoOf(m).id === id);
  }
  dimension(id: string): JsonObject | undefined {
    return this.dimensions.find((m) => infoOf(m).id === id);
  }
  variable(name: string): JsonObject | undefined {
    return this.variables.find((v) => v.qName === name);
  }
  bookmark(id: string): JsonObject | undefined {
    return this.bookmarks.find((m) => infoOf(m).id === id);
  }

  /** Relative path (always `/`-separated) → file text, in path order. Deterministic. */
  fileTexts(): ReadonlyMap<string, string> {
    return new Map(this.#render().map((f) => [f.path, f.text]));
  }

  /** Relative path → parsed content (a string for script.qvs, JSON values for .json and .yml files). */
  get files(): ReadonlyMap<string, JsonValue> {
    return new Map(this.#render().map((f) => [f.path, f.parsed]));
  }

  #render(): RenderedFile[] {
    this.#rendered ??= renderFiles(this.content);
    return this.#rendered;
  }
}
