// Generic object types of Qlik Sense apps (the `visualization` / `qInfo.qType` values) and how their
// properties link to each other. @qlik/api's QIX types describe generic properties, not the client's
// visualizations, so these facts are kept here once, each with where it comes from. "Seen in the
// corpus" means the Qlik-published qlik-cli trees under test/corpus/apps (see test/corpus/SOURCES.md).

/**
 * Objects that show text they carry themselves, so they need no title: "Text & image" (`text-image`)
 * and its successor "Text" (`sn-text`) (Qlik Cloud help, "Visualizations":
 * https://help.qlik.com/en-US/cloud-services/Subsystems/Hub/Content/Sense_Hub/Visualizations/visualizations.htm;
 * both seen in the corpus, `sn-text` in the newer trees).
 */
export const TEXT_VISUALIZATIONS = ["text-image", "sn-text"] as const;

/**
 * Objects whose own content names what they show: filter panes and list boxes (the field name heads
 * each list), buttons (their label) and sheets (title in `qMetaDef`). Same help page as above.
 */
export const SELF_LABELLED_VISUALIZATIONS = ["filterpane", "listbox", "action-button", "sheet"] as const;

/**
 * Value displays that label their value with the measure's label unless told not to (KPI:
 * `showMeasureTitle`, default true; Qlik Cloud help, "KPI":
 * https://help.qlik.com/en-US/cloud-services/Subsystems/Hub/Content/Sense_Hub/Visualizations/Kpi/kpi.htm).
 * The Multi KPI (`qlik-multi-kpi`, Dashboard bundle) labels each value with its dimension value.
 */
export const MEASURE_LABELLED_VISUALIZATIONS = ["kpi"] as const;
export const VALUE_LABELLED_VISUALIZATIONS = ["qlik-multi-kpi"] as const;

/**
 * Containers that name each child in their own properties: `list` holds `{ [ref], label }` entries and
 * the child object carries the same value in `childKey`.
 * - A tabbed `container` lists `children: [{ refId, label }]`, the child's `containerChildId` equals
 *   `refId`, and the label is the child's tab (Qlik Cloud help, "Container":
 *   https://help.qlik.com/en-US/cloud-services/Subsystems/Hub/Content/Sense_Hub/Visualizations/Container/container.htm).
 * - A layout container (`sn-layout-container`) places its children freely and lists them in
 *   `objects: [{ childRefId, label }]`, the child carrying the same `childRefId`; the label names the
 *   object in the container (Qlik Cloud help, "Layout container":
 *   https://help.qlik.com/en-US/cloud-services/Subsystems/Hub/Content/Sense_Hub/Visualizations/LayoutContainer/layout-container.htm).
 *   Until the author writes one it is the type's default name (see DEFAULT_LABELS).
 * Both seen in the corpus.
 */
export const CONTAINER_CHILD_LABELS = [
  { visualization: "container", list: "children", ref: "refId", childKey: "containerChildId" },
  { visualization: "sn-layout-container", list: "objects", ref: "childRefId", childKey: "childRefId" },
] as const;
export const CONTAINER_VISUALIZATIONS = CONTAINER_CHILD_LABELS.map((c) => c.visualization);

/**
 * The names Qlik gives new objects of each type (the English names of the chart types in Qlik Cloud
 * help, "Visualizations", link above); a container label that is still this name was not written by
 * the author (the corpus has "Line chart", "Gauge", "Combo chart" and "Pivot table" labels).
 */
export const DEFAULT_LABELS: Readonly<Record<string, string>> = {
  barchart: "Bar chart",
  boxplot: "Box plot",
  combochart: "Combo chart",
  distributionplot: "Distribution plot",
  gauge: "Gauge",
  histogram: "Histogram",
  kpi: "KPI",
  linechart: "Line chart",
  map: "Map",
  mekkochart: "Mekko chart",
  piechart: "Pie chart",
  "pivot-table": "Pivot table",
  scatterplot: "Scatter plot",
  "sn-grid-chart": "Grid chart",
  "sn-pivot-table": "Pivot table",
  "sn-table": "Table",
  table: "Table",
  treemap: "Treemap",
  waterfallchart: "Waterfall chart",
};

/**
 * Keys whose objects are templates, not data: in `qChildListDef.qData` every value is a JSON pointer
 * into each child's properties (e.g. `"qExtendsId": "/qExtendsId"`), read back in the layout's
 * `qChildList` (QIX `ChildListDef.qData`, "Data that you want to include in the child list
 * definition", @qlik/api qix types / enigma-go schema; seen in every container of the corpus).
 */
export const TEMPLATE_PATHS = [["qChildListDef", "qData"]] as const;

/**
 * Which kind of master item a `qLibraryId` names, by the nearest enclosing key (QIX: `NxDimension` and
 * `NxMeasure` carry `qLibraryId` for a master dimension / measure; `qAttributeExpressions` are
 * `NxAttrExprDef` — measures, also inside a dimension; `qAttributeDimensions` are `NxAttrDimDef` —
 * dimensions; `NxMiniChartDef.qLibraryId` names the mini chart's dimension, also inside a measure;
 * `qListObjectDef` is a list of one field, a dimension). @qlik/api qix types; all seen in the corpus.
 */
export const LIBRARY_ID_KINDS = {
  qDimensions: "dimension",
  qMeasures: "measure",
  qListObjectDef: "dimension",
  qAttributeExpressions: "measure",
  qAttributeDimensions: "dimension",
  qMiniChartDef: "dimension",
} as const satisfies Record<string, "dimension" | "measure">;
export type LibraryItemKind = (typeof LIBRARY_ID_KINDS)[keyof typeof LIBRARY_ID_KINDS];

/** The master item kind a `qLibraryId` at `path` (the keys down to the object holding it) names. */
export function libraryIdKind(path: readonly (string | number)[]): LibraryItemKind | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    const key = path[i];
    if (typeof key === "string" && Object.hasOwn(LIBRARY_ID_KINDS, key)) {
      return LIBRARY_ID_KINDS[key as keyof typeof LIBRARY_ID_KINDS];
    }
  }
  return undefined;
}

/** True when `path` lies inside a template (see TEMPLATE_PATHS). */
export function isTemplatePath(path: readonly (string | number)[]): boolean {
  return TEMPLATE_PATHS.some((template) =>
    path.some((_, i) => template.every((key, k) => path[i + k] === key)),
  );
}
