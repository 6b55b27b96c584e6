import type { SpanRecord } from '@debugpanel/model';
import { NotEnabled } from './NotEnabled.js';

/** What the trace view hands the flame graph tab. */
export interface TraceFlameProps {
  traceId: string;
  spans: ReadonlyArray<SpanRecord>;
  /** The span selected in the waterfall / detail panel */
  selectedSpanId: string | undefined;
  /** Selects a span (opens its details, shared with the waterfall) */
  onSelectSpan: (spanId: string) => void;
  /** The trace search box's text, for highlighting */
  search: string;
}

/** Placeholder until the flame graph of one trace lands (issue 4); that work replaces this file. */
export function TraceFlame(_props: TraceFlameProps) {
  return <NotEnabled title="Flame graph" testId="trace-flame" detail="The flame graph of this trace is not enabled yet." />;
}
