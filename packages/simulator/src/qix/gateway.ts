/**
 * The seam to the ENGINE engineer's code (`src/engine/index.ts`): `createQixEngine(ctx)` for QIX
 * WebSocket sessions and `runLoadScript(doc)` for reloads and the seed.
 */
import { createQixEngine, runLoadScript } from "../engine/index.ts";
import type { AppDocument, TableRecord } from "../model/app-document.ts";
import type { SimContext } from "../http/types.ts";
import type { EngineHooks } from "../core/simulator.ts";

export interface LoadScriptOutcome {
  ok: boolean;
  log: string;
  tables: TableRecord[];
  scriptVariables: Map<string, string>;
  errorLines: string[];
  durationMs: number;
}

export interface EngineModule {
  createQixEngine: (ctx: SimContext) => EngineHooks;
  runLoadScript: (doc: AppDocument, options?: { now?: () => Date }) => LoadScriptOutcome;
}

const engineModule: EngineModule = {
  createQixEngine: (ctx) => createQixEngine(ctx) as EngineHooks,
  runLoadScript: (doc, options) => runLoadScript(doc, options),
};

/** Kept async so the start sequence does not change if the engine ever loads lazily. */
export async function loadEngineModule(): Promise<EngineModule> {
  return engineModule;
}

export function engine(): EngineModule {
  return engineModule;
}
