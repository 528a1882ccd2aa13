/**
 * TEST DOUBLE — an in-memory stand-in for the few @qlik/api qix Doc methods app-files uses, for unit
 * tests of unbuild/build ordering and idempotence only. It is NOT a QIX engine: integration tests use
 * the simulator (roundtrip-sim.test.ts). Every call is recorded; mutating calls also in `writes`.
 * Responses resolve on a later macrotask, so tests can observe how many calls were in flight at once.
 */
import type {
  QixBookmarkHandle,
  QixConnection,
  QixDoc,
  QixField,
  QixInfo,
  QixObjectHandle,
  QixPropertiesHandle,
  QixVariableHandle,
} from "../../src/doc.ts";
import type { JsonObject } from "../../src/types.ts";

type Props = JsonObject;

interface StoredObject {
  props: Props;
  parentId: string | null;
  childIds: string[];
}

const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));
const idOf = (p: Props): string => ((p.qInfo as JsonObject | undefined)?.qId as string | undefined) ?? "";
const typeOf = (p: Props): string => ((p.qInfo as JsonObject | undefined)?.qType as string | undefined) ?? "";

export class FakeQixDoc implements QixDoc {
  script = "///$tab Main\nLOAD 1 AS x AUTOGENERATE 1;\n";
  appProperties: Props = { qTitle: "Fake app" };
  connections = new Map<string, Required<QixConnection>>();
  dimensions = new Map<string, Props>();
  measures = new Map<string, Props>();
  variables = new Map<string, Props>();
  bookmarks = new Map<string, Props>();
  objects = new Map<string, StoredObject>();
  /** Variables a reload's SET/LET would create; listed as script-created. */
  scriptVariables = new Map<string, string>();
  /** Alternate states (AddAlternateState); the fake has no data, so no field can be selected. */
  alternateStates: string[] = [];
  reloadSucceeds = true;
  reloads = 0;
  saves = 0;
  readonly calls: string[] = [];
  readonly writes: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  #seq = 0;
  #sessionDefs = new Map<string, Props>();

  async #call<T>(name: string, write: boolean, fn: () => T): Promise<T> {
    this.calls.push(name);
    if (write) this.writes.push(name);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setImmediate(r));
    this.inFlight--;
    return fn();
  }

  #newId(): string {
    this.#seq += 1;
    return `gen${this.#seq}`;
  }

  #entityHandle(map: Map<string, Props>, kind: string, id: string): QixPropertiesHandle {
    return {
      getProperties: () =>
        this.#call(`get${kind}Properties:${id}`, false, () => clone(map.get(id)) as unknown),
      setProperties: (props: object) =>
        this.#call(`set${kind}Properties:${id}`, true, () => {
          if (!map.has(id)) throw new Error(`${kind} ${id} does not exist`);
          map.set(id, { ...clone(props as Props), qInfo: { qId: id, qType: typeOf(props as Props) } });
        }),
    };
  }

  #createEntity(map: Map<string, Props>, kind: string, props: object): string {
    const p = clone(props as Props);
    const id = idOf(p) || this.#newId();
    if (map.has(id)) throw new Error(`${kind} ${id} already exists`);
    map.set(id, { ...p, qInfo: { qId: id, qType: typeOf(p) || kind.toLowerCase() } });
    return id;
  }

  getAllInfos(): Promise<QixInfo[]> {
    return this.#call("getAllInfos", false, () => [
      ...[...this.dimensions.keys()].map((qId) => ({ qId, qType: "dimension" })),
      ...[...this.measures.keys()].map((qId) => ({ qId, qType: "measure" })),
      ...[...this.variables.keys()].map((qId) => ({ qId, qType: "variable" })),
      ...[...this.bookmarks.keys()].map((qId) => ({ qId, qType: "bookmark" })),
      ...[...this.objects].map(([qId, o]) => ({ qId, qType: typeOf(o.props) })),
    ]);
  }
  getScript(): Promise<string> {
    return this.#call("getScript", false, () => this.script);
  }
  setScript(script: string): Promise<void> {
    return this.#call("setScript", true, () => {
      this.script = script;
    });
  }
  getAppProperties(): Promise<unknown> {
    // Like the engine, report volatile state along with the design properties.
    return this.#call("getAppProperties", false, () => ({
      ...clone(this.appProperties),
      qLastReloadTime: `2026-01-0${(this.reloads % 9) + 1}T00:00:00.000Z`,
      qHasScript: true,
      qSavedInProductVersion: "14.0.0",
    }));
  }
  setAppProperties(props: object): Promise<void> {
    return this.#call("setAppProperties", true, () => {
      this.appProperties = clone(props as Props);
    });
  }

  getConnections(): Promise<QixConnection[]> {
    return this.#call("getConnections", false, () => [...this.connections.values()].map(clone));
  }
  createConnection(c: QixConnection): Promise<string> {
    return this.#call(`createConnection:${c.qName}`, true, () => {
      const id = this.#newId();
      this.connections.set(id, {
        qId: id,
        qName: c.qName ?? "",
        qConnectionString: c.qConnectionString ?? "",
        qType: c.qType ?? "",
      });
      return id;
    });
  }
  modifyConnection(id: string, c: QixConnection): Promise<void> {
    return this.#call(`modifyConnection:${c.qName}`, true, () => {
      if (!this.connections.has(id)) throw new Error(`connection ${id} does not exist`);
      this.connections.set(id, {
        qId: id,
        qName: c.qName ?? "",
        qConnectionString: c.qConnectionString ?? "",
        qType: c.qType ?? "",
      });
    });
  }

  getDimension(id: string): Promise<QixPropertiesHandle> {
    return this.#call(`getDimension:${id}`, false, () =>
      this.#entityHandle(this.dimensions, "Dimension", id),
    );
  }
  createDimension(props: object): Promise<unknown> {
    return this.#call(`createDimension:${idOf(props as Props)}`, true, () =>
      this.#createEntity(this.dimensions, "Dimension", props),
    );
  }
  destroyDimension(id: string): Promise<boolean> {
    return this.#call(`destroyDimension:${id}`, true, () => this.dimensions.delete(id));
  }
  getMeasure(id: string): Promise<QixPropertiesHandle> {
    return this.#call(`getMeasure:${id}`, false, () => this.#entityHandle(this.measures, "Measure", id));
  }
  createMeasure(props: object): Promise<unknown> {
    return this.#call(`createMeasure:${idOf(props as Props)}`, true, () =>
      this.#createEntity(this.measures, "Measure", props),
    );
  }
  destroyMeasure(id: string): Promise<boolean> {
    return this.#call(`destroyMeasure:${id}`, true, () => this.measures.delete(id));
  }
  getVariableById(id: string): Promise<QixPropertiesHandle> {
    return this.#call(`getVariableById:${id}`, false, () =>
      this.#entityHandle(this.variables, "Variable", id),
    );
  }
  getVariableByName(name: string): Promise<QixVariableHandle> {
    return this.#call(`getVariableByName:${name}`, false, () => {
      const id = [...this.variables].find(([, p]) => p.qName === name)?.[0] ?? "";
      const handle = this.#entityHandle(this.variables, "Variable", id);
      return {
        ...handle,
        getLayout: () => this.#call(`getVariableLayout:${id}`, false, () => ({ qIsScriptCreated: false })),
        setStringValue: (value: string) =>
          this.#call(`setVariableValue:${id}`, true, () => {
            this.variables.set(id, { ...this.variables.get(id)!, qDefinition: value });
          }),
      };
    });
  }
  createVariableEx(props: object): Promise<unknown> {
    return this.#call(`createVariableEx:${(props as Props).qName}`, true, () => {
      const name = (props as Props).qName;
      if ([...this.variables.values()].some((v) => v.qName === name))
        throw new Error(`variable ${name} exists`);
      return this.#createEntity(this.variables, "Variable", {
        ...(props as Props),
        qInfo: { qId: idOf(props as Props), qType: "variable" },
      });
    });
  }
  destroyVariableById(id: string): Promise<boolean> {
    return this.#call(`destroyVariableById:${id}`, true, () => this.variables.delete(id));
  }
  #bookmarkHandle(id: string): QixBookmarkHandle {
    const handle = this.#entityHandle(this.bookmarks, "Bookmark", id);
    // Like the engine: a bookmark's properties carry its creation date; its layout the (empty)
    // selection state captured at creation.
    return {
      ...handle,
      getProperties: async () => ({
        ...((await handle.getProperties()) as Props),
        creationDate: "2026-11-27T10:00:00.000Z",
      }),
      getLayout: () =>
        this.#call(`getBookmarkLayout:${id}`, false, () => ({
          qInfo: { qId: id, qType: "bookmark" },
          qBookmark: { qStateData: [{ qStateName: "$", qFieldItems: [] }], qUtcModifyTime: 46000 },
        })),
    };
  }
  getBookmark(id: string): Promise<QixBookmarkHandle> {
    return this.#call(`getBookmark:${id}`, false, () => this.#bookmarkHandle(id));
  }
  createBookmark(props: object): Promise<QixBookmarkHandle> {
    return this.#call(`createBookmark:${idOf(props as Props)}`, true, () =>
      this.#bookmarkHandle(this.#createEntity(this.bookmarks, "Bookmark", props)),
    );
  }
  getAppLayout(): Promise<unknown> {
    return this.#call("getAppLayout", false, () => ({
      qTitle: this.appProperties.qTitle,
      qStateNames: [...this.alternateStates],
      qHasData: this.reloads > 0,
    }));
  }
  addAlternateState(stateName: string): Promise<void> {
    return this.#call(`addAlternateState:${stateName}`, true, () => {
      if (!this.alternateStates.includes(stateName)) this.alternateStates.push(stateName);
    });
  }
  clearAll(): Promise<void> {
    return this.#call("clearAll", false, () => undefined);
  }
  getField(fieldName: string): Promise<QixField> {
    return this.#call(`getField:${fieldName}`, false, () => {
      throw Object.assign(new Error("Object not found"), { code: 2 });
    });
  }
  destroyBookmark(id: string): Promise<boolean> {
    return this.#call(`destroyBookmark:${id}`, true, () => this.bookmarks.delete(id));
  }

  #objectHandle(id: string): QixObjectHandle {
    return {
      id,
      getProperties: () =>
        this.#call(`getProperties:${id}`, false, () => clone(this.objects.get(id)?.props) as unknown),
      setProperties: (props: object) =>
        this.#call(`setProperties:${id}`, true, () => {
          const o = this.objects.get(id);
          if (!o) throw new Error(`object ${id} does not exist`);
          o.props = clone(props as Props);
        }),
      getLayout: () =>
        this.#call(`getLayout:${id}`, false, () => {
          const def = this.#sessionDefs.get(id);
          if (def?.qVariableListDef) {
            const qItems = [
              ...[...this.variables.values()].map((p) => ({
                qName: p.qName,
                qInfo: { qId: idOf(p), qType: "variable" },
              })),
              ...[...this.scriptVariables.keys()].map((qName) => ({
                qName,
                qIsScriptCreated: true,
                qInfo: { qId: `script-${qName}` },
              })),
            ];
            return { qInfo: { qId: id }, qVariableList: { qItems } };
          }
          if (def?.qBookmarkListDef) {
            return {
              qBookmarkList: {
                qItems: [...this.bookmarks.keys()].map((qId) => ({ qInfo: { qId, qType: "bookmark" } })),
              },
            };
          }
          return { ...clone(this.objects.get(id)?.props), qMeta: { createdDate: "x" } };
        }),
      getChildInfos: () =>
        this.#call(`getChildInfos:${id}`, false, () =>
          (this.objects.get(id)?.childIds ?? []).map((c) => ({
            qId: c,
            qType: typeOf(this.objects.get(c)!.props),
          })),
        ),
      getFullPropertyTree: () => this.#call(`getFullPropertyTree:${id}`, false, () => this.#tree(id)),
      setFullPropertyTree: (entry: object) =>
        this.#call(`setFullPropertyTree:${id}`, true, () =>
          this.#setTree(id, entry as { qProperty: Props; qChildren?: unknown[] }),
        ),
    };
  }

  #tree(id: string): unknown {
    const o = this.objects.get(id)!;
    return {
      qProperty: clone(o.props),
      qChildren: o.childIds.map((c) => this.#tree(c)),
      qEmbeddedSnapshotRef: null,
    };
  }

  #setTree(id: string, entry: { qProperty: Props; qChildren?: unknown[] }): void {
    const o = this.objects.get(id);
    if (!o) throw new Error(`object ${id} does not exist`);
    o.props = clone(entry.qProperty);
    const children = (entry.qChildren ?? []) as { qProperty: Props; qChildren?: unknown[] }[];
    const wanted = new Set(children.map((c) => idOf(c.qProperty)));
    for (const c of o.childIds.filter((c) => !wanted.has(c))) this.#destroy(c);
    o.childIds = o.childIds.filter((c) => wanted.has(c));
    for (const child of children) {
      const cid = idOf(child.qProperty);
      if (!this.objects.has(cid)) {
        this.objects.set(cid, { props: clone(child.qProperty), parentId: id, childIds: [] });
        o.childIds.push(cid);
      } else if (this.objects.get(cid)!.parentId !== id) {
        throw new Error(`object ${cid} already exists elsewhere`);
      }
      this.#setTree(cid, child);
    }
  }

  #destroy(id: string): boolean {
    const o = this.objects.get(id);
    if (!o) return false;
    for (const c of o.childIds) this.#destroy(c);
    this.objects.delete(id);
    if (o.parentId) {
      const p = this.objects.get(o.parentId);
      if (p) p.childIds = p.childIds.filter((c) => c !== id);
    }
    return true;
  }

  getObject(id: string): Promise<QixObjectHandle> {
    return this.#call(`getObject:${id}`, false, () =>
      this.objects.has(id) ? this.#objectHandle(id) : (null as unknown as QixObjectHandle),
    );
  }
  createObject(props: object): Promise<QixObjectHandle> {
    return this.#call(`createObject:${idOf(props as Props)}`, true, () => {
      const p = clone(props as Props);
      const id = idOf(p) || this.#newId();
      if (this.objects.has(id)) throw new Error(`object ${id} already exists`);
      this.objects.set(id, {
        props: { ...p, qInfo: { qId: id, qType: typeOf(p) } },
        parentId: null,
        childIds: [],
      });
      return this.#objectHandle(id);
    });
  }
  destroyObject(id: string): Promise<boolean> {
    return this.#call(`destroyObject:${id}`, true, () => this.#destroy(id));
  }
  createSessionObject(props: object): Promise<QixObjectHandle> {
    return this.#call("createSessionObject", false, () => {
      const id = `session-${this.#newId()}`;
      this.#sessionDefs.set(id, clone(props as Props));
      return this.#objectHandle(id);
    });
  }
  destroySessionObject(id: string): Promise<boolean> {
    return this.#call("destroySessionObject", false, () => this.#sessionDefs.delete(id));
  }
  doReload(): Promise<boolean> {
    return this.#call("doReload", true, () => {
      this.reloads++;
      if (this.reloadSucceeds) this.scriptVariables.set("vReloadStamp", "now");
      return this.reloadSucceeds;
    });
  }
  doSave(): Promise<void> {
    return this.#call("doSave", true, () => {
      this.saves++;
    });
  }
  /** Sessions currently open on the fake (for leak checks). */
  get openSessionObjects(): number {
    return this.#sessionDefs.size;
  }
}
