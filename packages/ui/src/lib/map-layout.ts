/**
 * Dependency map geometry and styling, apart from the SVG so it can be tested: dagre lays the
 * graph out left to right (callers before callees); node size follows traffic, edge colour the
 * error rate, edge dash the failure impact.
 */
import dagre from '@dagrejs/dagre';
import { formatHash } from './route.js';
import type { MapEdge, MapNode } from '@debugpanel/model';

export interface PlacedNode {
  node: MapNode;
  x: number;
  y: number;
  r: number;
}

export interface PlacedEdge {
  edge: MapEdge;
  /** SVG path through dagre's points */
  d: string;
  /** Where the label goes (the middle point) */
  mid: { x: number; y: number };
}

export interface MapLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

const MIN_R = 14;
const MAX_R = 38;

/** Radius by traffic: area grows with requests (square root), from MIN_R to MAX_R. */
export function nodeRadius(requests: number, maxRequests: number): number {
  if (!(maxRequests > 0) || !(requests > 0)) return MIN_R;
  return MIN_R + (MAX_R - MIN_R) * Math.sqrt(Math.min(1, requests / maxRequests));
}

/** Green at no errors, through amber, to red at `full` (5 %) errors and above. */
export function errorColor(errors: number, requests: number, full = 0.05): string {
  const rate = requests > 0 ? errors / requests : 0;
  const t = Math.min(1, rate / full);
  const hue = Math.round(130 * (1 - t));
  return `hsl(${hue} 70% 42%)`;
}

/** Hard dependencies are solid, soft ones dashed, never-failed ones dotted. */
export function edgeDash(impact: MapEdge['impact']): string | undefined {
  return impact === 'hard' ? undefined : impact === 'soft' ? '7 4' : '2 4';
}

/** Edge width by traffic, 1.5 to 6 px. */
export function edgeWidth(requests: number, maxRequests: number): number {
  if (!(maxRequests > 0)) return 1.5;
  return 1.5 + 4.5 * Math.sqrt(Math.min(1, requests / maxRequests));
}

/** Estimated width in px of a node's name as drawn (12 px, bold: about 7.5 px a character). */
export function labelWidth(name: string): number {
  return Math.ceil(name.length * 7.5) + 8;
}

export function layoutMap(nodes: ReadonlyArray<MapNode>, edges: ReadonlyArray<MapEdge>): MapLayout {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 36, ranksep: 110, marginx: 24, marginy: 24 });
  g.setDefaultEdgeLabel(() => ({}));
  let maxReq = 0;
  for (const n of nodes) maxReq = Math.max(maxReq, n.requests);
  const radius = new Map<string, number>();
  for (const n of nodes) {
    const r = nodeRadius(n.requests, maxReq);
    radius.set(n.id, r);
    // Room for the label under the circle, as wide as its name (the demo's rightmost
    // "sqlite :memory: (inventory)" was cut off at the drawing's edge).
    g.setNode(n.id, { width: Math.max(2 * r, 90, labelWidth(n.name)), height: 2 * r + 28 });
  }
  const known = new Set(nodes.map((n) => n.id));
  for (const e of edges) if (known.has(e.source) && known.has(e.target) && e.source !== e.target) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const placed: PlacedNode[] = nodes.map((n) => {
    const p = g.node(n.id);
    return { node: n, x: p.x, y: p.y - 14, r: radius.get(n.id)! };
  });
  const at = new Map(placed.map((p) => [p.node.id, p]));
  const out: PlacedEdge[] = [];
  for (const e of edges) {
    const a = at.get(e.source);
    const b = at.get(e.target);
    if (!a || !b) continue;
    if (a === b) {
      // A service calling itself over the network: a small loop above the node.
      const d = `M ${a.x - 8} ${a.y - a.r} C ${a.x - 30} ${a.y - a.r - 40}, ${a.x + 30} ${a.y - a.r - 40}, ${a.x + 8} ${a.y - a.r}`;
      out.push({ edge: e, d, mid: { x: a.x, y: a.y - a.r - 30 } });
      continue;
    }
    let pts = (g.edge(e.source, e.target)?.points ?? []).slice();
    if (pts.length < 2) pts = [a, b];
    // Start and end on the circles rather than on dagre's label boxes.
    pts[0] = onCircle(a, pts[1]!);
    pts[pts.length - 1] = onCircle(b, pts[pts.length - 2]!);
    const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
    out.push({ edge: e, d, mid: pts[Math.floor(pts.length / 2)]! });
  }
  const graph = g.graph();
  return { width: graph.width ?? 0, height: graph.height ?? 0, nodes: placed, edges: out };
}

function onCircle(c: { x: number; y: number; r: number }, toward: { x: number; y: number }): { x: number; y: number } {
  const dx = toward.x - c.x;
  const dy = toward.y - c.y;
  const len = Math.hypot(dx, dy) || 1;
  return { x: c.x + (dx / len) * (c.r + 2), y: c.y + (dy / len) * (c.r + 2) };
}

/**
 * The traces list filtered as closely as the trace query allows to the calls of an edge: the
 * called service, or the calling service plus the attribute that names a database or host.
 */
export function edgeTracesHash(edge: MapEdge, byId: ReadonlyMap<string, MapNode>): string {
  const source = byId.get(edge.source);
  const target = byId.get(edge.target);
  if (target?.kind === 'service') return formatHash({ view: 'traces', params: { service: target.name } });
  const params = new URLSearchParams();
  if (source?.kind === 'service') params.set('service', source.name);
  if (target?.kind === 'database' && target.system) params.append('attr', `db.system=${target.system}`);
  else if (target?.kind === 'external' && target.name !== 'unknown') params.set('text', target.name);
  return formatHash({ view: 'traces', params });
}
