/**
 * Pure helpers of the Queries view and the trace view's finding marks (tested in findings.test.ts).
 */
import type { FindingKind, TraceFinding } from '@debugpanel/model';
import { formatDuration } from './format.js';

export const KIND_LABEL: Record<FindingKind, string> = {
  'n+1': 'N+1 queries',
  consecutive: 'Consecutive queries',
  'slow-query': 'Slow query',
  'n+1-http': 'N+1 HTTP calls',
};

/** What a waterfall row shows for a span that is part of a finding. */
export interface FindingMark {
  kind: FindingKind;
  /** Short badge text: `N+1 ×20`, `slow 104 ms` */
  badge: string;
  /** The finding's one-line summary and its cost */
  title: string;
}

/** Span id -> mark, for every span of every finding of a trace (the first finding wins for a span). */
export function findingMarks(findings: readonly TraceFinding[] | undefined): Map<string, FindingMark> {
  const marks = new Map<string, FindingMark>();
  for (const f of findings ?? []) {
    const badge =
      f.kind === 'slow-query' ? `slow ${formatDuration(f.totalMs / Math.max(1, f.count))}` : f.kind === 'consecutive' ? `sequential ×${f.count}` : `${f.kind === 'n+1' ? 'N+1' : 'N+1 HTTP'} ×${f.count}`;
    const cost = `${formatDuration(f.totalMs)} in all, ${Math.round(f.share * 100)}% of the request${f.savingMs > 0 ? `, could save ${formatDuration(f.savingMs)}` : ''}`;
    const mark: FindingMark = { kind: f.kind, badge, title: `${KIND_LABEL[f.kind]}: ${f.summary} (${cost})` };
    for (const id of f.spanIds) if (!marks.has(id)) marks.set(id, mark);
  }
  return marks;
}

/** SVG polyline points of a sparkline for `values` in a `w` x `h` box (flat line when all zero). */
export function sparklinePoints(values: readonly number[], w: number, h: number): string {
  if (values.length === 0) return '';
  const max = Math.max(...values);
  const step = values.length > 1 ? w / (values.length - 1) : 0;
  return values
    .map((v, i) => {
      const y = max > 0 ? h - 1 - (v / max) * (h - 2) : h - 1;
      return `${(i * step).toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

/** `38%` for 0.38; `<1%` for a small non-zero share. */
export function formatShare(share: number): string {
  if (share > 0 && share < 0.01) return '<1%';
  return `${Math.round(share * 100)}%`;
}

/** A Queries row's key: a fingerprint runs in several services, one row each. */
export function queryRowKey(q: { fingerprint: string; service: string }): string {
  return `${q.fingerprint}/${q.service}`;
}

/**
 * The row `#/queries/<fingerprint>` opens: that fingerprint's row of `service` (the shared
 * context's) when there is one, else its first row (the list's order: the costliest first);
 * undefined when no row has it.
 */
export function linkedQueryRow<Q extends { fingerprint: string; service: string }>(rows: readonly Q[], fingerprint: string | undefined, service?: string): Q | undefined {
  if (!fingerprint) return undefined;
  return rows.find((q) => q.fingerprint === fingerprint && q.service === service) ?? rows.find((q) => q.fingerprint === fingerprint);
}
