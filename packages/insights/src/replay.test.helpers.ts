/**
 * Clean traffic recorded on the real demo (`npm run eval:demo` writes every span of its clean
 * stretch), replayed through the real golden signals and the insights engine on a fake clock,
 * looped to cover an hour or more: the false alarms of a clean hour without waiting an hour.
 *
 * Each loop shifts every time by the recording's length and gives its traces new ids; spans enter
 * the signals and the engine in the second their span ends, as they do in the panel, and both are
 * ticked once per second. What a replay does not have: the process signals (event-loop delay,
 * heap: the saturation rules see nothing) and whatever the recording did not contain (a loop
 * repeats the same few minutes, so it is no substitute for an independent hour).
 */
import { criticalPath } from '@debugpanel/flamegraph';
import { GoldenSignals, type GoldenSignalsOptions } from '@debugpanel/metrics';
import { spanEnd, type IncidentSummary, type SpanRecord } from '@debugpanel/model';
import { InsightsEngine, type InsightsOptions } from './index.js';

export interface Recording {
  /** ms since epoch: the stretch the spans were recorded over */
  from: number;
  to: number;
  spans: SpanRecord[];
}

export interface ReplayOptions {
  /** replayed time after the warm-up, ms */
  durationMs: number;
  /** replayed first and not counted (the baselines warm up), ms */
  warmupMs: number;
  insights?: Partial<InsightsOptions>;
  metrics?: GoldenSignalsOptions;
}

export interface ReplayResult {
  /** incidents that opened after the warm-up */
  incidents: IncidentSummary[];
  /** incidents that opened during the warm-up (there should be none) */
  warmupIncidents: IncidentSummary[];
  loops: number;
  spans: number;
  traces: number;
  replayedMs: number;
}

/** A trace id for loop `k`: the first 6 hex characters carry the loop number. */
function loopId(id: string, k: number): string {
  return k === 0 ? id : (k.toString(16).padStart(6, '0') + id.slice(6)).slice(0, id.length);
}

function shifted(s: SpanRecord, k: number, by: number): SpanRecord {
  return {
    ...s,
    traceId: loopId(s.traceId, k),
    startTime: s.startTime + by,
    events: s.events.map((e) => ({ ...e, time: e.time + by })),
  };
}

/**
 * Replays `rec` for `warmupMs + durationMs` with a fake clock.
 *
 * @example
 * const r = replay(recording, { warmupMs: 600_000, durationMs: 3_600_000 });
 * r.incidents.length; // false alarms in the replayed hour
 */
export function replay(rec: Recording, o: ReplayOptions): ReplayResult {
  const length = Math.max(1000, Math.round((rec.to - rec.from) / 1000) * 1000);
  const t0 = Math.floor(rec.from / 1000) * 1000;
  const end = t0 + o.warmupMs + o.durationMs;
  // Spans ordered by end, as the panel receives them.
  const base = rec.spans.filter((s) => s.startTime >= rec.from - 60_000).sort((a, b) => spanEnd(a) - spanEnd(b));
  let now = t0;
  const signals = new GoldenSignals({ process: false, ...o.metrics, now: () => now });
  const engine = new InsightsEngine({
    criticalPath,
    ...o.insights,
    now: () => now,
    source: { fine: (s) => signals.queryAll(s), coarse: (seconds) => signals.queryAll(seconds ?? o.metrics?.coarseWindow ?? 21_600) },
  });
  let loop = 0;
  let i = 0;
  let fed = 0;
  const traces = new Set<string>();
  while (now < end) {
    const next = now + 1000;
    const batch: SpanRecord[] = [];
    for (;;) {
      if (i >= base.length) {
        loop++;
        i = 0;
      }
      const s = base[i]!;
      const by = loop * length;
      if (spanEnd(s) + by >= next) break;
      i++;
      batch.push(shifted(s, loop, by));
    }
    now = next;
    for (const s of batch) {
      signals.record(s);
      traces.add(s.traceId);
    }
    if (batch.length) engine.addSpans(batch);
    fed += batch.length;
    signals.tick(now);
    engine.tick(now);
  }
  const all = engine.list({ limit: 10_000 }).incidents;
  const after = t0 + o.warmupMs;
  return {
    incidents: all.filter((x) => x.startedAt >= after),
    warmupIncidents: all.filter((x) => x.startedAt < after),
    loops: loop + 1,
    spans: fed,
    traces: traces.size,
    replayedMs: end - t0,
  };
}
