/**
 * A CPU profile of one HTTP contender's request path: `node bench/dist/profile.js [contender]
 * [route] [seconds]` (default `debugpanel-dev /hello 10`) starts the contender's server under
 * `node --cpu-prof`, loads it with autocannon as the http group does (50 connections, server on
 * core 0 and load on core 1 where `taskset` allows), stops it and prints self time per function
 * and per package, in µs per request. Not part of `npm run bench`: it answers "where does a
 * request's time go", which the bench's ratios cannot. The .cpuprofile stays in the directory it
 * prints (open it in Chrome DevTools).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinToCore, startChild } from './child.js';
import type { LoadResult } from './load.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const CONTENDERS: Record<string, { script: string; env: Record<string, string> }> = {
  plain: { script: 'servers/plain.js', env: { NODE_ENV: 'development' } },
  // plain + one AsyncLocalStorage run per request: the floor of any ALS context manager on Node 20
  'plain-als': { script: 'servers/plain-als.js', env: { NODE_ENV: 'development' } },
  'debugpanel-dev': { script: 'servers/debugpanel.js', env: { NODE_ENV: 'development' } },
  'debugpanel-prod': { script: 'servers/debugpanel.js', env: { NODE_ENV: 'production', DEBUGPANEL_TOKEN: 'bench-token-not-secret' } },
  'debugpanel-own-sdk': { script: 'servers/debugpanel.js', env: { NODE_ENV: 'development', BENCH_OWN_SDK: '1' } },
  'otel-sdk': { script: 'servers/otel-sdk.js', env: { NODE_ENV: 'development' } },
};
// An older build (see BENCH_PANEL_BEFORE in groups/http.ts), to profile before and after alike.
if (process.env.BENCH_PANEL_BEFORE) {
  const distDir = dirname(fileURLToPath(import.meta.url));
  CONTENDERS['debugpanel-before'] = { script: relative(distDir, join(process.env.BENCH_PANEL_BEFORE, 'servers/debugpanel.js')), env: { NODE_ENV: 'development' } };
}

/** Which part of the process a frame belongs to: a workspace package, a dependency, node itself. */
function owner(url: string): string {
  if (url === '') return '(native / vm)';
  const pkg = /packages\/([^/]+)\/dist\//.exec(url);
  if (pkg) return `@debugpanel/${pkg[1]!}`;
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/g;
  let last: string | undefined;
  for (let m = dep.exec(url); m; m = dep.exec(url)) last = m[1];
  if (last) return last;
  if (url.startsWith('node:')) return url;
  if (url.includes('/bench/dist/')) return 'bench app';
  return url;
}

async function main(): Promise<void> {
  const [id = 'debugpanel-dev', route = '/hello', secondsArg = '10'] = process.argv.slice(2);
  const c = CONTENDERS[id];
  if (!c) throw new Error(`unknown contender ${id} (one of ${Object.keys(CONTENDERS).join(', ')})`);
  const seconds = Number(secondsArg);
  const dir = mkdtempSync(join(tmpdir(), `profile-${id}-`));
  const { child: load } = await startChild('load', 'load.js');
  const pinned = pinToCore(load, 1);
  const { child, ready } = await startChild(id, c.script, { env: c.env, execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200'] });
  if (pinned) pinToCore(child, 0);
  const url = `http://127.0.0.1:${String(ready.port)}${route}`;
  // Warm-up (JIT, caches), then the measured load; the profile covers both, the warm-up is short.
  const warm = await load.request<LoadResult>({ type: 'load', url, connections: 50, seconds: 2 });
  const res = await load.request<LoadResult>({ type: 'load', url, connections: 50, seconds });
  await child.stop();
  await load.stop();
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const requests = res.requests + warm.requests;
  const perFn = new Map<string, number>();
  const perPkg = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [nid, us] of self) {
    const n = byId.get(nid)!;
    const f = n.callFrame;
    total += us;
    if (f.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const key = `${f.functionName || '(anonymous)'} ${owner(f.url)}:${f.lineNumber + 1}`;
    perFn.set(key, (perFn.get(key) ?? 0) + us);
    const pkg = f.functionName === '(garbage collector)' ? '(garbage collector)' : owner(f.url);
    perPkg.set(pkg, (perPkg.get(pkg) ?? 0) + us);
  }
  const busy = total - idle;
  const fmt = (us: number): string => `${(us / requests).toFixed(2).padStart(7)} µs/req  ${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  console.log(`${id} ${route}: ${res.requests} requests in ${seconds} s (${Math.round(res.rps)} req/s), busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms profiled; profile: ${join(dir, file)}`);
  console.log(`busy per request (warm-up included): ${(busy / requests).toFixed(1)} µs`);
  console.log('\nper package (self time)');
  for (const [k, us] of [...perPkg].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${fmt(us)}  ${k}`);
  console.log('\nper function (self time)');
  for (const [k, us] of [...perFn].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(`${fmt(us)}  ${k}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
