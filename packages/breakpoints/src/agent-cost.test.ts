import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { compileFixture, fixtures } from '../test-fixtures/compile.js';

// Cost tests run in a child process: vitest's worker has a deep stack and thousands of scripts,
// which makes every pause costlier than in an app. Ratios are measured within one run (the
// machine is shared and noisy) and the bounds are loose.
const gen = mkdtempSync(path.join(tmpdir(), 'dp-bp-cost-'));
const compiled = compileFixture('esm-app.ts', 'esm', gen);
afterAll(() => rmSync(gen, { recursive: true, force: true }));

async function run(scenario: string): Promise<any> {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(fixtures, 'cost-runner.mjs'), scenario, compiled], { timeout: 100_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

describe('logpoint rate limit', () => {
  it('logs about the configured rate from a line run ~1000 times a second, and the loop keeps >= 80% throughput', async () => {
    const r = await run('rate');
    expect(r.kind).toBe('logpoint');
    // About 1000 runs a second on an idle machine; far above the limit of 50 even on a loaded one.
    expect(r.baseline / r.seconds).toBeGreaterThan(100);
    // Three one-second segments with the logpoint: about 50 each; a window boundary inside a
    // segment allows a second window there.
    expect(r.logs).toBeGreaterThanOrEqual(3 * 40);
    expect(r.logs).toBeLessThanOrEqual(3 * 100);
    const [, d, i] = /^doubled=(\d+) i=(\d+)$/.exec(r.first)!;
    expect(Number(d)).toBe(2 * Number(i));
    expect(r.coolDowns).toBeGreaterThanOrEqual(1);
    expect(r.throughputRatio).toBeGreaterThanOrEqual(0.8); // units per CPU second, with vs without
  }, 60_000);
});

describe('cost control', () => {
  it('disables the debugger after the last breakpoint and the hot function runs at its baseline speed', async () => {
    const r = await run('baseline');
    expect(r.enabled).toBe(true);
    expect(r.disabledAfter).toBe(true);
    expect(r.armed / r.base).toBeLessThan(1.5);
    expect(r.after / r.base).toBeLessThan(1.3);
  }, 60_000);

  it('10,000 logpoint hits leave heap growth under 20 MB (bounded log)', async () => {
    const r = await run('heap');
    expect(r).toMatchObject({ hits: 10_200, logs: 500, dropped: 10_200 - 500, last: 'i=9999 [9999, 19998]' });
    expect(r.growth).toBeLessThan(20 * 1024 * 1024);
  }, 100_000);

  it('300 snapshots stay bounded: object groups released, old snapshots dropped and counted, each within the byte budget', async () => {
    const r = await run('snapshots');
    expect(r.bp).toMatchObject({ hits: 300, state: 'hit' });
    expect(r.snaps).toBe(20);
    expect(r.dropped).toBe(280);
    expect(r.maxBytes).toBeLessThan(24 * 1024);
    expect(r.truncated).toBe(true); // 1000 items > 10 properties, 500 chars > 100
    expect(r.growth).toBeLessThan(20 * 1024 * 1024);
  }, 100_000);
});
