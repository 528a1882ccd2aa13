// What the bundles take from undici, in place of its index.js (see scripts/bundle/config.ts).
//
// undici's index.js is a CommonJS barrel: importing one class from it bundles all of undici (mock
// agents, caches, WebSocket, EventSource, both HTTP/1 parsers), 1.4 MB per bundle. The bundled code
// needs six names: ProxyAgent (@actions/http-client), Agent, EnvHttpProxyAgent, Dispatcher1Wrapper and
// two interceptors (qlik-client's transport) and fetch (@actions/github). Each comes from its own module, marked free
// of side effects by the bundler so that a bundle keeps only the ones it imports.
import Dispatcher from "undici/lib/dispatcher/dispatcher.js";
import api from "undici/lib/api/index.js";
import decompress from "undici/lib/interceptor/decompress.js";
import redirect from "undici/lib/interceptor/redirect.js";

// index.js adds request/stream/pipeline/upgrade/connect to every dispatcher; ProxyAgent tunnels
// through `connect`, so this one side effect of the barrel is kept.
Object.assign(Dispatcher.prototype, api);

export { default as Agent } from "undici/lib/dispatcher/agent.js";
export { default as Dispatcher1Wrapper } from "undici/lib/dispatcher/dispatcher1-wrapper.js";
export { default as EnvHttpProxyAgent } from "undici/lib/dispatcher/env-http-proxy-agent.js";
export { default as ProxyAgent } from "undici/lib/dispatcher/proxy-agent.js";
export { fetch } from "undici/lib/web/fetch/index.js";
export const interceptors = { decompress, redirect };
