import { RingBuffer } from '@debugpanel/model';
import type { LogEntry, Snapshot } from './types.js';

/**
 * What the agent has captured: the last `maxSnapshots` snapshots and `maxLogs` logpoint messages,
 * in bounded FIFOs that count what they drop.
 */
export class Recorder {
  private readonly snaps: RingBuffer<Snapshot>;
  private readonly logs: RingBuffer<LogEntry>;
  private seq = 0;
  snapshotsDropped = 0;
  logsDropped = 0;

  constructor(maxSnapshots: number, maxLogs: number) {
    this.snaps = new RingBuffer(maxSnapshots);
    this.logs = new RingBuffer(maxLogs);
  }

  addSnapshot(s: Snapshot): void {
    if (this.snaps.push(s)) this.snapshotsDropped++;
  }

  /** Appends a message with the next `seq`. */
  addLog(entry: Omit<LogEntry, 'seq'>): LogEntry {
    const e: LogEntry = { seq: ++this.seq, ...entry };
    if (this.logs.push(e)) this.logsDropped++;
    return e;
  }

  /** Newest first. */
  snapshots(breakpointId?: string): Snapshot[] {
    const out: Snapshot[] = [];
    for (const s of this.snaps.reversed()) if (!breakpointId || s.breakpointId === breakpointId) out.push(s);
    return out;
  }

  snapshot(id: string): Snapshot | undefined {
    for (const s of this.snaps) if (s.id === id) return s;
    return undefined;
  }

  allSnapshots(): Snapshot[] {
    return this.snaps.toArray();
  }

  /** Oldest first, with `seq` above `after`: seqs grow by one, so the start is found by binary search. */
  messages(breakpointId?: string, after?: number): LogEntry[] {
    let lo = 0;
    if (after !== undefined) {
      let hi = this.logs.size;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.logs.at(mid)!.seq <= after) lo = mid + 1;
        else hi = mid;
      }
    }
    const out: LogEntry[] = [];
    for (let i = lo; i < this.logs.size; i++) {
      const l = this.logs.at(i)!;
      if (!breakpointId || l.breakpointId === breakpointId) out.push(l);
    }
    return out;
  }
}
