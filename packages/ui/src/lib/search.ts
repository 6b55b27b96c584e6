/**
 * Search inside a trace. `key=value` looks at one attribute (value as a case-insensitive substring);
 * anything else matches the span name, service, span id, attribute keys and values, and event names.
 */
import type { SpanRecord } from '@debugpanel/model';
import type { SpanNode } from './tree.js';

export function spanMatches(span: SpanRecord, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return false;
  const eq = q.indexOf('=');
  if (eq > 0) {
    const key = q.slice(0, eq).trim();
    const want = q.slice(eq + 1).trim();
    for (const [k, v] of Object.entries(span.attributes)) {
      if (k.toLowerCase() === key && String(v).toLowerCase().includes(want)) return true;
    }
    return false;
  }
  if (span.name.toLowerCase().includes(q) || span.service.toLowerCase().includes(q) || span.spanId === q) return true;
  for (const [k, v] of Object.entries(span.attributes)) {
    if (k.toLowerCase().includes(q) || String(v).toLowerCase().includes(q)) return true;
  }
  return span.events.some((e) => e.name.toLowerCase().includes(q));
}

/** Ids of the matching spans in waterfall order (depth-first), for next/previous. */
export function searchSpans(order: ReadonlyArray<SpanNode>, query: string): string[] {
  if (!query.trim()) return [];
  const out: string[] = [];
  for (const node of order) if (spanMatches(node.span, query)) out.push(node.span.spanId);
  return out;
}

/** Next (step 1) or previous (step -1) match index, wrapping around; -1 when there are none. */
export function stepMatch(current: number, count: number, step: 1 | -1): number {
  if (count === 0) return -1;
  if (current < 0) return step === 1 ? 0 : count - 1;
  return (current + step + count) % count;
}
