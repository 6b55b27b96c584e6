/**
 * Root-cause ranking of one anomaly: traces of the anomaly window against traces of the baseline
 * window, each reduced to a `TraceDigest`. Four kinds of evidence go into one ranked list:
 *
 * - spectrum scores of every (service, operation) over anomalous ("failing") vs normal
 *   ("passing") traces, as MicroRank (WWW 2021) does: Ochiai = ef / sqrt((ef+nf)(ef+ep)) and
 *   DStar2 = ef^2 / (ep+nf). For a latency anomaly a trace is anomalous when its duration exceeds
 *   the sum over its operations of the baseline mean + sigma of their self time; for an error
 *   anomaly when its span in the anomalous scope failed;
 * - the change of each operation's self time on the critical path (latency): a caller waiting
 *   for a slow child has the same self time as before, so it is never blamed for the child;
 * - the origin of each failing trace's error, its deepest erroring span (errors): the callers that
 *   passed the error on are not origins;
 * - attribute values over-represented in anomalous traces, by lift P(v | anomalous) / P(v | normal)
 *   with a minimum support.
 *
 * A synchronous statement's blocking charge (the time it held its process's thread while other
 * traces waited, `OpDigest.blocked`) counts in its added latency only in the share its own latency
 * explains: 1 - baseline / window own duration (median of its spans in the window against the p90
 * of its spans in the baseline traces or, from `statementBaseline`, its longer history). A by-design
 * slow statement that runs as long as before is not blamed for the waits it always causes, however
 * many of the slow traces it happened to overlap; a statement that got slower keeps that share.
 *
 * An operation's score is 0.75 x its share of the change (added latency, or added error origins)
 * + 0.25 x its Ochiai score; an attribute's is 0.5 x (1 - 1/lift) x its anomalous support, so an
 * attribute ranks above an operation only when the operations explain little.
 */
import type { ErrorGroupEvidence, InsightSignal, QueryEvidence, QueryFindingEvidence, Suspect, SuspectEvidence } from '@debugpanel/model';
import type { OpDigest, TraceDigest } from './digest.js';

export interface RankInput {
  signal: InsightSignal;
  /** judge latency (slow traces) or errors (failing traces); default from the signal */
  mode?: 'latency' | 'errors';
  /** scope keys of the anomaly (and of the incident's other anomalies): a trace is relevant when it passed one */
  scopes: ReadonlyArray<string>;
  /** digests of the anomaly window and of the baseline window */
  window: ReadonlyArray<TraceDigest>;
  baseline: ReadonlyArray<TraceDigest>;
  /** most suspects returned (default 10) */
  limit?: number;
  /**
   * a database statement's own baseline latency from outside the baseline traces (the engine's
   * statement mix: its p90 over the last minutes), ms; undefined when unknown
   */
  statementBaseline?: (op: OpDigest) => number | undefined;
}

export interface Ranking {
  suspects: Suspect[];
  /** relevant traces of each window, and the anomalous ones of the anomaly window */
  window: number;
  baseline: number;
  anomalous: number;
}

const EXAMPLES = 3;

function fmtMs(v: number): string {
  return v >= 100 ? `${Math.round(v)} ms` : `${Math.round(v * 10) / 10} ms`;
}
function pct(v: number): string {
  return `${Math.round(v * 100)}%`;
}

interface OpBaseline {
  /** mean and sigma of the op's self time over traces that have it */
  mean: number;
  sigma: number;
  /** mean self time per baseline trace, zero where absent */
  perTrace: number;
  present: number;
}

function opBaselines(traces: ReadonlyArray<TraceDigest>): Map<string, OpBaseline> {
  const acc = new Map<string, { n: number; sum: number; sq: number }>();
  for (const t of traces) {
    for (const op of t.ops) {
      let a = acc.get(op.key);
      if (!a) acc.set(op.key, (a = { n: 0, sum: 0, sq: 0 }));
      a.n++;
      a.sum += op.self;
      a.sq += op.self * op.self;
    }
  }
  const out = new Map<string, OpBaseline>();
  for (const [k, a] of acc) {
    const mean = a.sum / a.n;
    out.set(k, { mean, sigma: Math.sqrt(Math.max(0, a.sq / a.n - mean * mean)), perTrace: traces.length ? a.sum / traces.length : 0, present: a.n });
  }
  return out;
}

/** Self time above which an op counts as slower than its baseline in one trace (new ops: any time over 1 ms). */
function slowAt(b: OpBaseline | undefined): number {
  const before = b?.mean ?? 0;
  return before + Math.max(b?.sigma ?? 0, 0.2 * before, 1);
}

/** The MicroRank rule: slower than the sum over its operations of baseline mean + sigma. */
function isSlow(t: TraceDigest, base: Map<string, OpBaseline>): boolean {
  let expected = 0;
  for (const op of t.ops) {
    const b = base.get(op.key);
    // an operation the baseline never saw is judged by its own time: neutral; but time another
    // trace's synchronous call held the thread (an op with no span here) is expected to be 0
    expected += b ? b.mean + b.sigma : op.count > 0 ? op.self : 0;
  }
  return t.duration > expected;
}

function passed(t: TraceDigest, scopes: ReadonlySet<string>, field: 'scopes' | 'errorScopes'): boolean {
  for (const s of t[field]) if (scopes.has(s)) return true;
  return false;
}

/** Ochiai and DStar2 of one element, from its counts in failing (ef, nf) and passing (ep, np) runs. */
export function spectrum(ef: number, nf: number, ep: number): { ochiai: number; dstar2: number } {
  const d = Math.sqrt((ef + nf) * (ef + ep));
  // DStar2's denominator is 0 for a perfect element: floored at 0.5 so it stays finite and the highest.
  return { ochiai: d > 0 ? ef / d : 0, dstar2: ef === 0 ? 0 : (ef * ef) / Math.max(ep + nf, 0.5) };
}

/**
 * Ranks suspects for one anomaly (or incident) from trace digests of both windows.
 *
 * @example
 * const { suspects } = rank({ signal: 'latency', scopes: ['route:gateway:GET /checkout'], window, baseline });
 * suspects[0].evidence.sentence; // 'inventory GET /stock/:id: self time on the critical path 4 ms -> 204 ms ...'
 */
export function rank(input: RankInput): Ranking {
  const scopes = new Set(input.scopes);
  const mode = input.mode ?? (input.signal === 'errors' ? 'errors' : 'latency');
  const windowTraces = input.window.filter((t) => passed(t, scopes, 'scopes'));
  const baseTraces = input.baseline.filter((t) => passed(t, scopes, 'scopes'));
  const base = opBaselines(baseTraces);
  const anomalous: TraceDigest[] = [];
  const normal: TraceDigest[] = [...baseTraces];
  for (const t of windowTraces) {
    const bad = mode === 'errors' ? passed(t, scopes, 'errorScopes') : isSlow(t, base);
    (bad ? anomalous : normal).push(t);
  }
  const out: Ranking = { suspects: [], window: windowTraces.length, baseline: baseTraces.length, anomalous: anomalous.length };
  if (anomalous.length === 0) return out;

  // Spectrum counts per operation: coverage is "the op was slower than its baseline in the trace"
  // (latency) or "the op failed" (errors). "Has the op" would not tell anything apart: a slow
  // statement and the callers waiting for it are in the same traces.
  const covers = (op: OpDigest): boolean => (mode === 'errors' ? op.errors > 0 : op.self > slowAt(base.get(op.key)));
  const ef = new Map<string, number>();
  const ep = new Map<string, number>();
  const info = new Map<string, OpDigest>();
  for (const [list, counts] of [[anomalous, ef], [normal, ep]] as const) {
    for (const t of list) {
      for (const op of t.ops) {
        if (!covers(op)) continue;
        counts.set(op.key, (counts.get(op.key) ?? 0) + 1);
        if (!info.has(op.key)) info.set(op.key, op);
      }
    }
  }
  const suspects: Suspect[] = [];
  if (mode === 'latency') {
    const explained = blockingExplained(anomalous, input.window, input.baseline, input.statementBaseline);
    suspects.push(...latencySuspects(anomalous, windowTraces, baseTraces, base, ef, ep, info, explained));
  }
  else suspects.push(...errorSuspects(anomalous, windowTraces, baseTraces, ef, ep, info));
  suspects.push(...attributeSuspects(anomalous, normal, mode));
  suspects.sort((a, b) => b.score - a.score);
  out.suspects = suspects.slice(0, input.limit ?? 10);
  return out;
}

function examples(list: ReadonlyArray<TraceDigest>, weight: (t: TraceDigest) => number): string[] {
  return [...list].sort((a, b) => weight(b) - weight(a)).slice(0, EXAMPLES).map((t) => t.traceId);
}

function opOf(t: TraceDigest, key: string): OpDigest | undefined {
  for (const op of t.ops) if (op.key === key) return op;
  return undefined;
}

function latencySuspects(
  anomalous: TraceDigest[], windowTraces: TraceDigest[], baseTraces: TraceDigest[], base: Map<string, OpBaseline>,
  ef: Map<string, number>, ep: Map<string, number>, info: Map<string, OpDigest>, explained: Map<string, number>,
): Suspect[] {
  // Added self time per anomalous trace, per operation (zero where absent on either side).
  const added = new Map<string, number>();
  const afterMean = new Map<string, { sum: number; n: number }>();
  for (const t of anomalous) {
    for (const op of t.ops) {
      added.set(op.key, (added.get(op.key) ?? 0) + op.self / anomalous.length);
      const m = afterMean.get(op.key) ?? { sum: 0, n: 0 };
      m.sum += op.self;
      m.n++;
      afterMean.set(op.key, m);
    }
  }
  for (const [k, b] of base) added.set(k, (added.get(k) ?? 0) - b.perTrace);
  // A synchronous statement's blocking above its baseline counts only in the share its own
  // latency's rise explains (`blockingExplained`).
  for (const [k, share] of explained) {
    if (share >= 1 || !added.has(k)) continue;
    let after = 0;
    for (const t of anomalous) after += opOf(t, k)?.blocked ?? 0;
    let before = 0;
    for (const t of baseTraces) before += opOf(t, k)?.blocked ?? 0;
    const excess = Math.max(0, after / anomalous.length - (baseTraces.length ? before / baseTraces.length : 0));
    added.set(k, added.get(k)! - (1 - share) * excess);
  }
  let positive = 0;
  for (const v of added.values()) if (v > 0) positive += v;
  const out: Suspect[] = [];
  for (const [key, delta] of added) {
    const op = info.get(key);
    if (!op || delta <= 0) continue;
    const share = positive > 0 ? delta / positive : 0;
    const e = ef.get(key) ?? 0;
    const { ochiai, dstar2 } = spectrum(e, anomalous.length - e, ep.get(key) ?? 0);
    const b = base.get(key);
    const before = b?.mean ?? 0;
    const m = afterMean.get(key)!;
    const after = m.sum / m.n;
    const threshold = slowAt(b);
    const slowIn = (t: TraceDigest): boolean => (opOf(t, key)?.self ?? 0) > threshold;
    const aShare = anomalous.filter(slowIn).length / anomalous.length;
    const nShare = baseTraces.length ? baseTraces.filter(slowIn).length / baseTraces.length : 0;
    const name = `${op.service} ${op.operation}`;
    const evidence: SuspectEvidence = {
      before, after, unit: 'ms', anomalousShare: aShare, normalShare: nShare, ochiai, dstar2,
      // traces that ran it first, then those it only blocked
      anomalousTraces: examples(anomalous.filter((t) => opOf(t, key)), (t) => (opOf(t, key)!.count > 0 ? 1e9 : 0) + opOf(t, key)!.self),
      normalTraces: examples(baseTraces.filter((t) => opOf(t, key)), (t) => t.start),
      sentence: `${name}: self time on the critical path ${fmtMs(before)} -> ${fmtMs(after)} (+${fmtMs(after - before)}, ${pct(share)} of the added latency); slower in ${pct(aShare)} of slow traces, ${pct(nShare)} of normal ones.`,
    };
    if (op.durations) {
      // A database statement: its own latency over both windows, and the window's query findings.
      const query = queryEvidence(op, windowTraces, baseTraces);
      evidence.query = query;
      const found = findingEvidence(op, windowTraces, baseTraces);
      if (found.length) evidence.findings = found;
      const blocked = anomalous.reduce((sum, t) => sum + (opOf(t, key)?.blocked ?? 0), 0) / anomalous.length;
      if (blocked >= 0.5) evidence.sentence += ` It is synchronous: while it ran, ${op.service}'s other requests waited (${fmtMs(blocked)} of each slow trace, counted in its self time).`;
      evidence.sentence += ` The statement's p95 went ${fmtMs(query.p95Before)} -> ${fmtMs(query.p95After)} (${fmtCalls(query.callsBefore)} -> ${fmtCalls(query.callsAfter)} calls per request)${found[0] ? `; ${found[0].kind} in ${found[0].route}: ${Math.round(found[0].repeatsAfter)} queries per request in ${found[0].window} of the window's traces` : ''}.`;
    }
    out.push({ service: op.service, operation: op.operation, kind: op.kind === 'dependency' ? 'dependency' : 'self-time', score: 0.75 * share + 0.25 * ochiai, evidence });
  }
  return out;
}

/**
 * Per statement that blocked anomalous traces: the share of its blocking its own latency's rise
 * explains, 1 - before / after, with `after` the median of its own spans' durations in the window
 * (all traces, not only the anomaly's: the statement usually runs in another route's requests) and
 * `before` the p90 of its spans in the baseline traces, or its `statementBaseline`, whichever is
 * higher. 1 (all of it counts, as a new or newly slow statement's) when either side is unknown,
 * or when its calls per request that runs it grew by half (a loop that grew: each request holds
 * the thread longer though each call is as fast as before).
 */
function blockingExplained(
  anomalous: ReadonlyArray<TraceDigest>, window: ReadonlyArray<TraceDigest>, baseline: ReadonlyArray<TraceDigest>,
  statementBaseline: RankInput['statementBaseline'],
): Map<string, number> {
  const blocking = new Map<string, OpDigest>();
  for (const t of anomalous) for (const op of t.ops) if ((op.blocked ?? 0) > 0 && !blocking.has(op.key)) blocking.set(op.key, op);
  const out = new Map<string, number>();
  if (blocking.size === 0) return out;
  // own span durations, and calls per trace that runs it (a loop that grew blocks longer per request)
  const durations = (list: ReadonlyArray<TraceDigest>): Map<string, { d: number[]; calls: number; traces: number }> => {
    const m = new Map<string, { d: number[]; calls: number; traces: number }>();
    for (const t of list) {
      for (const op of t.ops) {
        if (op.count === 0 || !op.durations?.length || !blocking.has(op.key)) continue;
        let e = m.get(op.key);
        if (!e) m.set(op.key, (e = { d: [], calls: 0, traces: 0 }));
        e.d.push(...op.durations);
        e.calls += op.count;
        e.traces++;
      }
    }
    for (const e of m.values()) e.d.sort((a, b) => a - b);
    return m;
  };
  const inWindow = durations(window);
  const inBaseline = durations(baseline);
  for (const [key, op] of blocking) {
    const w = inWindow.get(key);
    const b = inBaseline.get(key);
    const history = statementBaseline?.(op);
    const before = Math.max(b ? quantile(b.d, 0.9) : 0, history !== undefined && Number.isFinite(history) ? history : 0);
    if (!w || !(before > 0) || (b && w.calls / w.traces > 1.5 * (b.calls / b.traces))) {
      out.set(key, 1);
      continue;
    }
    const after = quantile(w.d, 0.5);
    out.set(key, after > 0 ? Math.min(1, Math.max(0, 1 - before / after)) : 0);
  }
  return out;
}

function errorSuspects(
  anomalous: TraceDigest[], windowTraces: TraceDigest[], baseTraces: TraceDigest[],
  ef: Map<string, number>, ep: Map<string, number>, info: Map<string, OpDigest>,
): Suspect[] {
  const countW = new Map<string, number>();
  const countB = new Map<string, number>();
  const message = new Map<string, string>();
  const group = new Map<string, string>();
  for (const t of anomalous) {
    if (t.origin === undefined) continue;
    countW.set(t.origin, (countW.get(t.origin) ?? 0) + 1);
    if (t.originMessage && !message.has(t.origin)) message.set(t.origin, t.originMessage);
    if (t.originGroup && !group.has(t.origin)) group.set(t.origin, t.originGroup);
  }
  for (const t of baseTraces) if (t.origin !== undefined) countB.set(t.origin, (countB.get(t.origin) ?? 0) + 1);
  const rise = new Map<string, number>();
  let positive = 0;
  for (const [k, n] of countW) {
    const r = n / windowTraces.length - (countB.get(k) ?? 0) / Math.max(1, baseTraces.length);
    if (r > 0) {
      rise.set(k, r);
      positive += r;
    }
  }
  const out: Suspect[] = [];
  for (const [key, r] of rise) {
    const op = info.get(key) ?? anomalous.flatMap((t) => t.ops).find((o) => o.key === key);
    if (!op) continue;
    const share = r / positive;
    const e = ef.get(key) ?? 0;
    const { ochiai, dstar2 } = spectrum(e, anomalous.length - e, ep.get(key) ?? 0);
    const before = (countB.get(key) ?? 0) / Math.max(1, baseTraces.length);
    const after = (countW.get(key) ?? 0) / windowTraces.length;
    const aShare = (countW.get(key) ?? 0) / anomalous.length;
    const nShare = before;
    const why = message.get(key);
    const groups = groupEvidence(key, anomalous, windowTraces, baseTraces);
    const errorGroup = groups[0]?.fingerprint ?? group.get(key);
    const evidence: SuspectEvidence = {
      before, after, unit: 'ratio', anomalousShare: aShare, normalShare: nShare, ochiai, dstar2,
      ...(errorGroup !== undefined ? { errorGroup } : {}),
      ...(groups.length ? { errorGroups: groups } : {}),
      anomalousTraces: anomalous.filter((t) => t.origin === key).slice(-EXAMPLES).map((t) => t.traceId),
      normalTraces: examples(baseTraces.filter((t) => opOf(t, key)), (t) => t.start),
      sentence: `${op.service} ${op.operation}: the error starts here in ${pct(aShare)} of failing traces${why ? ` (${why}${errorGroup ? `, error group ${errorGroup}` : ''})` : errorGroup ? ` (error group ${errorGroup})` : ''}; as an error origin ${pct(before)} -> ${pct(after)} of requests.${groups[0] ? ` Error group ${groups[0].type}: ${groups[0].message}, ${groups[0].window} failing traces in the window vs ${groups[0].baseline} in the baseline.` : ''}`,
    };
    out.push({ service: op.service, operation: op.operation, kind: 'error-origin', score: 0.75 * share + 0.25 * ochiai, evidence });
  }
  return out;
}

function attributeSuspects(anomalous: TraceDigest[], normal: TraceDigest[], mode: 'latency' | 'errors'): Suspect[] {
  const count = (list: TraceDigest[]): Map<string, { n: number; ids: string[] }> => {
    const m = new Map<string, { n: number; ids: string[] }>();
    for (const t of list) {
      for (const a of t.attrs) {
        let c = m.get(a);
        if (!c) m.set(a, (c = { n: 0, ids: [] }));
        c.n++;
        if (c.ids.length < EXAMPLES) c.ids.push(t.traceId);
      }
    }
    return m;
  };
  const inA = count(anomalous);
  const inN = count(normal);
  const minSupport = Math.max(5, 0.2 * anomalous.length);
  const out: Suspect[] = [];
  for (const [attr, a] of inA) {
    if (a.n < minSupport) continue;
    // An error's own status is the symptom, not a cause.
    if (mode === 'errors' && /status_code=|error/i.test(attr)) continue;
    const pa = a.n / anomalous.length;
    const nn = inN.get(attr);
    const pn = Math.max((nn?.n ?? 0) / Math.max(1, normal.length), 1 / (normal.length + 1));
    const lift = pa / pn;
    if (lift < 2) continue;
    const colon = attr.indexOf(':');
    const service = attr.slice(0, colon);
    const value = attr.slice(colon + 1);
    const { ochiai, dstar2 } = spectrum(a.n, anomalous.length - a.n, nn?.n ?? 0);
    out.push({
      service,
      attribute: value,
      kind: 'attribute',
      score: 0.5 * (1 - 1 / lift) * pa,
      evidence: {
        before: (nn?.n ?? 0) / Math.max(1, normal.length), after: pa, unit: 'ratio', anomalousShare: pa, normalShare: (nn?.n ?? 0) / Math.max(1, normal.length),
        ochiai, dstar2, lift,
        anomalousTraces: a.ids, normalTraces: nn?.ids ?? [],
        sentence: `${value} (${service}) is in ${pct(pa)} of ${mode === 'errors' ? 'failing' : 'slow'} traces and ${pct((nn?.n ?? 0) / Math.max(1, normal.length))} of normal ones (lift ${lift.toFixed(1)}).`,
      },
    });
  }
  return out;
}

function fmtCalls(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** The value below which `q` of the sorted values lie (nearest rank). */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** A database op's span durations and calls per trace, baseline window vs anomaly window. */
function queryEvidence(op: OpDigest, windowTraces: ReadonlyArray<TraceDigest>, baseTraces: ReadonlyArray<TraceDigest>): QueryEvidence {
  const side = (list: ReadonlyArray<TraceDigest>) => {
    const d: number[] = [];
    let calls = 0;
    let traces = 0;
    for (const t of list) {
      const o = opOf(t, op.key);
      if (!o || o.count === 0) continue; // only blocked by it, never called it
      traces++;
      calls += o.count;
      if (o.durations) d.push(...o.durations);
    }
    d.sort((a, b) => a - b);
    return { p95: quantile(d, 0.95), calls: traces ? calls / traces : 0, samples: d.length };
  };
  const b = side(baseTraces);
  const a = side(windowTraces);
  return {
    ...(op.fingerprint !== undefined ? { fingerprint: op.fingerprint } : {}),
    statement: op.operation,
    ...(op.system !== undefined ? { system: op.system } : {}),
    p95Before: b.p95, p95After: a.p95, callsBefore: b.calls, callsAfter: a.calls, samplesBefore: b.samples, samplesAfter: a.samples,
  };
}

/**
 * Query findings of the op's service seen in the anomaly window's traces, with their baseline
 * counts: the op's own fingerprint first, then N+1 before other kinds, then the most frequent.
 */
function findingEvidence(op: OpDigest, windowTraces: ReadonlyArray<TraceDigest>, baseTraces: ReadonlyArray<TraceDigest>): QueryFindingEvidence[] {
  interface Acc { e: QueryFindingEvidence; repB: number; msB: number }
  const acc = new Map<string, Acc>();
  const add = (t: TraceDigest, inWindow: boolean): void => {
    for (const f of t.findings ?? []) {
      if (f.service !== op.service) continue;
      const key = `${f.kind}\0${f.route}\0${f.fingerprint ?? f.statement ?? ''}`;
      let a = acc.get(key);
      if (!a) {
        if (!inWindow) continue; // only findings of the window, with their baseline counts
        a = {
          e: {
            kind: f.kind, service: f.service, route: f.route,
            ...(f.fingerprint !== undefined ? { fingerprint: f.fingerprint } : {}),
            ...(f.statement !== undefined ? { statement: f.statement } : {}),
            window: 0, baseline: 0, repeatsAfter: 0, repeatsBefore: 0, msAfter: 0, msBefore: 0, traceIds: [],
          },
          repB: 0, msB: 0,
        };
        acc.set(key, a);
      }
      if (inWindow) {
        a.e.window++;
        a.e.repeatsAfter += f.count;
        a.e.msAfter += f.totalMs;
        if (a.e.traceIds.length < EXAMPLES) a.e.traceIds.push(t.traceId);
      } else {
        a.e.baseline++;
        a.repB += f.count;
        a.msB += f.totalMs;
      }
    }
  };
  for (const t of windowTraces) add(t, true);
  if (acc.size === 0) return [];
  for (const t of baseTraces) add(t, false);
  const out = [...acc.values()].map(({ e, repB, msB }) => ({
    ...e,
    repeatsAfter: e.repeatsAfter / e.window,
    msAfter: e.msAfter / e.window,
    repeatsBefore: e.baseline ? repB / e.baseline : 0,
    msBefore: e.baseline ? msB / e.baseline : 0,
  }));
  const rankOf = (e: QueryFindingEvidence): number => (op.fingerprint !== undefined && e.fingerprint === op.fingerprint ? 0 : e.kind === 'n+1' ? 1 : 2);
  out.sort((x, y) => rankOf(x) - rankOf(y) || y.window - x.window);
  return out.slice(0, 3);
}

/** The error groups of the failing traces whose origin is `key`, with their baseline counts. */
function groupEvidence(key: string, anomalous: ReadonlyArray<TraceDigest>, windowTraces: ReadonlyArray<TraceDigest>, baseTraces: ReadonlyArray<TraceDigest>): ErrorGroupEvidence[] {
  const acc = new Map<string, ErrorGroupEvidence>();
  for (const t of anomalous) {
    if (t.origin !== key || t.originGroup === undefined) continue;
    let g = acc.get(t.originGroup);
    if (!g) {
      g = {
        fingerprint: t.originGroup, type: t.originGroupType ?? t.originMessage ?? 'Error', message: t.originGroupMessage ?? '',
        window: 0, baseline: 0, windowTraces: windowTraces.length, baselineTraces: baseTraces.length, traceIds: [],
      };
      acc.set(t.originGroup, g);
    }
    g.window++;
    if (g.traceIds.length < EXAMPLES) g.traceIds.push(t.traceId);
  }
  if (acc.size === 0) return [];
  for (const t of baseTraces) {
    const g = t.originGroup !== undefined ? acc.get(t.originGroup) : undefined;
    if (g) g.baseline++;
  }
  return [...acc.values()].sort((a, b) => b.window - a.window).slice(0, 3);
}
