import { describe, expect, it } from 'vitest';
import { Recorder } from './recorder.js';
import type { Snapshot } from './types.js';

const snap = (id: string, breakpointId = 'bp_a') => ({ id, breakpointId }) as Snapshot;

describe('Recorder', () => {
  it('keeps the newest snapshots, newest first, and counts the dropped', () => {
    const r = new Recorder(2, 10);
    r.addSnapshot(snap('s1'));
    r.addSnapshot(snap('s2', 'bp_b'));
    r.addSnapshot(snap('s3'));
    expect(r.snapshots().map((s) => s.id)).toEqual(['s3', 's2']);
    expect(r.snapshots('bp_a').map((s) => s.id)).toEqual(['s3']);
    expect(r.snapshot('s1')).toBeUndefined();
    expect(r.snapshotsDropped).toBe(1);
  });

  it('numbers messages and finds those after a seq', () => {
    const r = new Recorder(1, 3);
    for (let i = 0; i < 5; i++) r.addLog({ breakpointId: i % 2 ? 'bp_b' : 'bp_a', time: i, message: `m${i}` });
    expect(r.messages().map((l) => [l.seq, l.message])).toEqual([[3, 'm2'], [4, 'm3'], [5, 'm4']]);
    expect(r.messages(undefined, 3).map((l) => l.seq)).toEqual([4, 5]);
    expect(r.messages('bp_a', 0).map((l) => l.seq)).toEqual([3, 5]);
    expect(r.messages(undefined, 9)).toEqual([]);
    expect(r.logsDropped).toBe(2);
  });
});
