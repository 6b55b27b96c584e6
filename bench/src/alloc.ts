/**
 * Load-independent cost of one request: `node bench/dist/alloc.js [contender] [route] [requests]`
 * (default `debugpanel /hello 5000`). Contenders: `plain`, `plain-als` (plain plus one
 * AsyncLocalStorage run per request: the floor of any ALS context manager on Node 20),
 * `debugpanel` (this build, dev defaults) and `before` (the `debugpanel` under
 * BENCH_PANEL_BEFORE's `../packages/debugpanel/dist`, e.g. BENCH_PANEL_BEFORE=/work/wt/before/bench/dist).
 *
 * The server runs in a child under `--trace-gc-nvp --expose-gc`; after 3,000 warm-up requests
 * (10 keep-alive connections from this process) it is GC'd, loaded with `requests` requests and
 * GC'd again, and the figures are taken between the two collections: bytes allocated per request
 * (the sum of the GCs' `allocated=`, which the forced GCs make exact), and, each in a run of its
 * own because counting changes what it counts, promises per request (`COUNT=promises`: a V8
 * promise init hook) and async resources per request by type (`COUNT=resources`: an async_hooks
 * init hook). None of these move with the machine's load, unlike CPU time and throughput.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { RequestHandler } from 'express';

interface Snapshot {
  promises: number;
  resources: Record<string, number>;
}

async function serve(): Promise<void> {
  const v8 = await import('node:v8');
  const { createHook, AsyncLocalStorage } = await import('node:async_hooks');
  let promises = 0;
  const resources: Record<string, number> = {};
  if (process.env.COUNT === 'promises') v8.promiseHooks.onInit(() => void promises++);
  if (process.env.COUNT === 'resources') createHook({ init: (_id, type) => void (resources[type] = (resources[type] ?? 0) + 1) }).enable();
  const { default: express } = await import('express');
  const { addRoutes } = await import('./servers/app.js');
  const app = express();
  const contender = process.env.ALLOC_CONTENDER;
  if (contender === 'plain-als') {
    const als = new AsyncLocalStorage<object>();
    app.use((req, _res, next) => als.run(req, next));
  } else if (contender === 'debugpanel' || contender === 'before') {
    const where = contender === 'before' ? path.resolve(process.env.BENCH_PANEL_BEFORE!, '../../packages/debugpanel/dist/index.js') : 'debugpanel';
    const { debugPanel } = (await import(where)) as { debugPanel: (o?: object) => RequestHandler };
    app.use(debugPanel({}));
  }
  addRoutes(app);
  const server = app.listen(0, '127.0.0.1', () => {
    const ctl = http.createServer((req, res) => {
      const snap: Snapshot = { promises, resources: { ...resources } };
      if (req.url === '/gc') {
        (globalThis as { gc?: () => void }).gc!();
        process.stdout.write('\nALLOC-MARK\n');
      }
      res.end(JSON.stringify(snap));
    });
    ctl.listen(0, '127.0.0.1', () => {
      process.stdout.write(`\nALLOC-PORTS ${String((server.address() as { port: number }).port)} ${String((ctl.address() as { port: number }).port)}\n`);
    });
  });
}

async function measure(contender: string, route: string, requests: number, count: string): Promise<{ bytes: number; snaps: [Snapshot, Snapshot] }> {
  const child = spawn(process.execPath, ['--expose-gc', '--trace-gc-nvp', fileURLToPath(import.meta.url), '--serve'], {
    env: { ...process.env, NODE_ENV: 'development', ALLOC_CONTENDER: contender, COUNT: count },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const ports = await new Promise<[number, number]>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`server exited (${String(code)})`)));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      const m = /ALLOC-PORTS (\d+) (\d+)/.exec(out);
      if (m) resolve([Number(m[1]), Number(m[2])]);
    });
  });
  try {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    const get = (port: number, p: string) =>
      new Promise<string>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: p, agent }, (r) => {
          let b = '';
          r.setEncoding('utf8');
          r.on('data', (d: string) => (b += d));
          r.on('end', () => resolve(b));
        }).on('error', reject);
      });
    const load = async (n: number) => {
      let i = 0;
      await Promise.all(Array.from({ length: 10 }, async () => {
        while (i++ < n) await get(ports[0], route);
      }));
    };
    await load(3000);
    await new Promise((r) => setTimeout(r, 700)); // the panel's first drains and timers
    const a = JSON.parse(await get(ports[1], '/gc')) as Snapshot;
    await load(requests);
    const b = JSON.parse(await get(ports[1], '/gc')) as Snapshot;
    await new Promise((r) => setTimeout(r, 100));
    const window = out.split('ALLOC-MARK')[1] ?? '';
    let bytes = 0;
    for (const m of window.matchAll(/ allocated=(\d+)/g)) bytes += Number(m[1]);
    return { bytes, snaps: [a, b] };
  } finally {
    child.kill();
  }
}

async function main(): Promise<void> {
  const [contender = 'debugpanel', route = '/hello', n = '5000'] = process.argv.slice(2);
  if (!['plain', 'plain-als', 'debugpanel', 'before'].includes(contender)) throw new Error(`unknown contender ${contender} (plain, plain-als, debugpanel, before)`);
  if (contender === 'before' && !process.env.BENCH_PANEL_BEFORE) throw new Error('before needs BENCH_PANEL_BEFORE=<before>/bench/dist');
  const requests = Number(n);
  const bytes = (await measure(contender, route, requests, '')).bytes / requests;
  const p = (await measure(contender, route, requests, 'promises')).snaps;
  const r = (await measure(contender, route, requests, 'resources')).snaps;
  const perType: Record<string, string> = {};
  for (const [type, v] of Object.entries(r[1].resources)) {
    const d = (v - (r[0].resources[type] ?? 0)) / requests;
    if (d >= 0.005) perType[type] = d.toFixed(2);
  }
  console.log(JSON.stringify({ contender, route, requests, bytesPerRequest: Math.round(bytes), promisesPerRequest: Number(((p[1].promises - p[0].promises) / requests).toFixed(2)), resourcesPerRequest: perType }));
}

if (process.argv.includes('--serve')) void serve();
else main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
