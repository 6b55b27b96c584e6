import { describe, expect, it } from 'vitest';
import type { FailureReach, MapEdge, MapNode } from '@debugpanel/model';
import { nodeStatus, onlyCallerNotSeen, userEdgeNote } from './map-status.js';

const lat = { p50: 1, p95: 2, p99: 3 };
const node = (id: string, requests: number, errors = 0): MapNode => ({
  id, name: id.replace(/^\w+:/, ''), kind: id === 'user' ? 'user' : 'service', instrumented: true, requests, errors, latency: lat,
});
const edge = (source: string, target: string, requests: number, errors = 0, impact: MapEdge['impact'] = 'unknown', extra: Partial<MapEdge> = {}): MapEdge => ({
  id: `${source}->${target}`, source, target, requests, errors, latency: lat,
  failures: { hard: impact === 'hard' ? errors : 0, soft: impact === 'soft' ? errors : 0 }, impact, traceIds: [], ...extra,
});
const name = (id: string) => id.replace(/^\w+:/, '');
const none: FailureReach = { fails: [], mayFail: [] };

describe('nodeStatus', () => {
  it('does not say nothing failed when an incoming edge shows errors the node itself does not (a 4xx answer)', () => {
    // The demo: inventory answers 409 (not a server error), orders' client span counts it as failed.
    const inventory = node('svc:inventory', 730, 0);
    const edges = [edge('svc:orders', 'svc:inventory', 730, 44, 'soft'), edge('svc:gateway', 'svc:orders', 911, 74, 'hard')];
    const s = nodeStatus(inventory, edges, none, name);
    expect(s).toMatchObject({ callsIn: 730, failedIn: 44, tone: 'warn' });
    expect(s.failingCallers).toEqual([{ id: 'svc:orders', errors: 44, requests: 730, impact: 'soft' }]);
    expect(s.text).toBe('44 of 730 calls to it failed (6.0 %), from orders; each time the caller recovered (soft), so nothing failed with it.');
    expect(s.text).not.toMatch(/nothing was seen failing/i);
  });

  it('says what is unknown when failed calls have no known caller outcome', () => {
    const s = nodeStatus(node('svc:b', 10), [edge('svc:a', 'svc:b', 10, 2, 'unknown')], { fails: [], mayFail: ['svc:a'] }, name);
    expect(s.tone).toBe('warn');
    expect(s.text).toMatch(/^2 of 10 calls to it failed \(20\.0 %\), from a; whether their callers failed too is not known/);
  });

  it('leads into the list of hard dependents when some failed with it', () => {
    const edges = [edge('svc:a', 'svc:b', 10, 5, 'hard'), edge('svc:c', 'svc:b', 10, 1, 'soft')];
    const s = nodeStatus(node('svc:b', 20, 6), edges, { fails: ['svc:a'], mayFail: [] }, name);
    expect(s.tone).toBe('err');
    expect(s.text).toBe('6 of 20 calls to it failed (30.0 %); these failed with it (hard dependencies):');
    expect(s.failingCallers.map((c) => c.id)).toEqual(['svc:a', 'svc:c']);
  });

  it('mentions the node\'s own errors when no call into it failed (a root service)', () => {
    const s = nodeStatus(node('svc:gateway', 100, 3), [edge('user', 'svc:gateway', 100, 0)], none, name);
    expect(s).toMatchObject({ tone: 'warn', failedIn: 0 });
    expect(s.text).toBe('3 of its 100 requests failed (3.0 %), but no call to it was seen failing.');
  });

  it('says nothing was seen failing only when no call into it failed, and ignores self-calls and other targets', () => {
    const edges = [edge('svc:a', 'svc:b', 10, 0), edge('svc:b', 'svc:b', 4, 4), edge('svc:b', 'svc:c', 5, 5)];
    const s = nodeStatus(node('svc:b', 10), edges, none, name);
    expect(s).toMatchObject({ callsIn: 10, failedIn: 0, tone: 'ok', text: 'None of the 10 calls to it failed: nothing was seen failing with it.' });
    expect(nodeStatus(node('user', 0), edges, undefined, name).text).toBe('Nothing calls it in this window.');
  });
});

describe('userEdgeNote', () => {
  it('explains a user edge whose server spans named a caller that was not stored', () => {
    expect(userEdgeNote(edge('user', 'svc:inventory', 3, 0, 'unknown', { callerNotSeen: 2 }), name)).toMatch(/^2 of 3 requests to inventory named a caller span that was not among the stored spans/);
    expect(userEdgeNote(edge('user', 'svc:inventory', 2, 0, 'unknown', { callerNotSeen: 2 }), name)).toMatch(/^All 2 requests/);
    expect(userEdgeNote(edge('user', 'svc:inventory', 1, 0, 'unknown', { callerNotSeen: 1 }), name)).toMatch(/^The one request to inventory named/);
    expect(onlyCallerNotSeen(edge('user', 'svc:inventory', 2, 0, 'unknown', { callerNotSeen: 2 }))).toBe(true);
    expect(onlyCallerNotSeen(edge('user', 'svc:inventory', 3, 0, 'unknown', { callerNotSeen: 2 }))).toBe(false);
    expect(onlyCallerNotSeen(edge('user', 'svc:gateway', 3))).toBe(false);
    expect(userEdgeNote(edge('user', 'svc:gateway', 9), name)).toBeUndefined();
  });
});
