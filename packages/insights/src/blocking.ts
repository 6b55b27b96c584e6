/**
 * Synchronous calls per process, for charging a blocked event loop to what blocked it. A
 * better-sqlite3 statement runs on the process's only thread: while it runs, every other request
 * the process holds waits (its handler's self time, or the time a caller's request sat unread,
 * stretches), though none of them called the statement. The engine notes each such call as its
 * span arrives; digesting a trace then asks which other traces' calls overlapped its path.
 */
import type { SpanRecord } from '@debugpanel/model';

/** One synchronous call: ms since epoch. */
export interface BlockingCall {
  start: number;
  end: number;
  span: SpanRecord;
}

/** The synchronous calls of `process` (see `processOf`) that overlap [from, to), any trace. */
export type BlockingFn = (process: string, from: number, to: number) => Iterable<BlockingCall>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** The process a span ran in: its service, and its instance when the resource names one. */
export function processOf(span: SpanRecord): string {
  const r = span.resource;
  const instance = r ? str(r['service.instance.id']) ?? str(r['process.pid']) : undefined;
  return instance === undefined ? span.service : `${span.service}\0${instance}`;
}

/**
 * The default test of a span that holds its process's thread for its whole duration: a call to
 * SQLite, whose Node drivers (better-sqlite3, node:sqlite) are synchronous.
 */
export function isBlockingSpan(span: SpanRecord): boolean {
  if (span.kind !== 'client') return false;
  return (span.attributes['db.system.name'] ?? span.attributes['db.system']) === 'sqlite';
}

/**
 * A bounded record of recent synchronous calls per process, kept in start order (one process's
 * calls cannot overlap: they share a thread), read back by time range.
 *
 * @example
 * const calls = new BlockingCalls(10_000);
 * calls.add(sqliteSpan);
 * for (const c of calls.overlapping('inventory', t0, t1)) console.log(c.span.name, c.end - c.start);
 */
export class BlockingCalls {
  private readonly byProcess = new Map<string, { calls: BlockingCall[]; longest: number }>();
  private size = 0;
  /** calls dropped because the bound was reached (the oldest of the process go) */
  dropped = 0;

  constructor(private readonly max: number) {}

  get count(): number {
    return this.size;
  }

  add(span: SpanRecord): void {
    if (!(span.duration > 0)) return;
    const key = processOf(span);
    let p = this.byProcess.get(key);
    if (!p) this.byProcess.set(key, (p = { calls: [], longest: 0 }));
    if (this.size >= this.max) {
      // the oldest call of the fullest process makes room
      let victim = p;
      for (const q of this.byProcess.values()) if (q.calls.length > victim.calls.length) victim = q;
      victim.calls.shift();
      this.size--;
      this.dropped++;
    }
    const call = { start: span.startTime, end: span.startTime + span.duration, span };
    const list = p.calls;
    let i = list.length;
    while (i > 0 && list[i - 1]!.start > call.start) i--; // arrivals are nearly in order
    list.splice(i, 0, call);
    p.longest = Math.max(p.longest, span.duration);
    this.size++;
  }

  /** Forgets calls that ended before `before` (ms since epoch). */
  prune(before: number): void {
    for (const [key, p] of this.byProcess) {
      let n = 0;
      while (n < p.calls.length && p.calls[n]!.end < before) n++;
      if (n) {
        p.calls.splice(0, n);
        this.size -= n;
      }
      if (p.calls.length === 0) this.byProcess.delete(key);
      else p.longest = p.calls.reduce((m, c) => Math.max(m, c.end - c.start), 0);
    }
  }

  *overlapping(process: string, from: number, to: number): Iterable<BlockingCall> {
    const p = this.byProcess.get(process);
    if (!p || to <= from) return;
    const list = p.calls;
    // the first call that starts at or after `to`, by bisection; then back while one can still reach `from`
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.start < to) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0; i--) {
      const c = list[i]!;
      if (c.start + p.longest <= from) break;
      if (c.end > from) yield c;
    }
  }
}
