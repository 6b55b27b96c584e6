import { describe, expect, it } from 'vitest';
import { Redactor, type SpanRecord } from '@debugpanel/model';
import { ErrorCapture, MAX_RECENT_ROOTS } from './error-capture.js';

let seq = 0;
function localRoot(route: string, user?: string): SpanRecord {
  seq++;
  return {
    traceId: seq.toString(16).padStart(32, 'a'),
    spanId: seq.toString(16).padStart(16, 'b'),
    name: `GET ${route}`,
    kind: 'server',
    service: 'shop',
    startTime: 1_700_000_000_000 + seq,
    duration: 2,
    status: { code: 'unset' },
    attributes: { 'http.route': route, ...(user === undefined ? {} : { 'user.id': user }) },
    events: [],
  };
}

function capture(): ErrorCapture {
  return new ErrorCapture({ service: 'shop', redactor: new Redactor(), process: false });
}

/** The route and user the newest occurrence of the only group got. */
function newest(c: ErrorCapture): { route?: string; user?: string } {
  c.flush();
  const [group] = c.groups.list().groups;
  const occurrence = c.groups.get(group!.fingerprint)!.occurrences[0]!;
  return { route: occurrence.route, user: occurrence.user };
}

describe('ErrorCapture: recent local roots (for errors logged after their request ended)', () => {
  it('a logged error naming a recent trace gets its route and user, the newest root of that trace', () => {
    const c = capture();
    const a = localRoot('/orders/:id', 'u-1');
    c.onSpan(a);
    for (let i = 0; i < 100; i++) c.onSpan(localRoot('/other'));
    c.record(new Error('late failure'), { traceId: a.traceId, time: Date.now() });
    expect(newest(c)).toEqual({ route: '/orders/:id', user: 'u-1' });
    c.close();
  });

  it(`remembers the newest ${MAX_RECENT_ROOTS} roots only (a ring): an older trace's logged error has no route`, () => {
    const c = capture();
    const old = localRoot('/old');
    c.onSpan(old);
    const kept: SpanRecord[] = [];
    for (let i = 0; i < MAX_RECENT_ROOTS; i++) {
      const r = localRoot(`/r${i % 7}`);
      kept.push(r);
      c.onSpan(r);
    }
    c.record(new Error('too late'), { traceId: old.traceId });
    expect(newest(c).route).toBeUndefined();
    // The oldest still remembered (just wrapped around) is found.
    c.record(new Error('too late'), { traceId: kept[0]!.traceId });
    expect(newest(c).route).toBe('/r0');
    c.close();
  });

  it('before the ring fills, an unknown trace is simply not found', () => {
    const c = capture();
    c.onSpan(localRoot('/a'));
    c.record(new Error('no such trace'), { traceId: 'f'.repeat(32) });
    expect(newest(c).route).toBeUndefined();
    c.close();
  });
});
