import type { Flat } from '@debugpanel/model';

/** A tree node without its children, and the index of its parent in the flat list (-1 for the root). */
export type { Flat };

/**
 * A flame tree as a flat list in depth-first order (a parent before its children, children in
 * their order), each node naming its parent's index. For JSON: `JSON.stringify` recurses and
 * throws on trees about 2,500 levels deep, which recursive code or a long retry chain reaches.
 *
 * @example
 * const nodes = flattenFlame(buildTraceFlame(spans)); // [{ name, total, ..., parent: -1 }, ...]
 * res.end(JSON.stringify({ nodes }));
 */
export function flattenFlame<T extends { children: T[] }>(root: T): Array<Flat<T>> {
  const out: Array<Flat<T>> = [];
  const stack: Array<[T, number]> = [[root, -1]];
  while (stack.length > 0) {
    const [node, parent] = stack.pop()!;
    const { children, ...rest } = node;
    const index = out.length;
    out.push({ ...rest, parent });
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, index]);
  }
  return out;
}
