import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compileFixture, fixtures, lineOf } from '../test-fixtures/compile.js';
import { createBreakpointAgent, type BreakpointAgent } from './index.js';
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
    agent = createBreakpointAgent({ dataDir: false });
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
      { expression: 'sum * 2', value: { name: 'sum * 2', type: 'number', value: 24 } },
      { expression: 'order.items.length', value: { name: 'order.items.length', type: 'number', value: 3 } },
    ]);
    expect(s!.frames.length).toBeGreaterThan(1);
    expect(agent.stats().debuggerEnabled).toBe(false); // the last armed breakpoint is gone
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
