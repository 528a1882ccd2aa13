/**
 * The few QIX Doc methods this library uses, typed loosely so that @qlik/api's qix `Doc` (from
 * "@qlik/api/qix") is assignable as is. Sessions are opened elsewhere (qlik-client); functions here
 * take an already-open Doc and issue their reads together so they pipeline over one socket.
 */

export interface QixInfo {
  qId?: string;
  qType?: string;
}

export interface QixConnection {
  qId?: string;
  qName?: string;
  qConnectionString?: string;
  qType?: string;
}

export interface QixPropertiesHandle {
  getProperties(): Promise<unknown>;
  setProperties(props: object): Promise<void>;
}

/** A bookmark: its selection state is in the layout (`qBookmark`), never in the properties. */
export interface QixBookmarkHandle extends QixPropertiesHandle {
  getLayout(): Promise<unknown>;
}

export interface QixVariableHandle extends QixPropertiesHandle {
  /** Its layout tells a script-created variable (`qIsScriptCreated`). */
  getLayout(): Promise<unknown>;
  setStringValue(value: string): Promise<void>;
}

/** A FieldValue as Field.SelectValues takes it. */
export interface QixFieldValue {
  qText?: string;
  qIsNumeric?: boolean;
  qNumber?: number;
}

/** A field of the data model in one state (Doc.GetField): selections made in this session. */
export interface QixField {
  selectValues(values: QixFieldValue[], toggleMode?: boolean, softLock?: boolean): Promise<boolean>;
  select(match: string, softLock?: boolean, excludedValuesMode?: number): Promise<boolean>;
  selectAll(softLock?: boolean): Promise<boolean>;
  lock(): Promise<boolean>;
  setAndMode(andMode: boolean): Promise<void>;
  setNxProperties(properties: { qOneAndOnlyOne?: boolean }): Promise<void>;
}

export interface QixObjectHandle extends QixPropertiesHandle {
  readonly id: string;
  getLayout(): Promise<unknown>;
  getChildInfos(): Promise<QixInfo[]>;
  getFullPropertyTree(): Promise<unknown>;
  setFullPropertyTree(entry: object): Promise<void>;
}

export interface QixDoc {
  getAllInfos(): Promise<QixInfo[]>;
  getScript(): Promise<string>;
  setScript(script: string): Promise<void>;
  getAppProperties(): Promise<unknown>;
  setAppProperties(props: object): Promise<void>;

  getConnections(): Promise<QixConnection[]>;
  createConnection(connection: QixConnection): Promise<string>;
  modifyConnection(
    connectionId: string,
    connection: QixConnection,
    overrideCredentials?: boolean,
  ): Promise<void>;

  getDimension(id: string): Promise<QixPropertiesHandle>;
  createDimension(props: object): Promise<unknown>;
  destroyDimension(id: string): Promise<boolean>;
  getMeasure(id: string): Promise<QixPropertiesHandle>;
  createMeasure(props: object): Promise<unknown>;
  destroyMeasure(id: string): Promise<boolean>;
  getVariableById(id: string): Promise<QixPropertiesHandle>;
  getVariableByName(name: string): Promise<QixVariableHandle>;
  createVariableEx(props: object): Promise<unknown>;
  destroyVariableById(id: string): Promise<boolean>;
  getBookmark(id: string): Promise<QixBookmarkHandle>;
  /** Creates a bookmark that captures the session's current selections. */
  createBookmark(props: object): Promise<QixBookmarkHandle>;
  destroyBookmark(id: string): Promise<boolean>;

  /** The app's layout; its `qStateNames` lists the alternate states. */
  getAppLayout(): Promise<unknown>;
  addAlternateState(stateName: string): Promise<void>;
  /** Clears the session's selections in one state ("$" when omitted). */
  clearAll(lockedAlso?: boolean, stateName?: string): Promise<void>;
  getField(fieldName: string, stateName?: string): Promise<QixField>;

  getObject(id: string): Promise<QixObjectHandle>;
  createObject(props: object): Promise<QixObjectHandle>;
  destroyObject(id: string): Promise<boolean>;
  createSessionObject(props: object): Promise<QixObjectHandle>;
  destroySessionObject(id: string): Promise<boolean>;

  doReload(mode?: number, partial?: boolean, debug?: boolean): Promise<boolean>;
  doSave(fileName?: string): Promise<void>;
}
