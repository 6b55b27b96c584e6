// Child process for lazy-modules.test.ts: `node lazy-modules.mjs <default|export|hub> [protobuf body in hex, its trace id]`.
// Sets up `app.use(debugPanel(...))` in a fresh process, serves one /hello, and prints which of the
// optional libraries the process has loaded (CommonJS, from require.cache) plus what the mode checks:
// export: the OTLP requests a local collector received; hub: the answer to an OTLP/protobuf POST.
import http from 'node:http';
import { createRequire } from 'node:module';
import express from 'express';
import { debugPanel } from 'debugpanel';

const [mode, hex, traceId] = process.argv.slice(2);
const require = createRequire(import.meta.url);
// acorn: breakpoint expressions; pako: hdr-histogram-js's index (encoding, beside its WebAssembly build)
const WATCHED = ['protobufjs', '@opentelemetry/otlp-transformer', 'pg', 'mysql2', 'pino', 'winston', 'better-sqlite3', 'acorn', 'pako'];
const loaded = () => WATCHED.filter((pkg) => Object.keys(require.cache).some((k) => k.includes(`/node_modules/${pkg}/`)));
const listen = (handler) => new Promise((resolve) => { const s = http.createServer(handler).listen(0, '127.0.0.1', () => resolve(s)); });

const received = [];
const collector = mode === 'export' ? await listen((req, res) => { req.resume(); req.on('end', () => { received.push(req.headers['content-type']); res.writeHead(200, { 'content-type': 'application/x-protobuf' }); res.end(); }); }) : undefined;
const opts = { service: 'lazy', auth: 'loopback', dataDir: false };
if (mode === 'hub') opts.hub = true;
if (collector) opts.exportTo = { url: `http://127.0.0.1:${collector.address().port}/v1/traces`, intervalMs: 50 };
const app = express();
const panel = debugPanel(opts);
app.use(panel);
app.get('/hello', (_req, res) => res.json({ hello: 'world' }));
const server = await listen(app);
const base = `http://127.0.0.1:${server.address().port}`;
const out = { loadedAtSetup: loaded() };
await (await fetch(`${base}/hello`)).text();
if (mode === 'hub') {
  const r = await fetch(`${base}/_debug/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(hex, 'hex') });
  out.status = r.status;
  out.contentType = r.headers.get('content-type');
  await r.arrayBuffer();
}
for (let i = 0; i < 100 && (mode === 'export' ? received.length === 0 : i < 5); i++) await new Promise((r) => setTimeout(r, 50));
if (mode === 'hub') {
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`${base}/_debug/api/traces/${traceId}`);
    if (r.ok) { out.spans = (await r.json()).spans.map((s) => `${s.service} ${s.name}`); break; }
    await new Promise((res) => setTimeout(res, 50));
  }
}
out.received = received;
out.loaded = loaded();
await panel.panel.close();
server.close();
collector?.close();
process.stdout.write(JSON.stringify(out));
