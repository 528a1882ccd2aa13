/**
 * The in-memory model of an app's content: what the files in an unbuilt app folder hold, parsed.
 * An `AppTree` is always canonical (see canonical.ts), so two trees with equal content serialise to
 * byte-identical files.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A data connection as kept in `connections.yml`: never any credentials. */
export interface AppConnection {
  name: string;
  type: string;
  connectionString: string;
}

/** A generic object with its children, as GetFullPropertyTree returns it. */
export interface ObjectEntry {
  qProperty: JsonObject;
  qChildren: ObjectEntry[];
}

/**
 * The content of an app. A kind that is `undefined` is not managed by the files (its file is absent,
 * e.g. a qlik-cli tree without bookmarks): build leaves it alone and diff ignores it.
 */
export interface AppTreeContent {
  appProperties?: JsonObject;
  script?: string;
  connections?: AppConnection[];
  dimensions?: JsonObject[];
  measures?: JsonObject[];
  variables?: JsonObject[];
  bookmarks?: JsonObject[];
  /** Top-level generic objects (sheets, master visualizations, stories, …) with their children. */
  objects?: ObjectEntry[];
}

export type EntityKind = "dimension" | "measure" | "variable" | "bookmark";

/** Well-known file names of the layout (qlik-cli `app unbuild` compatible, plus bookmarks). */
export const FILES = {
  config: "config.yml",
  script: "script.qvs",
  connections: "connections.yml",
  dimensions: "dimensions.json",
  measures: "measures.json",
  variables: "variables.json",
  bookmarks: "bookmarks.json",
  appProperties: "app-properties.json",
  objectsDir: "objects",
} as const;

/** qInfo.qId / qInfo.qType of a properties object ("" when missing). */
export function infoOf(props: JsonObject | undefined): { id: string; type: string } {
  const info = props?.qInfo;
  if (info && typeof info === "object" && !Array.isArray(info)) {
    return {
      id: typeof info.qId === "string" ? info.qId : "",
      type: typeof info.qType === "string" ? info.qType : "",
    };
  }
  return { id: "", type: "" };
}

/** The title people see: qMetaDef.title, then qMeasure/qDim label, then qName, then the id. */
export function titleOf(props: JsonObject | undefined): string {
  const meta = props?.qMetaDef;
  if (isObject(meta) && typeof meta.title === "string" && meta.title) return meta.title;
  if (props && typeof props.title === "string" && props.title) return props.title;
  if (props && isObject(props.title) && typeof props.title.qStringExpression === "string") {
    return props.title.qStringExpression;
  }
  const measure = props?.qMeasure;
  if (isObject(measure) && typeof measure.qLabel === "string" && measure.qLabel) return measure.qLabel;
  const dim = props?.qDim;
  if (isObject(dim) && Array.isArray(dim.qFieldLabels) && typeof dim.qFieldLabels[0] === "string") {
    if (dim.qFieldLabels[0]) return dim.qFieldLabels[0];
  }
  if (props && typeof props.qName === "string" && props.qName) return props.qName;
  return infoOf(props).id;
}

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
