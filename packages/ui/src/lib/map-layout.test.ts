import { describe, expect, it } from 'vitest';
import type { MapEdge, MapNode } from '@debugpanel/model';
import { edgeDash, edgeTracesHash, edgeWidth, errorColor, labelWidth, layoutMap, nodeRadius } from './map-layout.js';

const lat = { p50: 1, p95: 2, p99: 3 };
const node = (id: string, kind: MapNode['kind'], requests: number, extra: Partial<MapNode> = {}): MapNode => ({
  id, name: id.replace(/^\w+:/, ''), kind, instrumented: kind === 'service', requests, errors: 0, latency: lat, ...extra,
});
const edge = (source: string, target: string, requests: number, extra: Partial<MapEdge> = {}): MapEdge => ({
  id: `${source}->${target}`, source, target, requests, errors: 0, latency: lat, failures: { hard: 0, soft: 0 }, impact: 'unknown', traceIds: [], ...extra,
});
const nodes = [
  node('user', 'user', 100), node('svc:gateway', 'service', 100), node('svc:orders', 'service', 80),
  node('svc:inventory', 'service', 40), node('db:sqlite:shop', 'database', 40, { system: 'sqlite' }),
];
const edges = [
  edge('user', 'svc:gateway', 100), edge('svc:gateway', 'svc:orders', 80), edge('svc:orders', 'svc:inventory', 40),
  edge('svc:inventory', 'db:sqlite:shop', 40),
];

describe('layoutMap', () => {
  it('lays callers out left of callees, every node and edge placed inside the drawing', () => {
    const l = layoutMap(nodes, edges);
    const x = (id: string) => l.nodes.find((n) => n.node.id === id)!.x;
    expect(x('user')).toBeLessThan(x('svc:gateway'));
    expect(x('svc:gateway')).toBeLessThan(x('svc:orders'));
    expect(x('svc:inventory')).toBeLessThan(x('db:sqlite:shop'));
    expect(l.edges).toHaveLength(4);
    for (const n of l.nodes) {
      expect(n.x - n.r).toBeGreaterThanOrEqual(0);
      expect(n.x + n.r).toBeLessThanOrEqual(l.width);
    }
    expect(l.edges[0]!.d).toMatch(/^M [\d.]+ [\d.]+( L [\d.]+ [\d.]+)+$/);
  });

  it('leaves room for a long name under the rightmost node, inside the drawing', () => {
    const db = node('db:sqlite:inventory/:memory:', 'database', 40, { name: 'sqlite :memory: (inventory)', system: 'sqlite' });
    const l = layoutMap([...nodes.slice(0, 4), db], [...edges.slice(0, 3), edge('svc:inventory', db.id, 40)]);
    const last = l.nodes.find((n) => n.node.id === db.id)!;
    expect(last.x + labelWidth(db.name) / 2).toBeLessThanOrEqual(l.width);
    expect(labelWidth(db.name)).toBeGreaterThan(180);
  });

  it('draws a self-call as a loop and skips edges to unknown nodes', () => {
    const l = layoutMap([node('svc:a', 'service', 1)], [edge('svc:a', 'svc:a', 1), edge('svc:a', 'svc:missing', 1)]);
    expect(l.edges.map((e) => e.edge.id)).toEqual(['svc:a->svc:a']);
    expect(l.edges[0]!.d).toMatch(/^M .* C /);
  });

  it('lays out an empty map', () => {
    expect(layoutMap([], [])).toMatchObject({ nodes: [], edges: [] });
  });
});

describe('map styling', () => {
  it('sizes nodes by traffic between bounds', () => {
    expect(nodeRadius(0, 100)).toBe(14);
    expect(nodeRadius(100, 100)).toBe(38);
    expect(nodeRadius(25, 100)).toBe(26);
    expect(nodeRadius(5, 0)).toBe(14);
    expect(edgeWidth(100, 100)).toBe(6);
  });
  it('colours edges from green to red by error rate', () => {
    expect(errorColor(0, 100)).toBe('hsl(130 70% 42%)');
    expect(errorColor(5, 100)).toBe('hsl(0 70% 42%)');
    expect(errorColor(50, 100)).toBe('hsl(0 70% 42%)');
    expect(errorColor(1, 0)).toBe('hsl(130 70% 42%)');
  });
  it('tells hard, soft and unknown impact apart', () => {
    expect([edgeDash('hard'), edgeDash('soft'), edgeDash('unknown')]).toEqual([undefined, '7 4', '2 4']);
  });
});

describe('edgeTracesHash', () => {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  it('links a call to a service to that service’s traces', () => {
    expect(edgeTracesHash(edges[1]!, byId)).toBe('#/traces?service=orders');
  });
  it('links a call to a database to the caller’s traces with that database system', () => {
    expect(edgeTracesHash(edges[3]!, byId)).toBe('#/traces?service=inventory&attr=db.system%3Dsqlite');
  });
  it('links a call to an external host by text', () => {
    const ext = node('ext:api.stripe.com', 'external', 3);
    const m = new Map([...byId, [ext.id, ext]]);
    expect(edgeTracesHash(edge('svc:orders', ext.id, 3), m)).toBe('#/traces?service=orders&text=api.stripe.com');
  });
});
