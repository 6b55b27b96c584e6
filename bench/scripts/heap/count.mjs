// node bench/scripts/heap/count.mjs snap Ctor [n]: count instances of Ctor and show retainer paths (first retainer chain) of a few
import fs from 'node:fs';
const snap = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const want = process.argv[3]; const show = Number(process.argv[4] ?? 5);
const { meta } = snap.snapshot; const NF = meta.node_fields.length, EF = meta.edge_fields.length;
const nTypes = meta.node_types[0], eTypes = meta.edge_types[0];
const nodes = snap.nodes, edges = snap.edges, strings = snap.strings; const N = nodes.length / NF;
const firstEdge = new Uint32Array(N + 1);
for (let i = 0, e = 0; i < N; i++) { firstEdge[i] = e; e += nodes[i * NF + 4] * EF; firstEdge[i + 1] = e; }
const WEAK = eTypes.indexOf('weak');
// BFS from root for shortest retainer path
const parent = new Int32Array(N).fill(-1), pedge = new Int32Array(N).fill(-1); parent[0] = 0;
const q = new Uint32Array(N); let h = 0, t = 0; q[t++] = 0;
while (h < t) { const v = q[h++]; for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += EF) { if (edges[e] === WEAK) continue; const w = edges[e + 2] / NF; if (parent[w] < 0) { parent[w] = v; pedge[w] = e; q[t++] = w; } } }
const name = (i) => `${nTypes[nodes[i * NF]]}:${strings[nodes[i * NF + 1]].slice(0, 50)}`;
const en = (e) => { const tt = eTypes[edges[e]]; return tt === 'element' || tt === 'hidden' ? `[${edges[e + 1]}]` : String(strings[edges[e + 1]]).slice(0, 40); };
let count = 0; const pathCounts = new Map();
for (let i = 0; i < N; i++) {
  if (strings[nodes[i * NF + 1]] !== want || nTypes[nodes[i * NF]] !== 'object') continue;
  count++;
  const parts = []; let x = i;
  for (let k = 0; k < 25 && x > 0; k++) { parts.push(`${name(parent[x])}.${en(pedge[x])}`); x = parent[x]; }
  const key = parts.reverse().join('\n   > ');
  // collapse by removing indices
  const ck = key.replace(/\[\d+\]/g, '[n]');
  pathCounts.set(ck, (pathCounts.get(ck) ?? 0) + 1);
}
console.log(`${want}: ${count}`);
for (const [k, c] of [...pathCounts].sort((a, b) => b[1] - a[1]).slice(0, show)) console.log(`--- ${c}x\n   ${k}`);
