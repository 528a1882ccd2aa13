/**
 * QIX sessions through @qlik/api's qix module (enigma.js over the `ws` package in Node).
 *
 * Pipelining: enigma sends each request as soon as it is called and matches responses by JSON-RPC id,
 * so requests started without awaiting each other are all in flight on the one WebSocket at once:
 *   const [script, props] = await Promise.all([doc.getScript(), doc.getAppProperties()]);
 * costs one round trip, while awaiting them one by one costs two. Use Promise.all (or mapLimit from
 * @qlik-cicd/common for large batches) for independent reads.
 *
 * Note: the WebSocket is made by the `ws` package, not undici, so the HTTP pools, proxy settings and
 * timeouts of the REST transport do not apply to it.
 */
import type { HostConfig } from "@qlik/api/auth";
import type { Doc } from "@qlik/api/qix";
import { openAppSession } from "@qlik/api/qix";

export interface AppSessionOptions {
  withoutData?: boolean;
  /** Separate engine session for the same app (default: shared per tenant + app). */
  identity?: string;
}

/** Opens a session, hands the Doc to `fn`, and closes the session whatever happens. */
export async function withAppSession<T>(
  hostConfig: HostConfig,
  appId: string,
  fn: (doc: Doc) => Promise<T>,
  options: AppSessionOptions,
  onOpenError: (error: unknown) => unknown,
): Promise<T> {
  const session = openAppSession({
    appId,
    hostConfig,
    withoutData: options.withoutData,
    identity: options.identity,
  });
  try {
    let doc: Doc;
    try {
      doc = await session.getDoc();
    } catch (error) {
      throw onOpenError(error);
    }
    return await fn(doc);
  } finally {
    // websocketCloseDelay 0: close the socket now instead of keeping it for a quick re-open.
    await session.close({ websocketCloseDelay: 0 }).catch(() => {});
  }
}
