import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { compileFixture, fixtures, lineOf } from '../test-fixtures/compile.js';
import { createAgent } from './agent.js';
import { createBreakpointAgent, DebugPanelInspectorError, type BreakpointAgent } from './index.js';
import type { CapturedValue } from './types.js';

// Fixtures must be loaded by Node itself, not by vitest's module runner, so V8 sees real scripts
// with file URLs and source map comments: createRequire and an import() inside a required file do.
const nativeRequire = createRequire(import.meta.url);
const nativeImport = nativeRequire('../test-fixtures/native-import.cjs') as (u: string) => Promise<any>;

const gen = mkdtempSync(path.join(tmpdir(), 'dp-bp-'));
const esmJs = compileFixture('esm-app.ts', 'esm', gen);
const cjsJs = compileFixture('cjs-app.cts', 'cjs', gen);
const esmTs = path.join(fixtures, 'esm-app.ts');
const cjsTs = path.join(fixtures, 'cjs-app.cts');

const find = (vars: CapturedValue[] | undefined, name: string) => vars?.find((v) => v.name === name);

let agent: BreakpointAgent;
afterEach(async () => {
  await agent?.close();
});
afterAll(() => rmSync(gen, { recursive: true, force: true }));

describe('createBreakpointAgent snapshots', () => {
  let esm: any;
  beforeAll(async () => {
    esm = await nativeImport(pathToFileURL(esmJs).href);
  });

  it('captures a TypeScript line once on the next call, with locals and the original file/line', () => {
    agent = createBreakpointAgent({ dataDir: false, evalTimeoutMs: 2000 }); // shared, loaded machine
    const line = lineOf('esm-app.ts', 'const result = sum - discount');
    const bp = agent.set({ file: esmTs, line, watch: ['sum * 2', 'order.items.length'] });
    expect(bp.state).toBe('active');
    expect(bp.generated?.url).toBe(pathToFileURL(esmJs).href);
    expect(bp.generated?.line).not.toBe(line); // interfaces vanish from the JS: the map is needed

    const order = { id: 'o1', items: [3, 4, 5], apiKey: 'k-123' };
    expect(esm.total(order, 2)).toBe(10); // the app's answer is unchanged
    expect(esm.total(order, 2)).toBe(10);

    const snaps = agent.snapshots();
    expect(snaps).toHaveLength(1);
    const [s] = snaps;
    expect(agent.get(bp.id)?.state).toBe('hit');
    expect(agent.get(bp.id)?.hits).toBe(1);
    expect(s!.file).toBe(esmTs);
    expect(s!.frames[0]!.file).toBe(esmTs);
    expect(s!.frames[0]!.line).toBe(line);
    expect(s!.frames[0]!.function).toBe('total');
    const locals = s!.frames[0]!.scopes!.find((sc) => sc.type === 'local')!.variables;
    expect(find(locals, 'sum')?.value).toBe(12);
    expect(find(locals, 'discount')?.value).toBe(2);
    expect(find(locals, 'password')).toMatchObject({ value: '[REDACTED]', note: 'redacted' });
    const orderVar = find(locals, 'order')!;
    expect(find(orderVar.members, 'id')?.value).toBe('o1');
    expect(find(orderVar.members, 'apiKey')?.value).toBe('[REDACTED]');
    expect(find(orderVar.members, 'items')?.members?.map((m) => m.value)).toEqual([3, 4, 5]);
    expect(s!.watches).toEqual([
      { expression: 'sum * 2', value: { name: 'sum * 2', type: 'number', value: 24 }, ms: expect.any(Number) },
      { expression: 'order.items.length', value: { name: 'order.items.length', type: 'number', value: 3 }, ms: expect.any(Number) },
    ]);
    expect(s!.frames.length).toBeGreaterThan(1);
    expect(agent.stats().debuggerEnabled).toBe(false); // the last armed breakpoint is gone
  });

  it('bounds what it captures: long strings, large arrays, byte budget', () => {
    agent = createBreakpointAgent({ dataDir: false, limits: { maxBytes: 4096 } });
    agent.set({ file: esmTs, line: lineOf('esm-app.ts', 'const result = sum - discount') });
    const order = { id: 'x'.repeat(500), items: Array.from({ length: 5000 }, (_, i) => i), apiKey: '' };
    esm.total(order, 0);
    const [s] = agent.snapshots();
    const orderVar = find(s!.frames[0]!.scopes![0]!.variables, 'order')!;
    expect(find(orderVar.members, 'id')).toMatchObject({ value: 'x'.repeat(100) + '…', note: 'truncated' });
    expect(find(orderVar.members, 'items')).toMatchObject({ value: 'Array(5000)', note: 'more' });
    expect(find(orderVar.members, 'items')!.members!.map((m) => m.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s!.truncated).toBe(true);
    expect(s!.bytes).toBeLessThan(4096 + 2048); // the budget stops expanding; frame names still count
    expect(JSON.stringify(s).length).toBeLessThan(16 * 1024);
  });

  it('binds a CommonJS TypeScript breakpoint set before the module loads (pending -> active)', () => {
    agent = createBreakpointAgent({ dataDir: false });
    const line = lineOf('cjs-app.cts', 'const label =');
    const bp = agent.set({ file: cjsTs, line, condition: 'n > 2' });
    expect(bp.state).toBe('pending');
    const cjs = nativeRequire(cjsJs);
    expect(agent.get(bp.id)?.state).toBe('active');
    expect(cjs.countItems({ owner: 'ann', lines: [{ sku: 'a', qty: 1 }] })).toBe(1); // condition false
    expect(agent.snapshots()).toHaveLength(0);
    expect(cjs.countItems({ owner: 'bob', lines: [{ sku: 'a', qty: 2 }, { sku: 'b', qty: 3 }] })).toBe(5);
    const [s] = agent.snapshots();
    expect(s!.frames[0]!.file).toBe(cjsTs);
    expect(s!.frames[0]!.line).toBe(line);
    const vars = s!.frames[0]!.scopes!.flatMap((sc) => sc.variables);
    expect(find(vars, 'n')?.value).toBe(5);
    expect(find(find(vars, 'cart')?.members, 'owner')?.value).toBe('bob');
  });

  it('binds a plain JavaScript file by URL once it loads', async () => {
    agent = createBreakpointAgent({ dataDir: false });
    const file = path.join(fixtures, 'plain.mjs');
    const bp = agent.set({ file, line: lineOf('plain.mjs', 'return greeting') });
    const plain = await nativeImport(pathToFileURL(file).href);
    expect(plain.greet('x')).toBe('hello x');
    expect(agent.get(bp.id)?.state).toBe('hit');
    const locals = agent.snapshots()[0]!.frames[0]!.scopes![0]!.variables;
    expect(find(locals, 'greeting')?.value).toBe('hello x');
  });
});

describe('createBreakpointAgent safety', () => {
  let esm: any;
  beforeAll(async () => {
    esm = await nativeImport(pathToFileURL(esmJs).href);
  });
  const line = lineOf('esm-app.ts', 'const result = sum - discount');
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return e instanceof DebugPanelInspectorError ? e.code + ': ' + e.message : String(e);
    }
    return 'no error';
  };

  it('refuses a side-effecting condition before arming anything', () => {
    agent = createBreakpointAgent({ dataDir: false });
    expect(code(() => agent.set({ file: esmTs, line, condition: 'order.items.push(1)' }))).toMatch(
      /^BAD_INPUT: condition "order.items.push\(1\)" refused: calling `order.items.push\(\)` is not allowed/,
    );
    expect(code(() => agent.set({ file: esmTs, line, condition: 'discount = 0' }))).toMatch(/assigns a value/);
    expect(code(() => agent.set({ file: esmTs, line, condition: 'sum >' }))).toMatch(/syntax error/);
    expect(code(() => agent.set({ file: esmTs, line, watch: ['order.items.push(99)'] }))).toMatch(/^BAD_INPUT: watch "order.items.push\(99\)" refused/);
    expect(agent.list()).toEqual([]);
    expect(agent.stats().debuggerEnabled).toBe(false);
    const order = { id: 'o', items: [1], apiKey: '' };
    expect(esm.total(order, 0)).toBe(1);
    expect(order.items).toEqual([1]);
  });

  it('shows a failing watch as its error and still captures the others', () => {
    agent = createBreakpointAgent({ dataDir: false, evalTimeoutMs: 2000 }); // a generous limit: the machine is shared
    agent.set({ file: esmTs, line, watch: ['order.nope.x', 'esm_state_mutation', 'sum'] });
    const order = { id: 'o', items: [1, 2], apiKey: '' };
    expect(esm.total(order, 0)).toBe(3);
    const [s] = agent.snapshots();
    expect(s!.watches[0]!.error).toMatch(/^TypeError: Cannot read properties of undefined/);
    expect(s!.watches[1]!.error).toMatch(/ReferenceError/);
    expect(s!.watches[2]!.value?.value).toBe(3);
  });

  it('refuses unknown files, lines out of range, bad fields and an 11th breakpoint', () => {
    agent = createBreakpointAgent({ dataDir: false });
    expect(code(() => agent.set({ file: 'nope.ts', line: 1 }))).toBe('BAD_INPUT: file not found: nope.ts');
    expect(code(() => agent.set({ file: esmTs, line: 999 }))).toMatch(/^BAD_INPUT: line must be an integer from 1 to \d+/);
    expect(code(() => agent.set({ file: esmTs, line: 3, conditon: 'x' } as never))).toMatch(/unknown field "conditon"; did you mean condition\?/);
    expect(code(() => agent.set({ file: esmTs, line: 3, kind: 'logpoint' }))).toMatch(/needs a message/);
    const many = path.join(fixtures, 'many-lines.mjs');
    agent.set({ file: many, line: 3 });
    expect(code(() => agent.set({ file: many, line: 3, condition: 'a > 1' }))).toMatch(/^BAD_INPUT: line 3 of .*many-lines.mjs already has breakpoint bp_\w+; remove it first/);
    for (let i = 4; i < 13; i++) agent.set({ file: many, line: i });
    expect(code(() => agent.set({ file: esmTs, line }))).toBe('LIMIT: at most 10 breakpoints may be armed at once; remove one first');
    for (const bp of agent.list()) agent.remove(bp.id);
    expect(agent.stats()).toMatchObject({ debuggerEnabled: false, armed: 0 });
  });

  it('expires a breakpoint and disables the debugger', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const t = { now: Date.now() };
      agent = createAgent({ dataDir: false }, { now: () => t.now });
      const bp = agent.set({ file: esmTs, line, expiresInMs: 30 });
      expect(agent.stats().debuggerEnabled).toBe(true);
      t.now += 30;
      vi.advanceTimersByTime(30);
      expect(agent.get(bp.id)?.state).toBe('expired');
      expect(agent.stats().debuggerEnabled).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('records the active trace and span and adds a debugpanel.snapshot event to the span', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
    try {
      agent = createBreakpointAgent({ dataDir: false });
      agent.set({ file: esmTs, line });
      const ids = trace.getTracer('t').startActiveSpan('GET /orders', (span) => {
        esm.total({ id: 'o', items: [5], apiKey: '' }, 1);
        span.end();
        return span.spanContext();
      });
      const [s] = agent.snapshots();
      expect(s!.traceId).toBe(ids.traceId);
      expect(s!.spanId).toBe(ids.spanId);
      const [finished] = exporter.getFinishedSpans();
      expect(finished!.events.map((e) => [e.name, e.attributes?.['debugpanel.snapshot.id']])).toEqual([['debugpanel.snapshot', s!.id]]);
    } finally {
      trace.disable();
      context.disable();
    }
  });

  it('stays off under --inspect and says so', () => {
    const dist = pathToFileURL(path.resolve(fixtures, '../dist/index.js')).href;
    const script = `import { createBreakpointAgent } from '${dist}';
      const a = createBreakpointAgent({ dataDir: false });
      let err; try { a.set({ file: ${JSON.stringify(esmTs)}, line: 3 }); } catch (e) { err = e.code; }
      console.log(JSON.stringify({ available: a.available, reason: a.stats().reason, err }));
      process.exit(0);`;
    const r = spawnSync(process.execPath, ['--inspect=127.0.0.1:0', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 15_000 });
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.available).toBe(false);
    expect(out.reason).toMatch(/runs under --inspect \(ws:\/\/127\.0\.0\.1:\d+\/.+\): live breakpoints stay off/);
    expect(out.err).toBe('UNAVAILABLE');
  });
});

describe('createBreakpointAgent logpoints', () => {
  let esm: any;
  beforeAll(async () => {
    esm = await nativeImport(pathToFileURL(esmJs).href);
  });

  it('writes formatted, redacted messages, honours its condition and the trace', () => {
    agent = createBreakpointAgent({ dataDir: false });
    const line = lineOf('esm-app.ts', 'const result = sum - discount');
    const bp = agent.set({ file: esmTs, line, condition: 'discount > 0', message: 'sum={sum} order={order} pw={password} bad={order.nope.x} {{x}}' });
    expect(bp).toMatchObject({ kind: 'logpoint', state: 'active', maxHits: null });
    expect(esm.total({ id: 'o1', items: [1, 2], apiKey: 'k' }, 0)).toBe(3); // condition false: nothing
    const exporter = new InMemorySpanExporter();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    let traceId = '';
    try {
      trace.getTracer('t').startActiveSpan('GET /x', (span) => {
        traceId = span.spanContext().traceId;
        expect(esm.total({ id: 'o2', items: [4, 5], apiKey: 'k' }, 1)).toBe(8);
        span.end();
      });
    } finally {
      trace.disable();
      context.disable();
    }
    const logs = agent.logs({ breakpointId: bp.id });
    expect(logs.map((l) => l.message)).toEqual([
      `sum=9 order={id: "o2", items: Array(2), apiKey: [REDACTED]} pw=[REDACTED] bad=<TypeError: Cannot read properties of undefined (reading 'x')> {x}`,
    ]);
    expect(logs[0]!.traceId).toBe(traceId);
    expect(agent.get(bp.id)!.hits).toBe(1);
    expect(agent.stats().hits).toBe(1);
  });

  it('refuses message parts with side effects', () => {
    agent = createBreakpointAgent({ dataDir: false });
    expect(() => agent.set({ file: esmTs, line: 13, message: 'x {order.items.pop()}' })).toThrow(/message part "order.items.pop\(\)" refused/);
    expect(agent.list()).toEqual([]);
  });

  it('leaves V8 inside the pause that spends its budget: a synchronous loop over the line runs free after 50 messages', () => {
    const t = Date.now(); // a frozen clock: the whole loop is one rate window, however slow the machine
    agent = createAgent({ dataDir: false }, { now: () => t });
    const bp = agent.set({ file: esmTs, line: lineOf('esm-app.ts', 'return doubled'), message: '{i}' });
    for (let i = 0; i < 20_000; i++) esm.loopBody(i);
    // Counted before the loop ever yields: the cool-down began inside the 50th pause.
    expect(agent.logs()).toHaveLength(50);
    expect(agent.stats()).toMatchObject({ pauses: 50, hits: 50, coolDowns: 1 });
    expect(agent.get(bp.id)).toMatchObject({ state: 'active', coolDowns: 1 });
  });

  it('stops at maxHits and disables the debugger', async () => {
    agent = createBreakpointAgent({ dataDir: false });
    const bp = agent.set({ file: esmTs, line: lineOf('esm-app.ts', 'return doubled'), message: '{i}', maxHits: 3 });
    for (let i = 0; i < 10; i++) esm.loopBody(i);
    expect(agent.logs().map((l) => l.message)).toEqual(['0', '1', '2']);
    expect(agent.get(bp.id)!.state).toBe('hit');
    await new Promise((r) => setImmediate(r));
    expect(agent.stats().debuggerEnabled).toBe(false);
  });
});

describe('createBreakpointAgent persistence', () => {
  it('restores breakpoints and snapshots from dataDir after a restart, and re-arms live ones', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dp-bp-data-'));
    const cjs = nativeRequire(cjsJs);
    const line = lineOf('cjs-app.cts', 'const label =');
    agent = createBreakpointAgent({ dataDir, evalTimeoutMs: 2000 });
    const first = agent.set({ file: cjsTs, line, maxHits: 2, watch: ['n'] });
    cjs.countItems({ owner: 'a', lines: [{ sku: 'x', qty: 4 }] });
    await agent.close();

    agent = createBreakpointAgent({ dataDir, evalTimeoutMs: 2000 });
    const [restored] = agent.list();
    expect(restored).toMatchObject({ id: first.id, state: 'active', hits: 1, watch: ['n'], file: cjsTs, line });
    expect(agent.snapshots().map((s) => s.watches[0]!.value?.value)).toEqual([4]);
    cjs.countItems({ owner: 'b', lines: [{ sku: 'x', qty: 7 }] });
    expect(agent.get(first.id)).toMatchObject({ state: 'hit', hits: 2 });
    expect(agent.snapshots().map((s) => s.watches[0]!.value?.value)).toEqual([7, 4]);
    await agent.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('re-arms only what passes the API validation, says why in a log line, and clamps a far expiry', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dp-bp-data-'));
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'dp-bp-elsewhere-'));
    try {
      writeFileSync(path.join(elsewhere, 'evil.js'), 'x;\n');
      const now = Date.now();
      const base = { kind: 'snapshot', watch: [], maxHits: 1, hits: 0, state: 'active', createdAt: now, expiresAt: now + 60_000 };
      const line = lineOf('cjs-app.cts', 'const label =');
      const saved = [
        { ...base, id: 'bp_far', file: cjsTs, line, expiresAt: now + 2 ** 31 + 60_000 },
        { ...base, id: 'bp_outside', file: path.join(elsewhere, 'evil.js'), line: 1 },
        { ...base, id: 'bp_dotenv', file: path.join(process.cwd(), '.env'), line: 1 },
        { ...base, id: 'bp_watch', file: cjsTs, line: line + 1, watch: ["''.constructor.constructor('return 1')()"] },
      ];
      writeFileSync(path.join(dataDir, 'breakpoints.json'), JSON.stringify({ version: 1, breakpoints: saved, snapshots: [] }));
      const warnings: string[] = [];
      agent = createBreakpointAgent({ dataDir, onWarning: (m) => warnings.push(m) });
      expect(agent.list().map((b) => [b.id, b.state])).toEqual([['bp_far', expect.stringMatching(/^(?:pending|active)$/)], ['bp_outside', 'error'], ['bp_dotenv', 'error'], ['bp_watch', 'error']]);
      expect(agent.get('bp_outside')!.error).toMatch(/^not restored: file must be a source file/);
      expect(agent.get('bp_watch')!.error).toMatch(/^not restored: watch .* refused: `constructor` is not available/);
      expect(warnings).toHaveLength(3);
      expect(warnings[0]).toMatch(/^breakpoint bp_outside \(.*evil\.js:1\) not restored: file must be/);
      // The far expiry is clamped to a day: its timer does not fire at once, as an overflowing one would.
      expect(agent.get('bp_far')!.expiresAt).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
      vi.advanceTimersByTime(10);
      expect(agent.get('bp_far')!.state).toMatch(/^(?:pending|active)$/);
    } finally {
      vi.useRealTimers();
      await agent.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
