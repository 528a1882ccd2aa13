// What gets bundled, how, and how big each bundle may be. Used by scripts/build-actions.ts (which writes
// the bundles and enforces the budgets) and by test/contracts/bundles.test.ts (which checks what each
// bundle contains from esbuild's metafile).
import { build, type BuildOptions, type Metafile, type Plugin } from "esbuild";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";

export const root = join(import.meta.dirname, "..", "..");
const actionsDir = join(root, "actions");

/** The Qlik-facing actions' limit, and the headroom rule of thumb for the rest. */
export const QLIK_ACTION_BUDGET = 2_500_000;

export interface BundleTarget {
  /** `deploy-to-space`, `_shared/artifact-upload`, `root`. */
  name: string;
  entry: string;
  outfile: string;
  /** Largest size in bytes the bundle may have. */
  budget: number;
  /** Talks to Qlik Cloud (carries @qlik/api). */
  qlikFacing: boolean;
}

/**
 * Actions that never talk to Qlik Cloud (smaller budget: they carry no Qlik client). validate-app validates
 * the lint config (.qlik-lint.yml) against its schema, so it carries ajv (about 185 kB with its URI parser).
 */
const NOT_QLIK_FACING: Record<string, number> = { "approve-gate": 1_200_000, "validate-app": 1_300_000 };

export function actionNames(): string[] {
  return readdirSync(actionsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith("_"))
    .filter((d) => existsSync(join(actionsDir, d.name, "src", "index.ts")))
    .map((d) => d.name)
    .sort();
}

/** The entry of an action whose work runs in a worker thread (src/engine.ts): it starts the thread. */
const LAUNCHER_BUDGET = 60_000;

/**
 * Every bundle the repository commits, in build order. An action with a `src/engine.ts` gets two: its
 * entry (dist/index.js, which starts the engine in a worker thread, see engine-thread.ts) and the
 * engine (`<name>/engine`, dist/engine.js), which carries what the action does.
 */
export function bundleTargets(): BundleTarget[] {
  const actions = actionNames().flatMap((name): BundleTarget[] => {
    const main: BundleTarget = {
      name,
      entry: join(actionsDir, name, "src", "index.ts"),
      outfile: join(actionsDir, name, "dist", "index.js"),
      budget: NOT_QLIK_FACING[name] ?? QLIK_ACTION_BUDGET,
      qlikFacing: !(name in NOT_QLIK_FACING),
    };
    const engine = join(actionsDir, name, "src", "engine.ts");
    if (!existsSync(engine)) return [main];
    return [
      { ...main, budget: LAUNCHER_BUDGET, qlikFacing: false },
      {
        ...main,
        name: `${name}/engine`,
        entry: engine,
        outfile: join(actionsDir, name, "dist", "engine.js"),
      },
    ];
  });
  return [
    // Loaded on demand by every action to upload its audit trail (one copy instead of one per bundle);
    // most of it is the artifact client's Azure storage SDK.
    {
      name: "_shared/artifact-upload",
      entry: join(actionsDir, "_shared", "src", "artifact-upload.ts"),
      outfile: join(actionsDir, "_shared", "dist", "artifact-upload.js"),
      budget: 3_500_000,
      qlikFacing: false,
    },
    ...actions,
    {
      name: "root",
      entry: join(actionsDir, "_shared", "src", "root-action.ts"),
      outfile: join(root, "dist", "index.js"),
      budget: 400_000,
      qlikFacing: false,
    },
  ];
}

const UNDICI_ENTRY = join(import.meta.dirname, "undici.mjs");
const requireFromRoot = createRequire(join(root, "package.json"));

/** The one undici every bundle uses: the root install (npm `overrides` keeps the toolkit on it too). */
export function undiciRoot(): string {
  return dirname(requireFromRoot.resolve("undici/package.json"));
}

/** Names a CommonJS file reads from `require("undici")` (`const u = require("undici"); u.X`). */
function commonJsUndiciNames(source: string): string[] | undefined {
  const names = new Set<string>();
  let found = false;
  for (const m of source.matchAll(/(?:const|let|var)\s+([\w$]+)\s*=\s*require\(\s*["']undici["']\s*\)/g)) {
    found = true;
    const escaped = m[1].replace(/\$/g, "\\$");
    for (const use of source.matchAll(new RegExp(`\\b${escaped}\\.([\\w$]+)`, "g"))) names.add(use[1]);
  }
  for (const m of source.matchAll(/\{([^}]*)\}\s*=\s*require\(\s*["']undici["']\s*\)/g)) {
    found = true;
    for (const part of m[1].split(",")) if (part.trim()) names.add(part.split(":")[0].trim());
  }
  return found ? [...names].sort() : undefined;
}

function exportedNames(file: string): Set<string> {
  const text = readFileSync(file, "utf8");
  return new Set([...text.matchAll(/export \{ (?:default as |)(\w+) \}/g)].map((m) => m[1]));
}

/**
 * Routes every `undici` import to scripts/bundle/undici.mjs, which imports only the modules the
 * bundled code uses from the one root copy of undici. Fails the build when an importer would get
 * another copy (a second major) or asks for a name the entry does not export.
 */
export function oneUndiciPlugin(): Plugin {
  return {
    name: "one-undici",
    setup(b) {
      const undici = undiciRoot();
      const exported = exportedNames(UNDICI_ENTRY);
      b.onResolve({ filter: /^undici$/ }, (args) => {
        const own = dirname(createRequire(args.importer).resolve("undici/package.json"));
        const where = relative(root, args.importer);
        if (own !== undici) {
          return {
            errors: [
              {
                text: `${where} resolves undici to ${relative(root, own)}, not ${relative(root, undici)}: keep one undici (package.json "overrides").`,
              },
            ],
          };
        }
        const cjs = /\.(c?js)$/.test(args.importer)
          ? commonJsUndiciNames(readFileSync(args.importer, "utf8"))
          : undefined;
        const missing = (cjs ?? []).filter((n) => !exported.has(n));
        if (missing.length > 0) {
          return {
            errors: [
              {
                text: `${where} uses undici's ${missing.join(", ")}, which scripts/bundle/undici.mjs does not export: add ${missing.length > 1 ? "them" : "it"} there.`,
              },
            ],
          };
        }
        // Free of side effects as a whole: dropped when the importer's use of undici is tree-shaken away.
        return { path: UNDICI_ENTRY, sideEffects: false };
      });
      // The entry's own imports: real files of the root undici, droppable when their export is unused.
      b.onResolve({ filter: /^undici\/lib\// }, (args) =>
        args.importer === UNDICI_ENTRY
          ? { path: join(undici, args.path.slice("undici/".length)), sideEffects: false }
          : undefined,
      );
    },
  };
}

export function bundleOptions(target: BundleTarget): BuildOptions {
  return {
    entryPoints: [target.entry],
    outfile: target.outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    charset: "utf8",
    legalComments: "none",
    sourcemap: false,
    // Whitespace only: names stay as written, so messages and class names are unchanged. The readable
    // source is in git and check-dist proves each bundle is built from it; a third of every bundle was
    // indentation (Qlik's engine schema in @qlik/api alone is 540 kB printed).
    minifyWhitespace: true,
    logLevel: "warning",
    metafile: true,
    // undici's switch for bundled builds (Node's own copy of undici is built this way): leaves out the
    // experimental Milo HTTP/1 parser, which is only used when UNDICI_USE_MILO=1, and keeps llhttp.
    define: { esbuildDetection: "1" },
    plugins: [oneUndiciPlugin()],
    // Some CommonJS dependencies call require() for Node built-ins; ESM output needs a real require.
    banner: {
      js: 'import { createRequire as __cicdCreateRequire } from "node:module"; const require = __cicdCreateRequire(import.meta.url);',
    },
  };
}

/** Builds one target in memory (nothing written) and returns its metafile. */
export async function analyse(target: BundleTarget): Promise<{ bytes: number; metafile: Metafile }> {
  const result = await build({ ...bundleOptions(target), write: false, logLevel: "silent" });
  const output = result.outputFiles![0];
  return { bytes: output.contents.byteLength, metafile: result.metafile! };
}

/** `node_modules/@qlik/api/chunks/x.js` → `@qlik/api`; workspace files → their folder (`packages/delivery`). */
export function packageOf(input: string): string {
  const parts = input.split("/");
  const last = parts.lastIndexOf("node_modules");
  if (last >= 0) {
    const name = parts[last + 1].startsWith("@") ? parts.slice(last + 1, last + 3) : [parts[last + 1]];
    return [...parts.slice(0, last), "node_modules", ...name].join("/").replace(/^(\.\.\/)+/, "");
  }
  return parts.slice(0, 2).join("/");
}

/** Bytes each package contributes to the output, largest first. */
export function bytesByPackage(metafile: Metafile): [string, number][] {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, info] of Object.entries(output.inputs)) {
      const key = packageOf(input);
      sizes.set(key, (sizes.get(key) ?? 0) + info.bytesInOutput);
    }
  }
  return [...sizes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}
