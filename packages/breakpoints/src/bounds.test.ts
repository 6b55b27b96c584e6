import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compileFixture, lineOf, fixtures } from '../test-fixtures/compile.js';
import { createAgent, type BreakpointAgent } from './agent.js';

// What the agent keeps stays bounded, counted by what it drops. (What a hit costs, and what the
// rate limits leave of a hot loop, is measured in bench/: `npm run bench -- --only breakpoints`.)
const nativeRequire = createRequire(import.meta.url);
const nativeImport = nativeRequire('../test-fixtures/native-import.cjs') as (u: string) => Promise<any>;
const gen = mkdtempSync(path.join(tmpdir(), 'dp-bp-bounds-'));
const esmTs = path.join(fixtures, 'esm-app.ts');
let app: any;
let agent: BreakpointAgent | undefined;
beforeAll(async () => {
  app = await nativeImport(pathToFileURL(compileFixture('esm-app.ts', 'esm', gen)).href);
});
afterEach(async () => {
  await agent?.close();
  agent = undefined;
});
afterAll(() => rmSync(gen, { recursive: true, force: true }));
const unlimited = { logRateLimit: 1_000_000, snapshotRateLimit: 1_000_000, pauseRateLimit: 1_000_000 };

describe('bounded buffers', () => {
  it('keeps the last maxLogs messages of 600 logpoint hits and counts the rest', () => {
    agent = createAgent({ dataDir: false, maxLogs: 200, ...unlimited });
    const bp = agent.set({ file: esmTs, line: lineOf('esm-app.ts', 'return doubled'), message: 'i={i} {[i, doubled]}' });
    for (let i = 0; i < 600; i++) app.loopBody(i);
    const logs = agent.logs();
    expect(agent.get(bp.id)!.hits).toBe(600);
    expect(logs).toHaveLength(200);
    expect(agent.stats().logsDropped).toBe(400);
    expect(logs.at(-1)!.message).toBe('i=599 [599, 1198]');
    expect(agent.logs({ after: logs.at(-2)!.seq }).map((l) => l.seq)).toEqual([logs.at(-1)!.seq]);
    expect(agent.logs({ after: 0 })).toHaveLength(200);
  });

  it('keeps the last maxSnapshots snapshots, each within the byte budget, and counts the rest', () => {
    agent = createAgent({ dataDir: false, maxSnapshots: 20, ...unlimited });
    const bp = agent.set({ file: esmTs, line: lineOf('esm-app.ts', 'const result = sum - discount'), maxHits: 60, watch: ['order.items.slice(0, 3)', 'sum'] });
    const order = { id: 'x'.repeat(500), items: Array.from({ length: 1000 }, (_, i) => i), apiKey: 'k' };
    for (let i = 0; i < 80; i++) app.total(order, i);
    const snaps = agent.snapshots();
    expect(agent.get(bp.id)).toMatchObject({ hits: 60, state: 'hit' });
    expect(snaps).toHaveLength(20);
    expect(agent.stats().snapshotsDropped).toBe(40);
    expect(Math.max(...snaps.map((s) => s.bytes))).toBeLessThan(24 * 1024);
    expect(snaps[0]!.truncated).toBe(true); // 1000 items > 10 properties, 500 chars > 100
    expect(agent.snapshot(snaps[5]!.id)).toBe(snaps[5]);
  });
});
