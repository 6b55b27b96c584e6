/**
 * Idle heap of the default dev set-up after one request, against plain Express, after 3 forced
 * GCs, and what the process loaded (bench/results/flood-memory.md, "non-store heap").
 *   node --expose-gc --import ./bench/scripts/heap/idle-hooks.mjs bench/scripts/heap/idle.mjs [plain] [--modules]
 * Prints one JSON line: heapUsed/RSS after GC, setup ms of debugPanel(), loaded files by package
 * (CommonJS from require.cache, ESM from the loader hook), with their source bytes.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
const plain = process.argv.includes('plain');
const listModules = process.argv.includes('--modules');
process.env.NODE_ENV ??= 'development';
process.env.DEBUGPANEL_TOKEN ??= 'bench-token-not-secret';
const { default: express } = await import('express');
const app = express();
let setupMs = 0;
if (!plain) {
  const { debugPanel } = await import('debugpanel');
  const t0 = performance.now();
  app.use(debugPanel(JSON.parse(process.env.OPTS ?? '{}')));
  setupMs = performance.now() - t0;
}
app.get('/hello', (_req, res) => res.json({ hello: 'world' }));
const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
const url = `http://127.0.0.1:${server.address().port}`;
await (await fetch(`${url}/hello`)).text();
await new Promise((r) => setTimeout(r, 1500)); // tail sampler grace, batches, insights tick
for (let i = 0; i < 3; i++) globalThis.gc?.();
const m = process.memoryUsage();
const M = (x) => Number((x / 1048576).toFixed(2));
const out = { plain, setupMs: Number(setupMs.toFixed(1)), heapUsed: M(m.heapUsed), heapTotal: M(m.heapTotal), rss: M(m.rss), external: M(m.external) };
if (listModules) {
  const require = createRequire(import.meta.url);
  const files = new Set(Object.keys(require.cache));
  for (const u of globalThis.__esmLoaded ?? []) if (u.startsWith('file:')) files.add(fileURLToPath(u));
  const byPkg = new Map();
  for (const f of files) {
    const i = f.lastIndexOf('/node_modules/');
    let pkg;
    if (i >= 0) { const rest = f.slice(i + 14).split('/'); pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]; }
    else { const p = /\/packages\/([^/]+)\//.exec(f); pkg = p ? `(workspace) ${p[1]}` : f; }
    let size = 0; try { size = statSync(f).size; } catch {}
    const e = byPkg.get(pkg) ?? { files: 0, bytes: 0 }; e.files++; e.bytes += size; byPkg.set(pkg, e);
  }
  out.modules = Object.fromEntries([...byPkg].sort((a, b) => b[1].bytes - a[1].bytes).map(([k, v]) => [k, `${v.files} files ${(v.bytes / 1024).toFixed(0)} KiB`]));
}
console.log(JSON.stringify(out, null, listModules ? 1 : 0));
server.close();
process.exit(0);
