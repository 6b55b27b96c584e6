import type { FlameNode } from './types.js';

import type { CpuProfile, CpuProfileCallFrame, CpuProfileNode } from '@debugpanel/model';

// The .cpuprofile format is also what the panel's download route sends: declared in @debugpanel/model.
export type { CpuProfile, CpuProfileNode, CpuProfileCallFrame };

/** Where code comes from, used as the node's `service` so that a flame graph can colour by it. */
export function codeOrigin(frame: CpuProfileCallFrame): string {
  const url = frame.url;
  if (url === '') return frame.functionName.startsWith('(') ? 'v8' : 'native';
  if (url.startsWith('node:')) return 'node';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    const pkg = rest[0]!.startsWith('@') && rest.length > 1 ? `${rest[0]}/${rest[1]}` : rest[0]!;
    if (pkg !== '') return pkg;
  }
  return 'app';
}

function fail(msg: string): never {
  throw new TypeError(`fromCpuProfile: ${msg} (expected a V8 .cpuprofile: { nodes, startTime, endTime, samples, timeDeltas })`);
}

/**
 * A V8 CPU profile (as Chrome DevTools and `node:inspector` write it) as a flame tree: one node per
 * call-tree node, `self` the time of the samples taken in it and `total` that plus its children,
 * in milliseconds. A sample lasts until the next one (the last until `endTime`), as DevTools
 * counts it; negative deltas (V8 may record samples out of order) count as zero. Profiles without
 * `samples` fall back to `hitCount` times the mean sampling interval.
 *
 * @throws TypeError naming what is wrong when `profile` is not a CPU profile
 * @example
 * const profile = JSON.parse(fs.readFileSync('app.cpuprofile', 'utf8'));
 * const root = fromCpuProfile(profile); // root.name === '(root)', root.total ~ profile length in ms
 */
export function fromCpuProfile(profile: CpuProfile): FlameNode {
  if (typeof profile !== 'object' || profile === null) fail('not an object');
  const { nodes, samples, timeDeltas } = profile;
  if (!Array.isArray(nodes) || nodes.length === 0) fail('"nodes" must be a non-empty array');
  const byId = new Map<number, CpuProfileNode>();
  for (const n of nodes) {
    if (typeof n !== 'object' || n === null || typeof n.id !== 'number') fail('every node needs a numeric "id"');
    if (typeof n.callFrame !== 'object' || n.callFrame === null) fail(`node ${n.id} has no "callFrame"`);
    if (byId.has(n.id)) fail(`node id ${n.id} appears twice`);
    byId.set(n.id, n);
  }

  // Self time per node id, µs.
  const selfUs = new Map<number, number>();
  if (Array.isArray(samples) && samples.length > 0) {
    if (!Array.isArray(timeDeltas) || timeDeltas.length !== samples.length) {
      fail('"timeDeltas" must have one entry per sample');
    }
    let t = Number(profile.startTime) || 0;
    const stamps = new Float64Array(samples.length);
    for (let i = 0; i < samples.length; i++) {
      const d = Number(timeDeltas[i]);
      t += Number.isFinite(d) ? d : 0;
      stamps[i] = t;
    }
    const end = Number(profile.endTime);
    for (let i = 0; i < samples.length; i++) {
      const next = i + 1 < samples.length ? stamps[i + 1]! : Number.isFinite(end) ? end : stamps[i]!;
      const d = next - stamps[i]!;
      if (!(d > 0)) continue;
      const id = samples[i]!;
      selfUs.set(id, (selfUs.get(id) ?? 0) + d);
    }
  } else {
    let hits = 0;
    for (const n of nodes) hits += n.hitCount ?? 0;
    const span = Number(profile.endTime) - Number(profile.startTime);
    const interval = hits > 0 && span > 0 ? span / hits : 0;
    for (const n of nodes) if ((n.hitCount ?? 0) > 0) selfUs.set(n.id, n.hitCount! * interval);
  }

  // Children lists: from `children`, or from `parent` in older profiles.
  const kids = new Map<number, number[]>();
  const hasParent = new Set<number>();
  for (const n of nodes) {
    if (Array.isArray(n.children)) {
      for (const c of n.children) {
        if (!byId.has(c) || hasParent.has(c) || c === n.id) continue;
        hasParent.add(c);
        const list = kids.get(n.id);
        if (list === undefined) kids.set(n.id, [c]);
        else list.push(c);
      }
    }
  }
  for (const n of nodes) {
    if (typeof n.parent === 'number' && byId.has(n.parent) && !hasParent.has(n.id) && n.parent !== n.id) {
      hasParent.add(n.id);
      const list = kids.get(n.parent);
      if (list === undefined) kids.set(n.parent, [n.id]);
      else list.push(n.id);
    }
  }
  const roots = nodes.filter((n) => !hasParent.has(n.id));
  if (roots.length === 0) fail('no root node (every node is some node\'s child)');

  const toFlame = (n: CpuProfileNode): FlameNode => {
    const f = n.callFrame;
    const node: FlameNode = {
      name: f.functionName || '(anonymous)',
      service: codeOrigin(f),
      total: 0,
      self: (selfUs.get(n.id) ?? 0) / 1000,
      children: [],
    };
    if (f.url) node.source = `${f.url}:${(f.lineNumber ?? 0) + 1}:${(f.columnNumber ?? 0) + 1}`;
    return node;
  };
  // Build top-down, then sum totals bottom-up (reverse of the build order); no recursion.
  const order: FlameNode[] = [];
  const build = (rootNode: CpuProfileNode): FlameNode => {
    const top = toFlame(rootNode);
    const stack: Array<[CpuProfileNode, FlameNode]> = [[rootNode, top]];
    const seen = new Set<number>([rootNode.id]);
    while (stack.length > 0) {
      const [pn, fnode] = stack.pop()!;
      order.push(fnode);
      for (const cid of kids.get(pn.id) ?? []) {
        if (seen.has(cid)) continue;
        seen.add(cid);
        const cn = byId.get(cid)!;
        const cf = toFlame(cn);
        fnode.children.push(cf);
        stack.push([cn, cf]);
      }
    }
    return top;
  };
  const tops = roots.map(build);
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    let t = n.self;
    for (const c of n.children) t += c.total;
    n.total = t;
  }
  if (tops.length === 1) return tops[0]!;
  let total = 0;
  for (const t of tops) total += t.total;
  return { name: '(root)', service: 'v8', total, self: 0, synthetic: true, children: tops };
}
