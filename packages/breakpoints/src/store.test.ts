import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BreakpointStore } from './store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'dp-bp-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('BreakpointStore', () => {
  it('starts empty, coalesces scheduled writes and reads them back', async () => {
    const store = new BreakpointStore(path.join(dir, 'a'), 10_000);
    expect(store.read()).toEqual({ version: 1, breakpoints: [], snapshots: [] });
    let calls = 0;
    const state = () => {
      calls++;
      return { version: 1 as const, breakpoints: [], snapshots: [] };
    };
    store.schedule(state);
    store.schedule(state);
    await store.flush();
    expect(calls).toBe(1);
    expect(JSON.parse(readFileSync(store.file, 'utf8'))).toEqual({ version: 1, breakpoints: [], snapshots: [] });
  });

  it('treats a corrupt or foreign file as empty', () => {
    const store = new BreakpointStore(path.join(dir, 'b'));
    writeFileSync(store.file, '{not json');
    expect(store.read().breakpoints).toEqual([]);
    writeFileSync(store.file, JSON.stringify({ version: 2, breakpoints: 'x' }));
    expect(store.read().breakpoints).toEqual([]);
  });

  it('writes the file 0600 in a 0700 folder, an existing folder included', async () => {
    const folder = path.join(dir, 'c');
    mkdirSync(folder, { mode: 0o755 });
    const store = new BreakpointStore(folder, 10_000);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    store.schedule(() => ({ version: 1, breakpoints: [], snapshots: [] }));
    await store.flush();
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
  });
});
