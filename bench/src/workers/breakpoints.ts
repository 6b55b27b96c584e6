/**
 * Breakpoint worker: what a live breakpoint costs the process. Loads express and debugpanel first,
 * so `Debugger.enable` has an app's worth of scripts to list.
 */
import { readFileSync } from 'node:fs';
import { setImmediate as tick } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { tryImport } from '../context.js';
import { serveIpc } from '../ipc.js';
import { hot, placeOrder, unrelated } from './bp-target.js';

interface Agent {
  set(input: Record<string, unknown>): { id: string; state: string; error?: string };
  get(id: string): { hits: number; state: string } | undefined;
  remove(id: string): boolean;
  stats(): { enableMs: number | null; scripts: number; hits: number; debuggerEnabled: boolean; coolDowns: number };
  snapshots(filter?: { breakpointId?: string }): Array<{ captureUs: number; bytes: number }>;
  close(): Promise<void>;
}
type Create = (o: object) => Agent;

/**
 * An agent with the given options plus `extra` when this version of the agent knows them: the
 * rows also run against older builds (for before/after figures), which refuse unknown options.
 */
function createWith(create: Create, options: object, extra: object): Agent {
  try {
    return create({ ...options, ...extra });
  } catch (err) {
    if (err instanceof TypeError && /unknown option/.test(err.message)) return create(options);
    throw err;
  }
}

const targetFile = fileURLToPath(new URL('./bp-target.js', import.meta.url));
const hotLine = readFileSync(targetFile, 'utf8').split('\n').findIndex((l) => l.includes('BP-HOT')) + 1;
const orderLine = readFileSync(targetFile, 'utf8').split('\n').findIndex((l) => l.includes('BP-ORDER')) + 1;

/**
 * The pause of one snapshot at default limits on a realistic frame: an Express app whose
 * `POST /orders` handler (bp-target.ts `placeOrder`, shaped like the demo's) holds a real request
 * and response; one snapshot per request, its `captureUs` as the agent measured it. The first
 * capture of the process is reported apart (cold), the rest are the figure.
 */
async function orderCaptures(create: Create, n: number): Promise<{ coldUs: number; us: number[]; bytes: number }> {
  const express = ((await import('express')) as unknown as { default: () => any }).default; // eslint-disable-line @typescript-eslint/no-explicit-any
  const app = express();
  app.use((await import('express') as unknown as { default: { json(): unknown } }).default.json());
  app.post('/orders', (req: never, res: never) => placeOrder(req, res));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/orders`;
  const agent = create({ dataDir: false });
  const us: number[] = [];
  let bytes = 0;
  try {
    for (let i = 0; i <= n; i++) {
      const bp = agent.set({ file: targetFile, line: orderLine, kind: 'snapshot' });
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-real-token-1234' }, body: JSON.stringify({ customer: 'ada', items: [{ productId: 1, quantity: 2 }, { productId: 3, quantity: 1 }] }) });
      await res.text();
      const snap = agent.snapshots({ breakpointId: bp.id })[0];
      if (!snap) throw new Error('the order breakpoint took no snapshot');
      us.push(snap.captureUs);
      bytes = snap.bytes;
      agent.remove(bp.id);
    }
  } finally {
    await agent.close();
    server.close();
  }
  return { coldUs: us.shift()!, us, bytes };
}

let sink = 0;
const ns = (t0: bigint, n: number): number => Number(process.hrtime.bigint() - t0) / n;

function unrelatedNs(n: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink ^= unrelated(i);
  return ns(t0, n);
}

/**
 * Work done per second by a loop that also runs the breakpoint's line about 1,000 times a second
 * (once per ~1 ms slice of work), yielding between slices so timers (cool-down re-arms) run.
 */
async function loopRate(ms: number): Promise<number> {
  const end = performance.now() + ms;
  let work = 0;
  let i = 0;
  while (performance.now() < end) {
    sink ^= hot(i++);
    const sliceEnd = performance.now() + 1;
    while (performance.now() < sliceEnd) {
      for (let k = 0; k < 100; k++) sink ^= unrelated(work++);
    }
    await tick();
  }
  return work / (ms / 1000);
}

/** Calls of the breakpoint's line per second in a synchronous loop that never yields. */
function syncRate(ms: number): number {
  const end = performance.now() + ms;
  let calls = 0;
  while (performance.now() < end) {
    for (let k = 0; k < 1000; k++) sink ^= hot(calls++);
  }
  return calls / (ms / 1000);
}

async function run(rounds: number): Promise<Record<string, unknown>> {
  await import('express');
  await tryImport('debugpanel');
  const mod = await tryImport('@debugpanel/breakpoints');
  const create = mod?.createBreakpointAgent as Create | undefined;
  if (typeof create !== 'function') return { missing: '@debugpanel/breakpoints does not export createBreakpointAgent yet' };
  if (hotLine < 1) throw new Error('no BP-HOT marker in bp-target.js');

  // Every limit lifted: these rounds measure the cost of one hit, not the guards.
  const unlimited = { pauseRateLimit: 1_000_000, snapshotRateLimit: 1_000_000 };
  const agent = createWith(create, { dataDir: false, logRateLimit: 1_000_000, maxLogs: 100, maxSnapshots: 10 }, unlimited);
  const N = 2_000_000;
  unrelatedNs(N); // warm
  const enableMs: number[] = [];
  const offNs: number[] = [];
  const armedNs: number[] = [];
  const logpointUs: number[] = [];
  const snapshotMs: number[] = [];
  const conditionUs: number[] = [];
  let scripts = 0;
  for (let r = 0; r < rounds; r++) {
    offNs.push(unrelatedNs(N));
    // Arm a logpoint that never fires during the unrelated loop (hot() is not called there).
    const bp = agent.set({ file: targetFile, line: hotLine, kind: 'logpoint', message: 'i={i} doubled={doubled}' });
    if (bp.state === 'error') throw new Error(`logpoint refused: ${bp.error ?? ''}`);
    const st = agent.stats();
    if (st.enableMs !== null) enableMs.push(st.enableMs);
    scripts = st.scripts;
    armedNs.push(unrelatedNs(N));
    // Now hit it: cost per hit, hot()'s own cost is negligible next to a pause.
    const hits = 200;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < hits; i++) sink ^= hot(i);
    logpointUs.push(ns(t0, hits) / 1000);
    agent.remove(bp.id);
    // One snapshot (locals, stack) per round.
    const snap = agent.set({ file: targetFile, line: hotLine, kind: 'snapshot' });
    const t1 = process.hrtime.bigint();
    sink ^= hot(r);
    snapshotMs.push(ns(t1, 1) / 1e6);
    agent.remove(snap.id);
    // A snapshot breakpoint whose condition is false: what every run of its line costs.
    const cond = agent.set({ file: targetFile, line: hotLine, kind: 'snapshot', condition: 'i < 0' });
    const runs = 200;
    const t2 = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) sink ^= hot(i);
    conditionUs.push(ns(t2, runs) / 1000);
    if ((agent.get(cond.id)?.hits ?? 0) !== 0) throw new Error('the false condition let a snapshot through');
    agent.remove(cond.id);
    await tick();
  }
  if (agent.stats().hits === 0) throw new Error('no breakpoint hit: the agent never paused');
  await agent.close();

  // A logpoint on a line run 1,000 times a second, default rate limit (50/s): the loop must keep its pace.
  const limited = create({ dataDir: false, maxLogs: 100 });
  const plainRate: number[] = [];
  const loggedRate: number[] = [];
  for (let r = 0; r < rounds; r++) {
    plainRate.push(await loopRate(1000));
    const bp = limited.set({ file: targetFile, line: hotLine, kind: 'logpoint', message: 'i={i}', expiresInMs: 60_000 });
    loggedRate.push(await loopRate(1000));
    limited.remove(bp.id);
  }
  // The same yielding loop with a snapshot breakpoint that may fire a million times (default limits).
  const snapRate: number[] = [];
  const snapPlain: number[] = [];
  for (let r = 0; r < rounds; r++) {
    snapPlain.push(await loopRate(1000));
    const bp = limited.set({ file: targetFile, line: hotLine, kind: 'snapshot', maxHits: 1_000_000, expiresInMs: 60_000 });
    snapRate.push(await loopRate(1000));
    limited.remove(bp.id);
  }
  // A logpoint over its budget in a synchronous loop (no turn of the event loop until it ends).
  const syncPlain: number[] = [];
  const syncLogged: number[] = [];
  for (let r = 0; r < rounds; r++) {
    syncPlain.push(syncRate(1000));
    const bp = limited.set({ file: targetFile, line: hotLine, kind: 'logpoint', message: 'i={i}', expiresInMs: 60_000 });
    syncLogged.push(syncRate(1000));
    limited.remove(bp.id);
    await tick();
  }
  const coolDowns = limited.stats().coolDowns;
  await limited.close();
  const order = orderLine > 0 ? await orderCaptures(create, rounds * 5) : undefined;
  return {
    orderCaptureMs: order?.us.map((u) => u / 1000) ?? [], orderColdMs: order ? order.coldUs / 1000 : null, orderBytes: order?.bytes ?? 0,
    enableMs, offNs, armedNs, logpointUs, snapshotMs, conditionUs, plainRate, loggedRate, snapPlain, snapRate,
    syncPlain, syncLogged, scripts, coolDowns, sink,
  };
}

serveIpc(async (msg) => run(Number(msg.rounds)));
