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
  getVariableByName(name: string): Promise<QixPropertiesHandle>;
  createVariableEx(props: object): Promise<unknown>;
  destroyVariableById(id: string): Promise<boolean>;
  getBookmark(id: string): Promise<QixPropertiesHandle>;
  createBookmark(props: object): Promise<unknown>;
  destroyBookmark(id: string): Promise<boolean>;

  getObject(id: string): Promise<QixObjectHandle>;
  createObject(props: object): Promise<QixObjectHandle>;
  destroyObject(id: string): Promise<boolean>;
  createSessionObject(props: object): Promise<QixObjectHandle>;
  destroySessionObject(id: string): Promise<boolean>;

  doReload(mode?: number, partial?: boolean, debug?: boolean): Promise<boolean>;
  doSave(fileName?: string): Promise<void>;
}
