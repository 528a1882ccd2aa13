/**
 * The simulator's app archive (what export produces and import accepts): a magic header and gzipped
 * JSON holding the app's name, description and document. Connection credentials are never included.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { serializeAppDocument } from "../model/app-document.ts";
import type { AppDocument, SerializedAppDocument } from "../model/app-document.ts";

const MAGIC = Buffer.from("QSIM-QVF\u0001\n", "latin1");

export interface AppArchive {
  format: 1;
  name: string;
  description: string;
  document: SerializedAppDocument;
}

export function packApp(
  name: string,
  description: string,
  doc: AppDocument,
  opts: { noData: boolean },
): Buffer {
  const document = serializeAppDocument(doc);
  for (const c of document.connections) delete c.credentials;
  if (opts.noData) {
    document.tables = [];
    document.scriptVariables = [];
  }
  const archive: AppArchive = { format: 1, name, description, document };
  return Buffer.concat([MAGIC, gzipSync(Buffer.from(JSON.stringify(archive), "utf8"))]);
}

/** The archive in `buf`, or null when it is not a valid simulator app file. */
export function unpackApp(buf: Buffer): AppArchive | null {
  if (buf.length <= MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  try {
    const a = JSON.parse(gunzipSync(buf.subarray(MAGIC.length)).toString("utf8")) as AppArchive;
    if (a.format !== 1 || typeof a.name !== "string" || !a.document || !Array.isArray(a.document.objects))
      return null;
    return a;
  } catch {
    return null;
  }
}
