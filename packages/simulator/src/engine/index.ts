/**
 * The simulator's QIX engine and load script simulation.
 *
 * - `createQixEngine()` → `handleConnection(ws, session)`: serve one upgraded `/app/{appId}` WebSocket.
 *   The session is bound to one app; `OpenDoc` must name that app (`GetActiveDoc` works right away, as
 *   on Qlik Cloud). Every persistent change bumps `app.revision` and calls `session.onChange()` once per
 *   request; `DoSave` sets `savedRevision = revision` and calls `onChange()` too.
 * - `runLoadScript(doc)`: the reload simulation shared by QIX `DoReload` and the REST reloads endpoint.
 *   It never mutates `doc`; apply `tables`/`scriptVariables` (and a reload time) only when `ok`.
 *
 * Selections (selections.ts) live in the session, per state ("$" and the app's alternate states):
 * Doc.GetField → Field.SelectValues/Select/SelectAll/Clear/Lock, Doc.ClearAll. Field values come from
 * the last reload's data model (INLINE loads and what resident loads derive from them). Associations
 * between fields are not simulated. Doc.CreateBookmark(Ex) captures the selections (and variables with
 * qIncludeVariables) into the bookmark's layout (`qBookmark`); Apply/ApplyBookmark restore them.
 *
 * Permission rule: when the app is a published copy (`appRecord.published`), only the app owner
 * (`principal.userId === appRecord.ownerId`) may change it. Everyone else gets engine error 5 "Access
 * denied" for every persistent write (SetScript, SetAppProperties, connections, Create… and Destroy… methods,
 * SetProperties, SetFullPropertyTree, children, Publish/Approve, DoReload, DoSave). Reads and session
 * objects are unaffected.
 */
export { createQixEngine } from "./engine.ts";
export { runLoadScript, simulatedRowCount } from "./load-script.ts";
export { bookmarkStateFor } from "./selections.ts";
