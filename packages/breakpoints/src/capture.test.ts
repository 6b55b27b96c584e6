import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, lineOf } from '../test-fixtures/compile.js';
import { createBreakpointAgent, type BreakpointAgent } from './index.js';
import type { CapturedValue } from './types.js';

// Capture never runs app code: getters on objects and class instances, index getters on small and
// large arrays (a large one is copied head-first, see ARRAY_HEAD), Proxy traps. Each getter and
// trap of the fixture counts its calls.
const nativeRequire = createRequire(import.meta.url);
const nativeImport = nativeRequire('../test-fixtures/native-import.cjs') as (u: string) => Promise<any>;
const appFile = path.join(fixtures, 'getters-app.mjs');
const line = lineOf('getters-app.mjs', 'BP-GETTERS');
const find = (vars: CapturedValue[] | undefined, name: string) => vars?.find((v) => v.name === name);

let app: any;
let agent: BreakpointAgent | undefined;
beforeAll(async () => {
  app = await nativeImport(pathToFileURL(appFile).href);
});
afterEach(async () => {
  await agent?.close();
  agent = undefined;
});

describe('capture runs no app code', () => {
  it('lists getters, index getters and Proxies in a snapshot without calling them', () => {
    agent = createBreakpointAgent({ dataDir: false, limits: { maxDepth: 3 } });
    agent.set({ file: appFile, line });
    app.calls.n = 0;
    app.inspect();
    expect(app.calls.n).toBe(0);
    const vars = agent.snapshots()[0]!.frames[0]!.scopes!.find((s) => s.type === 'local')!.variables;
    expect(find(find(vars, 'obj')!.members, 'lazy')).toEqual({ name: 'lazy', type: 'accessor', value: '(getter)' });
    expect(find(vars, 'small')!.members!.map((m) => m.value)).toEqual(['(getter)', 2, 3]);
    const big = find(vars, 'big')!;
    expect(big).toMatchObject({ value: 'Array(50)', note: 'more' });
    expect(big.members!.map((m) => m.value)).toEqual([0, 1, 2, '(getter)', 4, 5, 6, 7, 8, 9]);
    expect(find(vars, 'prox')).toEqual({ name: 'prox', type: 'object', value: 'Proxy(Object)' });
    expect(find(vars, 'acct')!.members).toEqual([{ name: 'own', type: 'accessor', value: '(getter)' }]);
    expect(find(find(find(vars, 'nested')!.members, 'inner')!.members, 'deep')!.value).toBe('(getter)');
  });

  it('formats logpoint values without calling getters or traps', () => {
    agent = createBreakpointAgent({ dataDir: false });
    agent.set({ file: appFile, line, message: '{obj} {small} {big} {prox} {acct} {nested}' });
    app.calls.n = 0;
    app.inspect();
    expect(app.calls.n).toBe(0);
    expect(agent.logs()[0]!.message).toBe(
      '{plain: 1, lazy: (getter)} [(getter), 2, 3] [0, 1, 2, (getter), 4, 5, 6, 7, 8, 9, …] Proxy(Object) Account {own: (getter)} {inner: Object, list: Array(50)}',
    );
  });
});
