import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RateWindow } from './budget.js';
import { FakeSession } from './fake-session.js';
import type { Entry } from './runtime.js';
import type { Breakpoint } from './types.js';
import { V8Breakpoints } from './v8-breakpoints.js';

const entry = (file: string, line = 3): Entry => ({
  bp: { id: 'bp_1', file, line, kind: 'snapshot', watch: [], maxHits: 1, hits: 0, state: 'pending', createdAt: 0, expiresAt: 1 } as Breakpoint,
  window: new RateWindow(10, 10),
  unsafeStreak: 0,
});

describe('V8Breakpoints', () => {
  it('arms a JavaScript file not loaded yet by URL pattern, with no condition, and takes it out again', () => {
    const fake = new FakeSession();
    const v8 = new V8Breakpoints(fake, () => {});
    const e = entry('/app/src/a b.mjs');
    v8.arm(e);
    const [set] = fake.posts;
    expect(set).toEqual({ method: 'Debugger.setBreakpointByUrl', params: { urlRegex: '^(?:/app/src/a b\\.mjs|file:///app/src/a%20b\\.mjs)$', lineNumber: 2 } });
    expect(e.bp.state).toBe('active');
    expect(v8.entryOf(e.v8Id!)).toBe(e);
    expect(v8.disarm(e, true)).toBe(true);
    expect(fake.breakpoints.size).toBe(0);
    expect(e.v8Id).toBeUndefined();
  });

  it('arms a loaded script by its URL, and keeps a TypeScript file without a loaded map pending', () => {
    const fake = new FakeSession();
    const v8 = new V8Breakpoints(fake, () => {});
    v8.onScriptParsed({ scriptId: '7', url: 'file:///app/b.js' }, []);
    const e = entry(path.normalize('/app/b.js'), 5);
    v8.arm(e);
    expect(fake.posts.at(-1)!.params).toEqual({ url: 'file:///app/b.js', lineNumber: 4, columnNumber: 0 });
    const ts = entry('/app/src/c.ts');
    v8.arm(ts);
    expect(ts.bp.state).toBe('pending');
    expect(fake.count('Debugger.setBreakpointByUrl')).toBe(1);
  });

  it('turns a refusal by V8 into state error', () => {
    const fake = new FakeSession();
    fake.answer('Debugger.setBreakpointByUrl', () => {
      throw new Error('Breakpoint at specified location already exists');
    });
    const e = entry('/app/a.js');
    new V8Breakpoints(fake, () => {}).arm(e);
    expect(e.bp).toMatchObject({ state: 'error', error: 'V8 refused the breakpoint: Breakpoint at specified location already exists' });
  });
});
