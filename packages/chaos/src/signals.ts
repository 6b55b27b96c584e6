/**
 * Golden-signal change of each route and dependency: the window before an experiment against the
 * window while it ran, from the metrics' per-slot series. Pure; the panel feeds it its series.
 */
import type { ChaosSignalChange, ChaosSignalWindow, SeriesPoints } from '@debugpanel/model';

/** One series with its slot start times (ms since epoch), as `GET /api/metrics` answers. */
export interface TimedSeries {
  times: ReadonlyArray<number>;
  /** slot length, ms */
  resolutionMs: number;
  series: Pick<SeriesPoints, 'labels' | 'count' | 'errors' | 'p95'>;
}

function window(s: TimedSeries, from: number, to: number): ChaosSignalWindow {
  let requests = 0;
  let errors = 0;
  let p95 = 0;
  for (let i = 0; i < s.times.length; i++) {
    const t = s.times[i]!;
    // a slot counts when it lies inside the window (its start at or after `from`, its end by `to`)
    if (t < from || t + s.resolutionMs > to + s.resolutionMs / 2) continue;
    requests += s.series.count[i] ?? 0;
    errors += s.series.errors[i] ?? 0;
    if ((s.series.count[i] ?? 0) > 0) p95 = Math.max(p95, s.series.p95[i] ?? 0);
  }
  return { requests, errors, errorRate: requests ? errors / requests : 0, p95 };
}

/** How much a window changed: error rate points plus the relative p95 change, for ranking. */
function score(c: ChaosSignalChange): number {
  const err = Math.abs(c.during.errorRate - c.before.errorRate);
  const lat = c.before.p95 > 0 ? Math.abs(c.during.p95 - c.before.p95) / c.before.p95 : c.during.p95 > 0 ? 1 : 0;
  return err * 2 + Math.min(lat, 10) * 0.5;
}

/**
 * The series whose signals moved, most changed first. `before` is as long as the experiment ran
 * (within what the series hold). The p95 of a window is its highest per-slot p95.
 *
 * @example
 * signalChanges(series, startedAt, finishedAt)[0] // { name: 'GET /api/products', before: {...}, during: {...} }
 */
export function signalChanges(all: ReadonlyArray<TimedSeries>, startedAt: number, finishedAt: number, limit = 8): ChaosSignalChange[] {
  const length = Math.max(1000, finishedAt - startedAt);
  const out: Array<ChaosSignalChange & { score: number }> = [];
  for (const s of all) {
    const l = s.series.labels;
    const during = window(s, startedAt, finishedAt);
    const before = window(s, startedAt - length, startedAt);
    if (during.requests === 0 && before.requests === 0) continue;
    const name = l.kind === 'server' ? `${l.method ? `${l.method} ` : ''}${l.route ?? '*'}` : l.dependency ?? 'other';
    const c: ChaosSignalChange = { kind: l.kind, service: l.service, name, before, during };
    out.push({ ...c, score: score(c) });
  }
  out.sort((a, b) => b.score - a.score);
  return out.slice(0, limit).map(({ score: _s, ...c }) => c);
}
