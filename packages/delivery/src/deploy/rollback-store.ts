import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { canonicalJson, sha256Hex } from "@qlik-cicd/common";
import type { RollbackSnapshot } from "./types.ts";

/**
 * Keeps the version a deploy replaced, so a failed deploy (or a later `rollback` run) can restore it.
 * Keys are stable per target: tenant + space + app name. Rollout code can persist snapshots wherever
 * it keeps its state by implementing this interface.
 */
export interface RollbackStore {
  save(key: string, snapshot: RollbackSnapshot): Promise<void>;
  load(key: string): Promise<RollbackSnapshot | undefined>;
}

export function rollbackKey(tenant: string, spaceId: string, appName: string): string {
  return `${tenant}/${spaceId}/${appName}`;
}

/** In-process store (tests, a single run, or a caller that persists `entries()` itself). */
export class MemoryRollbackStore implements RollbackStore {
  private readonly snapshots = new Map<string, RollbackSnapshot>();
  async save(key: string, snapshot: RollbackSnapshot): Promise<void> {
    this.snapshots.set(key, structuredClone(snapshot));
  }
  async load(key: string): Promise<RollbackSnapshot | undefined> {
    const s = this.snapshots.get(key);
    return s ? structuredClone(s) : undefined;
  }
  entries(): [string, RollbackSnapshot][] {
    return [...this.snapshots.entries()].map(([k, v]) => [k, structuredClone(v)]);
  }
}

/**
 * One canonical JSON file per key in a directory (persist it between runs with a cache or artifact).
 * Snapshots hold app content only: connection credentials are never part of an app tree.
 */
export class DirectoryRollbackStore implements RollbackStore {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }
  private file(key: string): string {
    return join(this.dir, `${sha256Hex(key).slice(0, 32)}.json`);
  }
  async save(key: string, snapshot: RollbackSnapshot): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const target = this.file(key);
    const temp = `${target}.tmp`;
    writeFileSync(temp, canonicalJson({ key, snapshot }));
    renameSync(temp, target);
  }
  async load(key: string): Promise<RollbackSnapshot | undefined> {
    const target = this.file(key);
    if (!existsSync(target)) return undefined;
    const parsed = JSON.parse(readFileSync(target, "utf8")) as { key: string; snapshot: RollbackSnapshot };
    return parsed.key === key ? parsed.snapshot : undefined;
  }
}
