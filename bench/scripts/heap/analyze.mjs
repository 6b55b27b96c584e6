// node --max-old-space-size=8000 bench/scripts/heap/analyze.mjs file.heapsnapshot [topN]
import fs from 'node:fs';
const file = process.argv[2];
const topN = Number(process.argv[3] ?? 60);
const snap = JSON.parse(fs.readFileSync(file, 'utf8'));
const { meta } = snap.snapshot;
const NF = meta.node_fields.length, EF = meta.edge_fields.length;
const nTypes = meta.node_types[0], eTypes = meta.edge_types[0];
const iType = meta.node_fields.indexOf('type'), iName = meta.node_fields.indexOf('name'), iSize = meta.node_fields.indexOf('self_size'), iEc = meta.node_fields.indexOf('edge_count');
const eType = meta.edge_fields.indexOf('type'), eName = meta.edge_fields.indexOf('name_or_index'), eTo = meta.edge_fields.indexOf('to_node');
const nodes = snap.nodes, edges = snap.edges, strings = snap.strings;
const N = nodes.length / NF;
const firstEdge = new Uint32Array(N + 1);
for (let i = 0, e = 0; i < N; i++) { firstEdge[i] = e; e += nodes[i * NF + iEc] * EF; firstEdge[i + 1] = e; }
const WEAK = eTypes.indexOf('weak'), SHORTCUT = eTypes.indexOf('shortcut');
const typeName = (i) => nTypes[nodes[i * NF + iType]];
const nameOf = (i) => strings[nodes[i * NF + iName]];
const selfSize = (i) => nodes[i * NF + iSize];
function label(i) {
  const t = typeName(i);
  if (t === 'object' || t === 'closure' || t === 'native' || t === 'synthetic') return `${t === 'closure' ? 'fn ' : ''}${nameOf(i).slice(0, 60)}`;
  if (t === 'string' || t === 'concatenated string' || t === 'sliced string') return `(string)`;
  if (t === 'array') return `(array ${nameOf(i).slice(0, 30)})`;
  return `(${t}) ${nameOf(i).slice(0, 40)}`;
}
function edgeLabel(e) {
  const t = eTypes[edges[e + eType]];
  const n = edges[e + eName];
  if (t === 'element' || t === 'hidden') return `[${n}]`;
  return String(strings[n]).slice(0, 40);
}
// self size by constructor
const byCtor = new Map();
let total = 0;
for (let i = 0; i < N; i++) { const l = label(i); const s = selfSize(i); total += s; const c = byCtor.get(l) ?? [0, 0]; c[0] += s; c[1]++; byCtor.set(l, c); }
const MB = (x) => (x / 1048576).toFixed(2);
console.log(`nodes ${N}, total self size ${MB(total)} MiB`);
console.log('--- self size by constructor/type');
for (const [k, [s, c]] of [...byCtor].sort((a, b) => b[1][0] - a[1][0]).slice(0, topN)) console.log(`${MB(s).padStart(9)} MiB ${String(c).padStart(9)}  ${k}`);
// dominators (Cooper-Harvey-Kennedy) over a DFS post-order from root 0, ignoring weak edges
const post = new Int32Array(N).fill(-1); const order = new Uint32Array(N); let cnt = 0;
{
  const stack = new Uint32Array(N); const it = new Uint32Array(N); const visited = new Uint8Array(N);
  let sp = 0; stack[sp++] = 0; visited[0] = 1; it[0] = firstEdge[0];
  while (sp > 0) {
    const v = stack[sp - 1];
    if (it[v] < firstEdge[v + 1]) {
      const e = it[v]; it[v] += EF;
      const tt = edges[e + eType]; if (tt === WEAK || tt === SHORTCUT) continue;
      const w = edges[e + eTo] / NF;
      if (!visited[w]) { visited[w] = 1; it[w] = firstEdge[w]; stack[sp++] = w; }
    } else { sp--; post[v] = cnt; order[cnt++] = v; }
  }
}
// predecessor lists
const predCount = new Uint32Array(N + 1);
for (let v = 0; v < N; v++) { if (post[v] < 0) continue; for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += EF) { const tt = edges[e + eType]; if (tt === WEAK || tt === SHORTCUT) continue; predCount[edges[e + eTo] / NF + 1]++; } }
for (let i = 0; i < N; i++) predCount[i + 1] += predCount[i];
const preds = new Uint32Array(predCount[N]); const fill = predCount.slice(0, N);
for (let v = 0; v < N; v++) { if (post[v] < 0) continue; for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += EF) { const tt = edges[e + eType]; if (tt === WEAK || tt === SHORTCUT) continue; const w = edges[e + eTo] / NF; preds[fill[w]++] = v; } }
const idom = new Int32Array(N).fill(-1); idom[0] = 0;
let changed = true, passes = 0;
while (changed) {
  changed = false; passes++;
  for (let k = cnt - 2; k >= 0; k--) {
    const b = order[k]; let nd = -1;
    for (let p = predCount[b]; p < predCount[b + 1]; p++) {
      let a = preds[p]; if (idom[a] < 0) continue;
      if (nd < 0) { nd = a; continue; }
      let x = a, y = nd;
      while (x !== y) { while (post[x] < post[y]) x = idom[x]; while (post[y] < post[x]) y = idom[y]; }
      nd = x;
    }
    if (nd >= 0 && idom[b] !== nd) { idom[b] = nd; changed = true; }
  }
}
const retained = new Float64Array(N);
for (let k = 0; k < cnt; k++) { const v = order[k]; retained[v] += selfSize(v); if (v !== 0) retained[idom[v]] += retained[v]; }
console.log(`dominator passes ${passes}; reachable ${cnt}; root retained ${MB(retained[0])} MiB`);
// edge name from idom to node
function viaName(v) { const d = idom[v]; for (let e = firstEdge[d]; e < firstEdge[d + 1]; e += EF) if (edges[e + eTo] / NF === v) return edgeLabel(e); return '?'; }
function chain(v) { const parts = []; let x = v; for (let i = 0; i < 12 && x !== 0; i++) { parts.push(`${label(x)}.${viaName(x)}`); x = idom[x]; } return parts.reverse().join(' > '); }
console.log('--- largest retained nodes (excluding those dominated by a larger listed one)');
const idx = Array.from({ length: N }, (_, i) => i).filter((i) => retained[i] > 256 * 1024 && i !== 0).sort((a, b) => retained[b] - retained[a]);
for (const v of idx.slice(0, topN)) console.log(`${MB(retained[v]).padStart(9)} MiB  ${label(v)}  <=  ${chain(idom[v])} .${viaName(v)}`);
// retained by constructor of objects (sum of retained of nodes whose idom has a different label)
const retByCtor = new Map();
for (let k = 0; k < cnt; k++) { const v = order[k]; if (v === 0) continue; const l = label(v); if (label(idom[v]) === l) continue; const c = retByCtor.get(l) ?? [0, 0]; c[0] += retained[v]; c[1]++; retByCtor.set(l, c); }
console.log('--- retained by constructor (top-level instances)');
for (const [k, [s, c]] of [...retByCtor].sort((a, b) => b[1][0] - a[1][0]).slice(0, topN)) console.log(`${MB(s).padStart(9)} MiB ${String(c).padStart(9)}  ${k}`);
