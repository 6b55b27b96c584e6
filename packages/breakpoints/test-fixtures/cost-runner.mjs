// Runs one cost scenario in a fresh process (shallow stack, few scripts, like an app) and prints
// its figures as JSON. Used by src/agent-cost.test.ts: node cost-runner.mjs <scenario> <compiled esm-app.mjs>
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createBreakpointAgent } from '../dist/index.js';

const [scenario, compiled] = process.argv.slice(2);
const fixtures = path.dirname(fileURLToPath(import.meta.url));
const esmTs = path.join(fixtures, 'esm-app.ts');
const lineOf = (text) => readFileSync(esmTs, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
const app = await import(pathToFileURL(compiled).href);
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const tick = () => new Promise((r) => setImmediate(r));
const median = (fn, runs = 7) => {
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[runs >> 1];
};

const scenarios = {
  async rate() {
    // One unit of work takes about 0.5-1 ms, so the logged line runs about 1000 times a second.
    let k = 1000;
    while (median(() => { for (let i = 0; i < 10; i++) app.hot(k); }, 9) < 5) k *= 2;
    // Throughput is counted per CPU second of this process, not per wall second: on a shared
    // machine other processes take the CPU at random, and the logpoint's own cost is CPU here too.
    let cpuMs = { base: 0, log: 0 };
    const runFor = async (ms, which) => {
      let units = 0;
      const cpu0 = process.cpuUsage();
      const end = performance.now() + ms;
      while (performance.now() < end) {
        app.hot(k);
        app.loopBody(units++);
        if (units % 10 === 0) await tick(); // lets the cool-down timer re-arm the logpoint
      }
      const cpu = process.cpuUsage(cpu0);
      if (which) cpuMs[which] += (cpu.user + cpu.system) / 1000;
      return units;
    };
    await runFor(300);
    // Alternating one-second segments without and with the logpoint, so the load of the shared
    // machine weighs on both alike. An unrelated breakpoint keeps the debugger on throughout, so
    // the segments compare the logpoint itself.
    const agent = createBreakpointAgent({ dataDir: false, logRateLimit: 50 });
    agent.set({ file: path.join(fixtures, 'many-lines.mjs'), line: 3 });
    let baseline = 0;
    let withLog = 0;
    let kind;
    let coolDowns = 0;
    for (let round = 0; round < 3; round++) {
      baseline += await runFor(1000, 'base');
      const bp = agent.set({ file: esmTs, line: lineOf('return doubled'), message: 'doubled={doubled} i={i}' });
      kind = bp.kind;
      withLog += await runFor(1000, 'log');
      coolDowns += agent.get(bp.id).coolDowns ?? 0;
      agent.remove(bp.id);
    }
    const logs = agent.logs();
    const out = {
      kind, seconds: 3, baseline, withLog, logs: logs.length, first: logs[0]?.message, coolDowns,
      cpuMs, throughputRatio: withLog / cpuMs.log / (baseline / cpuMs.base),
    };
    await agent.close();
    return out;
  },
  async baseline() {
    // Three interleaved rounds of off / armed / removed, so load changes hit all three alike.
    const work = () => app.hot(300_000);
    median(work);
    const agent = createBreakpointAgent({ dataDir: false });
    const t = { base: [], armed: [], after: [] };
    let enabled = true;
    let disabledAfter = true;
    for (let round = 0; round < 3; round++) {
      t.base.push(median(work, 5));
      const bp = agent.set({ file: path.join(fixtures, 'many-lines.mjs'), line: 3 }); // unrelated, never runs
      enabled &&= agent.stats().debuggerEnabled;
      t.armed.push(median(work, 5));
      agent.remove(bp.id);
      disabledAfter &&= !agent.stats().debuggerEnabled;
      t.after.push(median(work, 5));
    }
    const mid = (a) => a.sort((x, y) => x - y)[1];
    const out = { enabled, disabledAfter, base: mid(t.base), armed: mid(t.armed), after: mid(t.after), enableMs: agent.stats().enableMs };
    await agent.close();
    return out;
  },
  async heap() {
    const agent = createBreakpointAgent({ dataDir: false, logRateLimit: 1_000_000, maxLogs: 500 });
    const bp = agent.set({ file: esmTs, line: lineOf('return doubled'), message: 'i={i} {[i, doubled]}' });
    for (let i = 0; i < 200; i++) app.loopBody(i);
    gc();
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) app.loopBody(i);
    const us = ((performance.now() - t0) * 1000) / 10_000;
    gc();
    const out = {
      growth: process.memoryUsage().heapUsed - before, hits: agent.get(bp.id).hits, logs: agent.logs().length,
      dropped: agent.stats().logsDropped, last: agent.logs().at(-1).message, usPerHit: us,
    };
    await agent.close();
    return out;
  },
  async snapshots() {
    const agent = createBreakpointAgent({ dataDir: false, maxSnapshots: 20 });
    const bp = agent.set({ file: esmTs, line: lineOf('const result = sum - discount'), maxHits: 300, watch: ['order.items.slice(0, 3)', 'sum'] });
    const order = { id: 'x'.repeat(500), items: Array.from({ length: 1000 }, (_, i) => i), apiKey: 'k' };
    for (let i = 0; i < 50; i++) app.total(order, i);
    gc();
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    for (let i = 50; i < 300; i++) app.total(order, i);
    const us = ((performance.now() - t0) * 1000) / 250;
    gc();
    const snaps = agent.snapshots();
    const out = {
      growth: process.memoryUsage().heapUsed - before, bp: agent.get(bp.id), snaps: snaps.length, dropped: agent.stats().snapshotsDropped,
      maxBytes: Math.max(...snaps.map((s) => s.bytes)), truncated: snaps[0].truncated, usPerHit: us,
    };
    await agent.close();
    return out;
  },
};

console.log(JSON.stringify(await scenarios[scenario]()));
