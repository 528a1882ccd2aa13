/**
 * "Sales Analytics": a realistic demo app — a load script in several sections that reads through a
 * `lib://` data connection, master dimensions/measures/variables, three sheets whose charts are
 * children, an alternate state "Comparison" and a bookmark whose selections (in both states) are on
 * values the script's INLINE tables load. Timestamps are fixed so unbuilt files are stable.
 */
import { emptyAppDocument } from "../model/app-document.ts";
import type { AppDocument, EntityRecord, JsonObject, ObjectRecord } from "../model/app-document.ts";

const CREATED = "2026-01-15T09:00:00.000Z";

const SALES_SCRIPT = `///$tab Main
SET ThousandSep=',';
SET DecimalSep='.';
SET MoneyThousandSep=',';
SET MoneyDecimalSep='.';
SET MoneyFormat='$#,##0.00;-$#,##0.00';
SET TimeFormat='h:mm:ss TT';
SET DateFormat='YYYY-MM-DD';
SET TimestampFormat='YYYY-MM-DD h:mm:ss[.fff] TT';
SET FirstWeekDay=0;
SET BrokenWeeks=0;
SET ReferenceDay=4;
SET FirstMonthOfYear=1;
SET CollationLocale='en-US';
///$tab Customers
Customers:
LOAD
    CustomerID,
    CustomerName,
    Country
FROM [lib://SalesData/customers.csv]
(txt, utf8, embedded labels, delimiter is ',', msq);

Regions:
LOAD * INLINE [
Country, Region
Denmark, Nordics
Finland, Nordics
Norway, Nordics
Sweden, Nordics
France, Western Europe
Germany, Western Europe
Netherlands, Western Europe
Canada, North America
United States, North America
];
///$tab Orders
Orders:
LOAD
    OrderID,
    CustomerID,
    ProductID,
    OrderDate,
    Quantity,
    UnitPrice,
    Quantity * UnitPrice AS Sales
FROM [lib://SalesData/orders.csv]
(txt, utf8, embedded labels, delimiter is ',', msq);
///$tab Products
Products:
LOAD * INLINE [
ProductID, ProductName, Category
1, Trail Runner, Footwear
2, City Sneaker, Footwear
3, Rain Jacket, Apparel
4, Wool Sweater, Apparel
5, Day Pack, Accessories
6, Water Bottle, Accessories
];
///$tab Calendar
Calendar:
LOAD
    OrderDate,
    Year(OrderDate) AS Year,
    Month(OrderDate) AS Month,
    'Q' & Ceil(Month(OrderDate) / 3) AS Quarter
RESIDENT Orders;
`;

/** The seeded bookmark and the selections it holds: values of the INLINE tables above. */
export const SEED_BOOKMARK = {
  id: "bmNordics",
  selections: [
    { field: "Region", values: ["Nordics"] },
    { field: "Category", values: ["Footwear"] },
    { state: "Comparison", field: "Region", values: ["Western Europe"] },
  ],
};

function entity(id: string, type: string, properties: JsonObject, ownerId: string): EntityRecord {
  return {
    id,
    type,
    properties,
    createdDate: CREATED,
    modifiedDate: CREATED,
    ownerId,
    published: false,
    approved: false,
  };
}

function dimension(
  id: string,
  title: string,
  field: string,
  description: string,
  ownerId: string,
): EntityRecord {
  return entity(
    id,
    "dimension",
    {
      qInfo: { qId: id, qType: "dimension" },
      qDim: { qGrouping: "N", qFieldDefs: [field], qFieldLabels: [title], title, coloring: {} },
      qMetaDef: { title, description, tags: ["sales"] },
    },
    ownerId,
  );
}

function measure(
  id: string,
  title: string,
  def: string,
  description: string,
  ownerId: string,
  format?: JsonObject,
): EntityRecord {
  return entity(
    id,
    "measure",
    {
      qInfo: { qId: id, qType: "measure" },
      qMeasure: {
        qLabel: title,
        qDef: def,
        qGrouping: "N",
        qExpressions: [],
        qActiveExpression: 0,
        ...(format ? { qNumFormat: format } : {}),
      },
      qMetaDef: { title, description, tags: ["sales"] },
    },
    ownerId,
  );
}

function variable(
  id: string,
  name: string,
  definition: string,
  comment: string,
  ownerId: string,
): EntityRecord {
  return entity(
    id,
    "variable",
    {
      qInfo: { qId: id, qType: "variable" },
      qName: name,
      qDefinition: definition,
      qComment: comment,
      qMetaDef: {},
      qIncludeInBookmark: false,
    },
    ownerId,
  );
}

function hyperCube(dimensionIds: string[], measureIds: string[], rows = 50): JsonObject {
  const width = dimensionIds.length + measureIds.length;
  return {
    qDimensions: dimensionIds.map((d) => ({
      qLibraryId: d,
      qDef: {
        qGrouping: "N",
        qFieldDefs: [],
        qFieldLabels: [],
        qSortCriterias: [{ qSortByAscii: 1, qSortByNumeric: 1 }],
      },
      qNullSuppression: false,
    })),
    qMeasures: measureIds.map((m) => ({
      qLibraryId: m,
      qDef: { qLabel: "", qDef: "" },
      qSortBy: { qSortByNumeric: -1 },
    })),
    qInterColumnSortOrder: Array.from({ length: width }, (_, i) => i),
    qSuppressZero: false,
    qSuppressMissing: true,
    qInitialDataFetch: [
      { qLeft: 0, qTop: 0, qWidth: width, qHeight: Math.min(rows, Math.floor(10000 / Math.max(1, width))) },
    ],
    qMode: "S",
  };
}

function chart(
  id: string,
  type: string,
  title: string,
  parentId: string,
  cube: JsonObject,
  ownerId: string,
  extra: JsonObject = {},
): ObjectRecord {
  return {
    id,
    type,
    parentId,
    childIds: [],
    properties: {
      qInfo: { qId: id, qType: type },
      qMetaDef: {},
      visualization: type,
      title,
      subtitle: "",
      footnote: "",
      showTitles: true,
      qHyperCubeDef: cube,
      ...extra,
    },
    createdDate: CREATED,
    modifiedDate: CREATED,
    ownerId,
    published: false,
    approved: false,
  };
}

function sheet(
  id: string,
  title: string,
  description: string,
  rank: number,
  charts: ObjectRecord[],
  ownerId: string,
): ObjectRecord {
  const cells = charts.map((c, i) => ({
    name: c.id,
    type: c.type,
    col: (i % 2) * 12,
    row: Math.floor(i / 2) * 6,
    colspan: 12,
    rowspan: 6,
    bounds: { x: (i % 2) * 50, y: Math.floor(i / 2) * 50, width: 50, height: 50 },
  }));
  for (const c of charts) c.parentId = id;
  return {
    id,
    type: "sheet",
    parentId: null,
    childIds: charts.map((c) => c.id),
    properties: {
      qInfo: { qId: id, qType: "sheet" },
      qMetaDef: { title, description },
      rank,
      thumbnail: { qStaticContentUrlDef: {} },
      columns: 24,
      rows: 12,
      cells,
      qChildListDef: { qData: { title: "/title" } },
    },
    createdDate: CREATED,
    modifiedDate: CREATED,
    ownerId,
    published: false,
    approved: false,
  };
}

/** Builds the Sales Analytics document under `appId`, owned by `ownerId`. */
export function salesAnalyticsDocument(appId: string, ownerId: string): AppDocument {
  const doc = emptyAppDocument(appId, "Sales Analytics");
  doc.script = SALES_SCRIPT;
  doc.appProperties = {
    qTitle: "Sales Analytics",
    description: "Sales by region, product and month, for the sales leadership team.",
    qThumbnail: { qUrl: "" },
    theme: "sense",
    sheetTitleBgColor: "#f2f2f2",
    sheetTitleGradientColor: "#f2f2f2",
    sheetTitleColor: "#404040",
    qHasSectionAccess: false,
  };
  doc.connections.set("c7a4e2d0-5b1f-4c8e-9d3a-2f6b8e1a4c07", {
    id: "c7a4e2d0-5b1f-4c8e-9d3a-2f6b8e1a4c07",
    name: "SalesData",
    connectionString: 'CUSTOM CONNECT TO "provider=qix-datafiles.exe;path=/sales;"',
    type: "qix-datafiles.exe",
    createdDate: CREATED,
    modifiedDate: CREATED,
  });

  const dims = [
    dimension("dRegion", "Region", "Region", "Sales region of the customer", ownerId),
    dimension("dCategory", "Product category", "Category", "Product category", ownerId),
    dimension("dCustomer", "Customer", "CustomerName", "Customer name", ownerId),
    dimension("dMonth", "Month", "Month", "Order month", ownerId),
  ];
  for (const d of dims) doc.dimensions.set(d.id, d);

  const money: JsonObject = {
    qType: "M",
    qnDec: 2,
    qUseThou: 1,
    qFmt: "$#,##0.00;-$#,##0.00",
    qDec: ".",
    qThou: ",",
  };
  const meas = [
    measure("mSales", "Total sales", "Sum(Sales)", "Sum of order line sales", ownerId, money),
    measure("mOrders", "Orders", "Count(DISTINCT OrderID)", "Number of distinct orders", ownerId),
    measure(
      "mAvgOrder",
      "Average order value",
      "Sum(Sales) / Count(DISTINCT OrderID)",
      "Sales per order",
      ownerId,
      money,
    ),
    measure(
      "mVsTarget",
      "Sales vs target",
      "Sum(Sales) / vSalesTarget",
      "Share of the yearly sales target",
      ownerId,
    ),
  ];
  for (const m of meas) doc.measures.set(m.id, m);

  const vars = [
    variable("vSalesTarget", "vSalesTarget", "2500000", "Yearly sales target (USD)", ownerId),
    variable("vCurrentYear", "vCurrentYear", "=Year(Today())", "Year used by the KPIs", ownerId),
    variable("vTopN", "vTopN", "10", "Number of customers in the top list", ownerId),
  ];
  for (const v of vars) doc.variables.set(v.id, v);

  const overviewCharts = [
    chart("kpiSales", "kpi", "Total sales", "", hyperCube([], ["mSales"]), ownerId),
    chart("kpiOrders", "kpi", "Orders", "", hyperCube([], ["mOrders"]), ownerId),
    chart("barRegion", "barchart", "Sales by region", "", hyperCube(["dRegion"], ["mSales"]), ownerId, {
      orientation: "vertical",
    }),
  ];
  const regionCharts = [
    chart(
      "mapRegion",
      "barchart",
      "Average order value by region",
      "",
      hyperCube(["dRegion"], ["mAvgOrder"]),
      ownerId,
    ),
    chart(
      "tblCustomers",
      "table",
      "Top customers",
      "",
      hyperCube(["dCustomer", "dRegion"], ["mSales", "mOrders"]),
      ownerId,
    ),
  ];
  const productCharts = [
    chart("pieCategory", "piechart", "Sales by category", "", hyperCube(["dCategory"], ["mSales"]), ownerId),
    chart("lineMonth", "linechart", "Sales by month", "", hyperCube(["dMonth"], ["mSales"]), ownerId),
    chart("gaugeTarget", "gauge", "Sales vs target", "", hyperCube([], ["mVsTarget"]), ownerId),
  ];
  const sheets = [
    sheet("shOverview", "Overview", "Key figures at a glance", 0, overviewCharts, ownerId),
    sheet("shRegions", "Regional performance", "Sales and customers by region", 1, regionCharts, ownerId),
    sheet("shProducts", "Product analysis", "Categories and trend", 2, productCharts, ownerId),
  ];
  for (const s of sheets) doc.objects.set(s.id, s);
  for (const c of [...overviewCharts, ...regionCharts, ...productCharts]) doc.objects.set(c.id, c);

  doc.alternateStates = ["Comparison"];
  // The bookmark's selections are captured once the seed has reloaded the app (see seedBookmarkSelections).
  const bm = entity(
    SEED_BOOKMARK.id,
    "bookmark",
    {
      qInfo: { qId: SEED_BOOKMARK.id, qType: "bookmark" },
      qMetaDef: {
        title: "Nordic footwear",
        description: "Footwear in the Nordics, compared with Western Europe",
      },
      creationDate: CREATED,
      sheetId: "shRegions",
      selectionFields: "Region, Category",
    },
    ownerId,
  );
  doc.bookmarks.set(bm.id, bm);
  return doc;
}
