import { describe, expect, it } from 'vitest';
import { codeOrigin, fromCpuProfile, type CpuProfile } from './cpu-profile.js';

const frame = (functionName: string, url = '/app/src/server.js', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 4, scriptId: '1' });

// (root) -> main -> [work, (garbage collector)]; samples every 1000 µs
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 5] },
    { id: 2, callFrame: frame('main', '/app/src/server.js', 9), children: [3, 4] },
    { id: 3, callFrame: frame('work', '/app/node_modules/@scope/lib/index.js') },
    { id: 4, callFrame: frame('', 'node:internal/timers') },
    { id: 5, callFrame: frame('(garbage collector)', '') },
  ],
  startTime: 0,
  endTime: 6000,
  samples: [2, 3, 3, 4, 5, 3],
  timeDeltas: [0, 1000, 1000, 1000, 1000, 1000],
};

describe('fromCpuProfile', () => {
  it('turns samples into self and total milliseconds, each sample lasting until the next', () => {
    const root = fromCpuProfile(profile);
    expect(root).toMatchObject({ name: '(root)', service: 'v8', self: 0, total: 6 });
    const [main, gc] = root.children;
    expect(main).toMatchObject({ name: 'main', service: 'app', self: 1, total: 5, source: '/app/src/server.js:10:5' });
    expect(gc).toMatchObject({ name: '(garbage collector)', self: 1, total: 1 });
    expect(main!.children.map((c) => [c.name, c.service, c.self])).toEqual([
      ['work', '@scope/lib', 3],
      ['(anonymous)', 'node', 1],
    ]);
  });

  it('counts negative time deltas as zero', () => {
    const root = fromCpuProfile({ ...profile, samples: [2, 3, 2], timeDeltas: [0, 2000, -500], endTime: 2500 });
    // stamps 0, 2000, 1500: main gets 2 ms, then 1 ms (1500 to the end); work's span is negative.
    expect(root.total).toBeCloseTo(3);
    expect(root.children[0]!.self).toBeCloseTo(3);
    expect(root.children[0]!.children[0]!.total).toBe(0);
  });

  it('falls back to hitCount when there are no samples', () => {
    const nodes = profile.nodes.map((n) => ({ ...n, hitCount: n.id === 3 ? 3 : n.id === 2 ? 1 : 0 }));
    const root = fromCpuProfile({ nodes, startTime: 0, endTime: 4000 });
    expect(root.total).toBe(4);
    expect(root.children[0]!.children[0]!.self).toBe(3);
  });

  it('accepts older profiles that name parents instead of children', () => {
    const root = fromCpuProfile({
      nodes: [
        { id: 1, callFrame: frame('(root)', '') },
        { id: 2, callFrame: frame('f'), parent: 1 },
      ],
      startTime: 0, endTime: 2000, samples: [2, 2], timeDeltas: [0, 1000],
    });
    expect(root.children[0]).toMatchObject({ name: 'f', total: 2 });
  });

  it.each([
    [null, /not an object/],
    [{ nodes: [] }, /nodes/],
    [{ nodes: [{ id: 1 }] }, /callFrame/],
    [{ nodes: [{ id: 1, callFrame: frame('a') }, { id: 1, callFrame: frame('b') }] }, /twice/],
    [{ ...profile, timeDeltas: [1] }, /timeDeltas/],
  ])('refuses a malformed profile with a clear message (%#)', (bad, msg) => {
    expect(() => fromCpuProfile(bad as unknown as CpuProfile)).toThrow(msg);
  });
});

describe('codeOrigin', () => {
  it('names V8, node internals, packages and the app', () => {
    expect(codeOrigin(frame('(program)', ''))).toBe('v8');
    expect(codeOrigin(frame('nativeFn', ''))).toBe('native');
    expect(codeOrigin(frame('x', 'node:fs'))).toBe('node');
    expect(codeOrigin(frame('x', 'file:///a/node_modules/express/lib/router.js'))).toBe('express');
    expect(codeOrigin(frame('x', '/a/node_modules/x/node_modules/@o/p/i.js'))).toBe('@o/p');
    expect(codeOrigin(frame('x', '/a/src/app.js'))).toBe('app');
  });
});

describe('fromCpuProfile on a real profile', () => {
  it('reads what `node --cpu-prof` writes, and its total is the profile length', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, readdirSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'flame-'));
    try {
      execFileSync(process.execPath, [
        '--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200',
        '-e', 'function spin(){const t=Date.now();let x=0;while(Date.now()-t<60)x+=Math.sqrt(x+1);return x}spin()',
      ]);
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
      const raw = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
      const root = fromCpuProfile(raw);
      expect(root.name).toBe('(root)');
      // Samples cover the first sample to the end; time before the first belongs to none, as in
      // DevTools. Negative deltas (out-of-order samples) only add clamped gaps on top.
      const firstSample = raw.startTime + raw.timeDeltas![0]!;
      const covered = (raw.endTime - firstSample) / 1000;
      if (raw.timeDeltas!.every((d) => d >= 0)) expect(root.total).toBeCloseTo(covered, 6);
      else expect(root.total).toBeGreaterThanOrEqual(covered - 1e-9);
      const names: string[] = [];
      const walk = (n: typeof root): void => { names.push(n.name); n.children.forEach(walk); };
      walk(root);
      expect(names).toContain('spin');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
