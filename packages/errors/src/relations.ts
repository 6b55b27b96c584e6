/**
 * Which groups caused which, read from traces: in a trace where group A's exception sits on a
 * span and group B's on a span below it (a descendant, often in another service: orders'
 * TypeError under the gateway's 502), B caused A. Pure: takes the traces' spans and the
 * exceptions recorded in them.
 */
import type { SpanRecord } from '@debugpanel/model';
import type { TraceOccurrence } from './groups.js';

export interface RelatedGroup {
  fingerprint: string;
  /** Traces in which the relation was seen */
  traces: number;
  /** The newest of them (the first given) */
  traceId: string;
}

export interface Relations {
  /** Groups on spans below this group's spans: its origin */
  causedBy: RelatedGroup[];
  /** Groups on spans above: what it caused upstream */
  causes: RelatedGroup[];
}

/**
 * Relates group `fp` to the other groups of `traces` (newest first).
 *
 * @example
 * relate(gatewayGroup, [{ traceId, spans }], (id) => groups.inTrace(id)).causedBy[0].fingerprint; // orders' group
 */
export function relate(
  fp: string,
  traces: ReadonlyArray<{ traceId: string; spans: ReadonlyArray<Pick<SpanRecord, 'spanId' | 'parentSpanId'>> }>,
  inTrace: (traceId: string) => ReadonlyArray<TraceOccurrence>,
): Relations {
  const below = new Map<string, RelatedGroup>();
  const above = new Map<string, RelatedGroup>();
  for (const { traceId, spans } of traces) {
    const occurrences = inTrace(traceId);
    const own = new Set<string>();
    for (const o of occurrences) if (o.fingerprint === fp && o.spanId !== undefined) own.add(o.spanId);
    if (own.size === 0) continue;
    const parent = new Map<string, string | undefined>();
    for (const s of spans) parent.set(s.spanId, s.parentSpanId);
    const seenBelow = new Set<string>();
    const seenAbove = new Set<string>();
    for (const o of occurrences) {
      if (o.fingerprint === fp || o.spanId === undefined || own.has(o.spanId)) continue;
      if (!seenBelow.has(o.fingerprint) && ancestors(o.spanId, parent).some((a) => own.has(a))) {
        seenBelow.add(o.fingerprint);
        bump(below, o.fingerprint, traceId);
      } else if (!seenAbove.has(o.fingerprint) && [...own].some((s) => ancestors(s, parent).includes(o.spanId!))) {
        seenAbove.add(o.fingerprint);
        bump(above, o.fingerprint, traceId);
      }
    }
  }
  const sorted = (m: Map<string, RelatedGroup>) => [...m.values()].sort((a, b) => b.traces - a.traces);
  return { causedBy: sorted(below), causes: sorted(above) };
}

/** The span's ancestors in the trace, nearest first (a cycle or a missing parent ends the walk). */
function ancestors(spanId: string, parent: ReadonlyMap<string, string | undefined>): string[] {
  const out: string[] = [];
  for (let p = parent.get(spanId); p !== undefined && out.length <= parent.size && !out.includes(p); p = parent.get(p)) out.push(p);
  return out;
}

function bump(m: Map<string, RelatedGroup>, fingerprint: string, traceId: string): void {
  const r = m.get(fingerprint);
  if (r) r.traces++;
  else m.set(fingerprint, { fingerprint, traces: 1, traceId });
}
