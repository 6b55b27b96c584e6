import type { SpanRecord } from '@debugpanel/model';

/**
 * The spans of a trace as an index-based tree: span i's children are
 * `kids[first[i]] .. kids[first[i + 1] - 1]`, in order of start. Typed arrays and one Map keep a
 * 10,000-span trace to a few milliseconds, where a Map of child lists per span cost several times
 * more (measured with scripts/measure.mjs).
 */
export interface SpanTree {
  /** The spans, first per id (later duplicates dropped) */
  spans: SpanRecord[];
  /** Parent index, -1 for a root: no parent id, a parent not among the spans, or a cut cycle */
  parent: Int32Array;
  /** Offsets into `kids`, length spans.length + 1 */
  first: Int32Array;
  kids: Int32Array;
  /** Indices of the roots, in order of start */
  roots: number[];
}

/**
 * Indexes spans by parent. A span whose parent is missing is a root (an orphan); a parent cycle
 * (bad data) is cut at its first span so that every span is reachable from a root.
 */
export function spanTree(input: ReadonlyArray<SpanRecord>): SpanTree {
  // Backwards, so that for a duplicated id the first span's index is the one left in the map:
  // one Map operation per span instead of a lookup and an insert.
  const index = new Map<string, number>();
  for (let i = input.length - 1; i >= 0; i--) index.set(input[i]!.spanId, i);
  let spans: SpanRecord[];
  if (index.size === input.length) {
    spans = input.slice();
  } else {
    // Rare: duplicates. Keep the first of each and renumber.
    spans = [];
    for (let i = 0; i < input.length; i++) if (index.get(input[i]!.spanId) === i) spans.push(input[i]!);
    for (let i = 0; i < spans.length; i++) index.set(spans[i]!.spanId, i);
  }
  const n = spans.length;
  const parent = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const pid = spans[i]!.parentSpanId;
    if (pid === undefined) continue;
    const p = index.get(pid);
    if (p !== undefined && p !== i) parent[i] = p;
  }
  let csr = children(parent);
  const roots: number[] = [];
  for (let i = 0; i < n; i++) if (parent[i] === -1) roots.push(i);

  // Spans not reachable from a root sit on a cycle or below one: cut each cycle at one span.
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  const mark = (from: number): number => {
    let top = 0;
    let count = 0;
    stack[top++] = from;
    while (top > 0) {
      const i = stack[--top]!;
      if (seen[i] === 1) continue;
      seen[i] = 1;
      count++;
      for (let k = csr.first[i]!; k < csr.first[i + 1]!; k++) stack[top++] = csr.kids[k]!;
    }
    return count;
  };
  let reached = 0;
  for (const r of roots) reached += mark(r);
  if (reached < n) {
    for (let i = 0; i < n; i++) {
      if (seen[i] === 1) continue;
      parent[i] = -1;
      roots.push(i);
      mark(i);
    }
    csr = children(parent);
  }

  const starts = new Float64Array(n);
  for (let i = 0; i < n; i++) starts[i] = spans[i]!.startTime;
  const byStart = (a: number, b: number): number => starts[a]! - starts[b]!;
  roots.sort(byStart);
  const { first, kids } = csr;
  for (let i = 0; i < n; i++) {
    if (first[i + 1]! - first[i]! > 1) kids.subarray(first[i]!, first[i + 1]!).sort(byStart);
  }
  return { spans, parent, first, kids, roots };
}

/** Child lists in compressed form (counting sort by parent). */
function children(parent: Int32Array): { first: Int32Array; kids: Int32Array } {
  const n = parent.length;
  const first = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) if (parent[i]! >= 0) first[parent[i]! + 1]!++;
  for (let i = 0; i < n; i++) first[i + 1]! += first[i]!;
  const kids = new Int32Array(first[n]!);
  const fill = first.slice(0, n);
  for (let i = 0; i < n; i++) {
    const p = parent[i]!;
    if (p >= 0) kids[fill[p]!++] = i;
  }
  return { first, kids };
}
