/**
 * Pure helpers of the Compare view: the cohort presets a user picks from, the link to a
 * comparison, and the diff flame graph built from the API's aligned nodes (`GET api/compare`).
 *
 * The diff flame follows Brendan Gregg's differential flame graphs, with one change: a node is as
 * wide as the larger of its two cohorts' time (mean per trace), not the second cohort's only, so a
 * subtree that only the first cohort ran (removed) still shows, in blue. Red means slower (or
 * added) in B, blue faster (or removed), grey about the same.
 */
import type { CompareNode } from '@debugpanel/model';
import type { FlameLike } from './flame-layout.js';

/** A diff flame node: a flame node (width = max of the cohorts) with both cohorts' figures. */
export interface DiffFlameNode extends FlameLike {
  children: DiffFlameNode[];
  diff: {
    status: CompareNode['status'];
    countA: number;
    countB: number;
    selfA: number;
    selfB: number;
    /** self time of the node and everything under it, mean per trace */
    totalA: number;
    totalB: number;
    criticalA: number;
    criticalB: number;
  };
}

/**
 * Rebuilds the aligned tree from the API's depth-first list (each node's `depth` says where it
 * hangs) and sums each subtree's time per cohort. Several top-level nodes get a synthetic root.
 * A node deeper than one below its predecessor is refused (malformed input cannot nest wrongly).
 */
export function diffFlame(nodes: ReadonlyArray<CompareNode>): DiffFlameNode | undefined {
  if (nodes.length === 0) return undefined;
  const make = (n: CompareNode): DiffFlameNode => ({
    name: n.operation,
    service: n.service,
    total: 0,
    self: Math.max(n.selfA, n.selfB),
    children: [],
    diff: { status: n.status, countA: n.countA, countB: n.countB, selfA: n.selfA, selfB: n.selfB, totalA: n.selfA, totalB: n.selfB, criticalA: n.criticalA, criticalB: n.criticalB },
  });
  const tops: DiffFlameNode[] = [];
  const stack: DiffFlameNode[] = [];
  for (const n of nodes) {
    if (n.depth > stack.length) throw new Error(`compare node "${n.path.slice(0, 80)}" is at depth ${n.depth} under a node of depth ${stack.length - 1}`);
    stack.length = n.depth;
    const node = make(n);
    if (n.depth === 0) tops.push(node);
    else stack[n.depth - 1]!.children.push(node);
    stack.push(node);
  }
  const sum = (node: DiffFlameNode): void => {
    for (const c of node.children) {
      sum(c);
      node.diff.totalA += c.diff.totalA;
      node.diff.totalB += c.diff.totalB;
    }
    node.total = Math.max(node.diff.totalA, node.diff.totalB);
    node.self = Math.max(0, node.total - node.children.reduce((s, c) => s + c.total, 0));
  };
  tops.forEach(sum);
  if (tops.length === 1) return tops[0];
  const root: DiffFlameNode = {
    name: 'all roots', service: '', total: 0, self: 0, synthetic: true, children: tops,
    diff: { status: 'both', countA: 0, countB: 0, selfA: 0, selfB: 0, totalA: 0, totalB: 0, criticalA: 0, criticalB: 0 },
  };
  sum(root);
  return root;
}

/** B minus A of a node's own time, and that change relative to the larger of the two (-1..1). */
export function selfChange(d: DiffFlameNode['diff']): { ms: number; relative: number } {
  const ms = d.selfB - d.selfA;
  const base = Math.max(d.selfA, d.selfB);
  return { ms, relative: base > 0 ? ms / base : 0 };
}

/**
 * The fill of a diff node: added red, removed blue; otherwise red or blue as deep as the relative
 * change of its own time, and grey when the change is under 5% or 0.05 ms (noise).
 */
export function diffColor(d: DiffFlameNode['diff']): string {
  if (d.status === 'added') return 'rgb(217, 45, 32)';
  if (d.status === 'removed') return 'rgb(46, 120, 210)';
  const { ms, relative } = selfChange(d);
  if (Math.abs(relative) < 0.05 || Math.abs(ms) < 0.05) return 'rgb(160, 160, 160)';
  const k = Math.min(1, Math.abs(relative));
  // from a light tint (a small change) to the full colour (all of the time is new or gone)
  const mix = (full: number) => Math.round(215 + (full - 215) * k);
  return relative > 0 ? `rgb(${mix(217)}, ${mix(45)}, ${mix(32)})` : `rgb(${mix(46)}, ${mix(120)}, ${mix(210)})`;
}

/** Hover lines of a diff node. */
export function diffTooltip(node: DiffFlameNode, format: (ms: number) => string): string[] {
  const d = node.diff;
  const { ms, relative } = selfChange(d);
  const sign = ms > 0 ? '+' : ms < 0 ? '−' : '±';
  const lines = [node.name, node.service ? `service: ${node.service}` : ''];
  if (d.status !== 'both') lines.push(d.status === 'added' ? 'only in B (added)' : 'only in A (removed)');
  lines.push(`self per trace: A ${format(d.selfA)} → B ${format(d.selfB)} (${sign}${format(Math.abs(ms))}${d.status === 'both' && relative !== 0 ? `, ${sign}${Math.round(Math.abs(relative) * 100)}%` : ''})`);
  lines.push(`with children: A ${format(d.totalA)} → B ${format(d.totalB)}`);
  lines.push(`on the critical path: A ${format(d.criticalA)} → B ${format(d.criticalB)}`);
  lines.push(`spans per trace: A ${round(d.countA)} → B ${round(d.countB)}`);
  return lines.filter((l) => l !== '');
}

const round = (v: number) => String(Math.round(v * 100) / 100);

/** The nodes whose critical-path time changed most (either way), largest first. */
export function topChanges(nodes: ReadonlyArray<CompareNode>, n = 15): CompareNode[] {
  const change = (x: CompareNode) => Math.abs(x.criticalB - x.criticalA) + Math.abs(x.selfB - x.selfA) * 0.01;
  return [...nodes].sort((x, y) => change(y) - change(x)).slice(0, n);
}

/** What a preset needs: the route's traces, optionally of one service. */
export interface PresetScope {
  service?: string | undefined;
  route: string;
}

export type PresetKind = 'errors' | 'slow' | 'time';

/**
 * The two cohort queries of a preset:
 * - `errors`: successful traces vs failed ones;
 * - `slow`: traces faster than `at` ms vs those at least as slow (typical vs slow);
 * - `time`: traces that started before `at` (ms since epoch) vs after (before vs after a deploy).
 */
export function presetCohorts(kind: PresetKind, scope: PresetScope, at?: number): { a: string; b: string } | { error: string } {
  const base = new URLSearchParams();
  if (scope.service) base.set('service', scope.service);
  if (!scope.route.trim()) return { error: 'pick a route first' };
  base.set('route', scope.route.trim());
  // `/` needs no escape in a query value: leaving it makes the cohort readable in the form
  const q = (more: Record<string, string>) => {
    const p = new URLSearchParams(base);
    for (const [k, v] of Object.entries(more)) p.set(k, v);
    return p.toString().replace(/%2F/gi, '/');
  };
  if (kind === 'errors') return { a: q({ status: 'ok' }), b: q({ status: 'error' }) };
  if (at === undefined || !Number.isFinite(at) || at <= 0) return { error: kind === 'slow' ? 'give a duration in ms to split at' : 'give a time to split at' };
  if (kind === 'slow') return { a: q({ maxDuration: String(at) }), b: q({ minDuration: String(at) }) };
  return { a: q({ until: String(Math.round(at)) }), b: q({ since: String(Math.round(at)) }) };
}
