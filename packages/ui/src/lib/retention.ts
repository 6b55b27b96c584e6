/**
 * The span store's retention classes as the Stats view and the trace list's counters show them:
 * "errors back to 13:02 · normal traces back to 13:41". The classes and their order come from
 * the stats (`store.retention`, model `RETENTION_CLASSES`), highest kept first here.
 */
import type { RetentionClass, StoreStats } from '@debugpanel/model';

export interface RetentionLine {
  cls: RetentionClass;
  label: string;
  traces: number;
  spans: number;
  evicted: number;
  /** Start of the oldest held trace of the class, ms since epoch */
  oldest?: number;
}

const LABELS: Record<RetentionClass, string> = {
  pinned: 'pinned',
  linked: 'linked (incidents, snapshots)',
  error: 'errors',
  slow: 'slow traces',
  exemplar: 'route exemplars',
  normal: 'normal traces',
};
/** Kept longest first */
const SHOWN: RetentionClass[] = ['pinned', 'linked', 'error', 'slow', 'exemplar', 'normal'];

/** One line per class that holds or has evicted traces, kept-longest first; [] for an older server without `retention`. */
export function retentionLines(store: Pick<StoreStats, 'retention'> | undefined): RetentionLine[] {
  const r = store?.retention;
  if (!r) return [];
  const out: RetentionLine[] = [];
  for (const cls of SHOWN) {
    const s = r[cls];
    if (!s || (s.traces === 0 && s.evicted === 0)) continue;
    const line: RetentionLine = { cls, label: LABELS[cls], traces: s.traces, spans: s.spans, evicted: s.evicted };
    if (s.oldestStartAt !== undefined) line.oldest = s.oldestStartAt;
    out.push(line);
  }
  return out;
}

/** "13:02" today, "Dec 3 13:02" on another day (the browser's zone). */
export function formatBackTo(epochMs: number, now: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  const hm = `${p(d.getHours())}:${p(d.getMinutes())}`;
  if (new Date(now).toDateString() === d.toDateString()) return hm;
  return `${d.toLocaleString('en-US', { month: 'short' })} ${d.getDate()} ${hm}`;
}

/** "errors back to 13:02 · normal traces back to 13:41": how far back each kept class reaches. */
export function reachSummary(lines: readonly RetentionLine[], now: number): string {
  return lines
    .filter((l) => l.oldest !== undefined)
    .map((l) => `${l.label} back to ${formatBackTo(l.oldest!, now)}`)
    .join(' · ');
}
