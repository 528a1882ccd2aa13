// Where Qlik's own descriptions are wrong, incomplete or older than @qlik/api's types: recorded once,
// here, with the reason. The contract test fails on any finding not listed, and on an entry that no
// longer matches anything (so a fixed reference or a fixed simulator removes its entry).
import type { ContractException } from "./findings.ts";
import type { ResponseSchemaOverride } from "./rest-contract.ts";

/**
 * How the descriptions are read. These are conventions of Qlik's documents rather than single mistakes;
 * the code that applies them is named.
 */
export const READING_RULES: readonly { rule: string; reason: string }[] = [
  {
    rule: "REST: a `oneOf` whose members carry only `title` and `x-qlik-const` is the enum of the titles (schemas.ts readQlikSchema).",
    reason:
      "Qlik writes enums this way (apps PublishData, UsageEnum); @qlik/api's types read them as string unions ('source' | 'target').",
  },
  {
    rule: "REST and QIX: any other `oneOf` is read as `anyOf` (schemas.ts readQlikSchema).",
    reason:
      "Qlik's alternatives overlap: the admin and the user OAuth client list items, identity providers whose discriminator `protocol` lives in a shared base without a mapping. As written, no response could match exactly one.",
  },
  {
    rule: "QIX: `additionalProperties: {anyOf: [{name, schema}]}` names dynamic definitions (qHyperCubeDef …); read as named properties (qix-contract.ts readNamedAdditionalProperties).",
    reason:
      "The engine description lists the definitions a generic object may carry this way; as JSON Schema it would demand that every dynamic property be an object.",
  },
  {
    rule: "QIX: keys that start with `q` and a capital are engine properties and must be described; other keys are dynamic properties (qix-contract.ts isEngineProperty).",
    reason:
      "The engine stores any other key of a generic object's, bookmark's, dimension's or measure's properties without interpreting it (titles, visualization settings); @qlik/api types generic object properties as open records.",
  },
  {
    rule: "REST: of the response headers, only a described Location is required to be present (rest-contract.ts).",
    reason:
      "It carries the response's meaning (the /me redirects, the 201 of an export); the others (trace ids, Content-Length) describe transport.",
  },
  {
    rule: "Formats (uuid, date-time, url) are not checked.",
    reason:
      "Simulated ids are hexadecimal, not GUIDs; the product treats every id as an opaque string, as Qlik asks.",
  },
];

export const RESPONSE_SCHEMA_OVERRIDES: readonly ResponseSchemaOverride[] = [
  {
    subject: "GET /api/v1/items/{itemId}/publisheditems",
    status: "200",
    schema: "/components/schemas/itemsResultResponseBody",
    reason:
      "Both the items OpenAPI and @qlik/api 2.19 (GetPublishedItemsHttpResponse) give this operation the collections list schema (ItemsListItemCollectionsResponseBody); it lists the published copies of an item, which are items: checked against the items list schema instead.",
  },
];

export const EXCEPTIONS: readonly ContractException[] = [
  {
    rule: "endpoint-undescribed",
    subject: "POST /api/v1/automations/{id}/actions/execute",
    reason:
      "The trigger URL of an automation in triggered run mode (header X-Execution-Token, synchronous unless asked for async) is documented on Qlik Help, not in the automations OpenAPI nor in @qlik/api.",
  },
  {
    rule: "response-field-undescribed",
    subject: /^(POST|PUT) \/api\/v1\/apps(\/\{appId\}\/publish|\/import)?$/,
    detail: /^status 20\d body \/attributes\/(_resourcetype|spaceId)$/,
    reason:
      "Real app responses carry attributes._resourcetype and attributes.spaceId (qlik.dev tutorial 'Deploy Tabular Reports', import response example); neither the OpenAPI nor @qlik/api's NxAttributes lists them. The product does not read them.",
  },
  {
    rule: "response-invalid",
    subject: /^GET \/api\/v1\/items(\/\{itemId\}\/publisheditems)?$/,
    detail: /^status 200 body \/data\/\d+\/resourceCustomAttributes must be object$/,
    reason:
      "Real items answer resourceCustomAttributes: null (qlik.dev tutorial 'Create data files', item list example); the description makes it a required, non-nullable object.",
  },
  {
    rule: "response-invalid",
    subject: "GET /api/v1/items",
    detail: /^status 200 body \/data\/\d+ lacks required 'actions'$/,
    reason:
      "The product lists items with noActions=true; the items OpenAPI and @qlik/api 2.19 (GetItemsQuery.noActions) describe that parameter as leaving the actions array out of the response, while the item schema keeps actions required.",
  },
  {
    rule: "response-field-undescribed",
    subject: "POST /oauth/token",
    detail: /^status 200 body \/expires_in$/,
    reason:
      "Qlik's token responses carry expires_in next to expires_at (qlik.dev 'Get started with organization APIs', token response example); the OAuth description lists only expires_at.",
  },
  {
    rule: "response-invalid",
    subject: "POST /oauth/token",
    detail: /^status 200 body \/token_type must be one of \["bearer"\]$/,
    reason:
      "The same qlik.dev example answers token_type 'Bearer'; the description's enum has only lower-case 'bearer' (OAuth 2.0 makes the value case-insensitive).",
  },
  {
    rule: "response-invalid",
    subject: /^(GET|POST) \/api\/v1\/oauth-clients$/,
    detail: /^status 20\d body \/(data\/\d+)? ?(lacks required 'ownerId'|must match a schema in anyOf)$/,
    reason:
      "OAuthClientBase lists ownerId as required but never defines it, and @qlik/api's OAuth client types have no ownerId: a field the description itself does not describe cannot be returned without failing the undescribed-field check (the list's anyOf fails for the same reason).",
  },
  {
    rule: "response-invalid",
    subject: /^(GET|POST) \/api\/v1\/reload-tasks$/,
    detail: /^status 20\d body \/(data\/\d+)? lacks required 'jobId'$/,
    reason:
      "The reload-tasks description lists jobId as required in Task but never defines it, and @qlik/api's Task type has no jobId: a field the description itself does not describe cannot be returned without failing the undescribed-field check.",
  },
  {
    rule: "qix-result-invalid",
    subject: "GenericObject.GetFullPropertyTree",
    detail: /qEmbeddedSnapshotRef must be object$/,
    reason:
      "For entries without an embedded snapshot the simulator answers qEmbeddedSnapshotRef: null, as the property trees people copy from real engines show (public SetFullPropertyTree payloads carry it); the description types it as a non-nullable object and @qlik/api as optional. Not verified against a live engine; the product drops the key either way (app-files canonical form).",
  },
];

/**
 * Product or simulator defects another piece of work fixes; listed so this branch stays green until it
 * lands. Each stops matching once fixed, and the stale-entry check then asks for its removal.
 */
export const KNOWN_DEFECTS: readonly ContractException[] = [];
