import { describe, expect, it } from 'vitest';
import { createProfiler, DebugPanelInspectorError } from './index.js';

function spin(ms: number): number {
  let x = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) x = (x + Math.sqrt(x + 1)) % 1e9;
  return x;
}

describe('createProfiler', () => {
  it('records a 1 s CPU profile with nodes and samples, and refuses a second one while busy', async () => {
    const profiler = createProfiler();
    const running = profiler.record(1);
    expect(profiler.busy).toBe(true);
    await expect(profiler.record(1)).rejects.toMatchObject({ code: 'BUSY', message: expect.stringMatching(/already being recorded/) });
    const timer = setInterval(() => spin(20), 30);
    const rec = await running.finally(() => clearInterval(timer));
    expect(profiler.busy).toBe(false);
    expect(rec.profile.nodes.length).toBeGreaterThan(1);
    expect(rec.profile.samples!.length).toBeGreaterThan(10);
    expect(rec.profile.timeDeltas!.length).toBe(rec.profile.samples!.length);
    expect(rec.profile.endTime - rec.profile.startTime).toBeGreaterThanOrEqual(900_000); // µs
    expect(rec.profile.nodes[0]!.callFrame.functionName).toBe('(root)');
    expect(rec.profile.nodes.some((n) => n.callFrame.functionName === 'spin')).toBe(true);
    expect(profiler.list()).toEqual([{ id: rec.id, startedAt: rec.startedAt, seconds: 1, samples: rec.samples, nodes: rec.nodes }]);
    expect(profiler.get(rec.id)?.profile).toBe(rec.profile);
  });

  it('keeps the last few profiles and counts the dropped ones', async () => {
    const profiler = createProfiler({ maxProfiles: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await profiler.record(0.05)).id);
    expect(profiler.list().map((p) => p.id)).toEqual([ids[2], ids[1]]);
    expect(profiler.get(ids[0]!)).toBeUndefined();
    expect(profiler.dropped).toBe(1);
  });

  it('refuses bad durations and options with clear messages', async () => {
    const profiler = createProfiler();
    for (const s of [0, -1, 31, Number.NaN, '2' as unknown as number]) {
      const err = await profiler.record(s).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DebugPanelInspectorError);
      expect(err).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/seconds must be a number above 0 and at most 30/) });
    }
    expect(profiler.busy).toBe(false);
    expect(() => createProfiler({ maxSeconds: 60 })).toThrow(/maxSeconds/);
    expect(() => createProfiler({ maxProfile: 3 } as never)).toThrow(/unknown option "maxProfile"/);
  });
});
