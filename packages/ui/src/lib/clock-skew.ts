/**
 * Clock-skew adjustment, as Jaeger's adjuster does it (jaeger `model/adjuster/clockskew.go`):
 * spans of one process are timed by one clock, but a server span recorded by another process
 * may sit partly outside the client span that called it, by as much as the two clocks disagree.
 * Such a span is moved into its parent's window, centred (the network latency split evenly on
 * both sides); the rest of its process's spans below it move by the same amount, since they share
 * its clock. A child longer than its parent cannot fit: it is only moved to start with the
 * parent, when it started before it. Iterative: a deep chain must not overflow the stack.
 */
import type { SpanRecord } from '@debugpanel/model';

export interface SkewAdjusted {
  /** The spans to show: the same objects where nothing moved, shifted copies where it did */
  spans: SpanRecord[];
  /** Span id -> ms its start (and end, and events) were moved by; only spans that moved */
  adjusted: Map<string, number>;
}

/** Which clock a span was timed by: its service, and its instance when the resource names one. */
function clockOf(span: SpanRecord): string {
  const r = span.resource;
  const instance = r?.['service.instance.id'] ?? r?.['host.name'] ?? r?.['host.id'];
  return instance === undefined ? span.service : `${span.service}\u0000${String(instance)}`;
}

/**
 * ms to move `child` by so that it fits `parent` (both as currently placed); 0 when it fits.
 *
 * @example
 * skewDelta({ start: 0, duration: 10 }, { start: 9, duration: 4 }); // -6: start at 3, centred
 */
export function skewDelta(parent: { start: number; duration: number }, child: { start: number; duration: number }): number {
  if (child.duration > parent.duration) return child.start < parent.start ? parent.start - child.start : 0;
  if (child.start >= parent.start && child.start + child.duration <= parent.start + parent.duration) return 0;
  const latency = (parent.duration - child.duration) / 2;
  return parent.start + latency - child.start;
}

/**
 * Moves spans of other processes into their callers' windows.
 *
 * @example
 * const { spans, adjusted } = adjustClockSkew(trace.spans);
 * adjusted.get(serverSpan.spanId); // -1.1: moved 1.1 ms earlier
 */
export function adjustClockSkew(input: ReadonlyArray<SpanRecord>): SkewAdjusted {
  const byId = new Map<string, SpanRecord>();
  for (const s of input) if (!byId.has(s.spanId)) byId.set(s.spanId, s);
  const children = new Map<string, SpanRecord[]>();
  const roots: SpanRecord[] = [];
  for (const s of byId.values()) {
    const p = s.parentSpanId;
    if (p !== undefined && p !== s.spanId && byId.has(p)) {
      const list = children.get(p);
      if (list) list.push(s);
      else children.set(p, [s]);
    } else roots.push(s);
  }
  // Start time as placed so far (adjusted), per span id.
  const placed = new Map<string, number>();
  const delta = new Map<string, number>();
  // [span, its parent (undefined for a root), the delta of the parent's clock]
  const stack: Array<[SpanRecord, SpanRecord | undefined, number]> = roots.map((r) => [r, undefined, 0]);
  const seen = new Set<string>();
  while (stack.length > 0) {
    const [span, parent, inherited] = stack.pop()!;
    if (seen.has(span.spanId)) continue; // parent cycles in bad data
    seen.add(span.spanId);
    let d = inherited;
    if (parent !== undefined && clockOf(parent) !== clockOf(span)) {
      d = skewDelta({ start: placed.get(parent.spanId)!, duration: parent.duration }, { start: span.startTime, duration: span.duration });
    }
    placed.set(span.spanId, span.startTime + d);
    if (d !== 0) delta.set(span.spanId, d);
    for (const c of children.get(span.spanId) ?? []) stack.push([c, span, d]);
  }
  if (delta.size === 0) return { spans: [...input], adjusted: delta };
  const spans = input.map((s) => {
    const d = delta.get(s.spanId);
    if (d === undefined || byId.get(s.spanId) !== s) return s;
    return { ...s, startTime: s.startTime + d, events: s.events.map((e) => ({ ...e, time: e.time + d })) };
  });
  return { spans, adjusted: delta };
}
