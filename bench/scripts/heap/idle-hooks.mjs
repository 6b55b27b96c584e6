// --import hook for idle.mjs: records every ESM URL the loader resolves (globalThis.__esmLoaded).
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
globalThis.__esmLoaded = new Set();
port1.on('message', (url) => globalThis.__esmLoaded.add(url));
port1.unref();
register('data:text/javascript,' + encodeURIComponent(`let port; export function initialize(d) { port = d.port; } export async function resolve(s, c, next) { const r = await next(s, c); port.postMessage(r.url); return r; }`), { data: { port: port2 }, transferList: [port2] });
