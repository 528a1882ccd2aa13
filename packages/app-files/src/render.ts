/** Serialises canonical app content to files: deterministic paths and bytes. */
import { canonicalJson } from "@qlik-cicd/common";
import YAML from "yaml";
import { objectFileStem, uniqueStems } from "./naming.ts";
import { FILES, infoOf, titleOf, type AppTreeContent, type JsonObject, type JsonValue } from "./types.ts";

export interface RenderedFile {
  /** Relative, `/`-separated. */
  path: string;
  text: string;
  parsed: JsonValue;
}

function yamlText(value: JsonValue): string {
  const text = YAML.stringify(value, { sortMapEntries: true, lineWidth: 0, indent: 2 });
  return text.endsWith("\n") ? text : `${text}\n`;
}

/** File paths of the top-level objects, in the order of `content.objects`. */
function objectFilePaths(content: AppTreeContent): string[] {
  const objects = content.objects ?? [];
  const stems = uniqueStems(
    objects.map((o) => {
      const { id, type } = infoOf(o.qProperty);
      return objectFileStem(type, titleOf(o.qProperty), id);
    }),
  );
  return stems.map((stem) => `${FILES.objectsDir}/${stem}.json`);
}

/** `content` must be canonical (see canonicalizeContent). */
export function renderFiles(content: AppTreeContent): RenderedFile[] {
  const files: RenderedFile[] = [];
  const config: JsonObject = {};
  const json = (path: string, value: JsonValue) => {
    files.push({ path, text: canonicalJson(value), parsed: value });
  };

  if (content.appProperties !== undefined) {
    config["app-properties"] = FILES.appProperties;
    json(FILES.appProperties, content.appProperties);
  }
  if (content.bookmarks !== undefined) {
    config.bookmarks = FILES.bookmarks;
    json(FILES.bookmarks, content.bookmarks);
  }
  if (content.connections !== undefined) {
    config.connections = FILES.connections;
    const map: JsonObject = {};
    for (const c of content.connections) {
      map[c.name] = { connectionstring: c.connectionString, type: c.type };
    }
    const parsed: JsonObject = { connections: map };
    files.push({ path: FILES.connections, text: yamlText(parsed), parsed });
  }
  if (content.dimensions !== undefined) {
    config.dimensions = FILES.dimensions;
    json(FILES.dimensions, content.dimensions);
  }
  if (content.measures !== undefined) {
    config.measures = FILES.measures;
    json(FILES.measures, content.measures);
  }
  if (content.objects !== undefined) {
    config.objects = `${FILES.objectsDir}/*.json`;
    const paths = objectFilePaths(content);
    content.objects.forEach((entry, i) => {
      json(paths[i], { qChildren: entry.qChildren as unknown as JsonValue, qProperty: entry.qProperty });
    });
  }
  if (content.script !== undefined) {
    config.script = FILES.script;
    files.push({ path: FILES.script, text: content.script, parsed: content.script });
  }
  if (content.variables !== undefined) {
    config.variables = FILES.variables;
    json(FILES.variables, content.variables);
  }
  files.push({ path: FILES.config, text: yamlText(config), parsed: config });
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
