// Every test file runs with real network limited to loopback (the simulator and local test servers): a
// connection to any other host fails at once with ECONNREFUSED and a sentence naming the host. The
// guard sits in net.Socket#connect (which TLS and every HTTP client use) and does nothing else to the
// sockets. nock is NOT activated here: since nock 15 (@mswjs/interceptors 0.45) it intercepts every
// socket of the process, and on loopback traffic it printed stray errors (ECONNRESET, a recursion in its
// socket controller) and left the handles of the sockets it answered open, keeping workers from exiting.
// A file that mocks with nock imports it and cleans up after itself (see `releaseMockedSockets`);
// a live check against a real tenant calls `allowNetwork()`.
import { afterAll } from "@jest/globals";
import net from "node:net";

const GUARD = Symbol.for("qlik-cicd.test.network-guard");
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\]|::ffff:127\.\d+\.\d+\.\d+)$/i;

interface Guard {
  allowed: boolean;
}
type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;
const proto = net.Socket.prototype as unknown as { [GUARD]?: Guard; connect: Connect };

/** The host a `connect` call names, or undefined for an IPC path (pipes, Unix sockets). */
function hostOf(args: unknown[]): string | undefined {
  let first = args[0];
  // Node's internal calls pass [options, callback] as one array.
  if (Array.isArray(first)) first = first[0];
  if (first !== null && typeof first === "object") {
    const options = first as { host?: string; path?: string };
    return options.path ? undefined : (options.host ?? "localhost");
  }
  if (typeof first === "string" && !/^\d+$/.test(first)) return undefined; // a path
  return typeof args[1] === "string" ? args[1] : "localhost";
}

if (!proto[GUARD]) {
  const guard: Guard = { allowed: false };
  const connect = proto.connect;
  proto.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const host = hostOf(args);
    if (guard.allowed || host === undefined || LOOPBACK.test(host)) return connect.apply(this, args);
    const error = Object.assign(
      new Error(`connect ECONNREFUSED ${host}: tests reach only loopback addresses (test/setup).`),
      { code: "ECONNREFUSED", host },
    );
    process.nextTick(() => this.destroy(error));
    return this;
  };
  proto[GUARD] = guard;
}

/**
 * Lets this test file reach any host: live checks against a real tenant, or a file whose requests nock
 * answers (nock's `disableNetConnect` guards it then). Reset after the file.
 */
export function allowNetwork(): void {
  proto[GUARD]!.allowed = true;
}

afterAll(() => {
  proto[GUARD]!.allowed = false;
});

/**
 * For files that mock with nock, after `nock.restore()`: nock answers a mocked request on a socket that
 * never connects, and when that socket is destroyed the TCP/TLS handle Node made for it stays open
 * (`@mswjs/interceptors` 0.45), which keeps the worker process alive. Closes those handles.
 */
export function releaseMockedSockets(): void {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  for (const handle of handles) {
    if (!(handle instanceof net.Socket) || !handle.destroyed) continue;
    const wrap = (handle as unknown as { _handle?: { close(): void; _parent?: { close(): void } } })._handle;
    if (!wrap) continue;
    wrap.close();
    wrap._parent?.close();
  }
}
