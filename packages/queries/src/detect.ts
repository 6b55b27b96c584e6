/**
 * The detectors, over the spans of one request (one local root and what ran under it in its
 * process). Pure: spans in, `TraceFinding`s out. Modelled on Sentry's performance-issue detectors
 * (N+1 DB, consecutive DB, slow DB, N+1 API) with these differences, each for a measured reason:
 *
 * - N+1 counts every same-fingerprint sibling under one parent, not only a run uninterrupted by
 *   other spans, so the `Promise.all` form that Node code usually makes is caught; pool `connect`
 *   spans between a request and its queries are looked through.
 * - N+1 also fires when the repeats take a large share of their request (`nPlusOneMinShare`),
 *   not only past 50 ms: on an embedded database (SQLite) a 20-query loop takes 1 ms, yet it is
 *   most of its request and grows with the data.
 * - A slow query is one past `slowQueryMs` (Sentry: 500 ms), or one that takes most of its
 *   request (`slowQueryShare`) and at least `slowQueryMinMs`: a 100 ms report in a 110 ms request.
 */
import { calleeOf, isErrorSpan, isLocalRoot, type DetectorThresholds, type SpanRecord, type TraceFinding } from '@debugpanel/model';
import { fingerprint } from './fingerprint.js';

/** Defaults, documented in the README; any subset can be given as `queries.detectors`. */
export const DEFAULT_THRESHOLDS: Readonly<DetectorThresholds> = Object.freeze({
  nPlusOneMinRepeats: 5,
  nPlusOneMinTotalMs: 50,
  nPlusOneMinShare: 0.2,
  consecutiveMinSavingMs: 100,
  consecutiveMinSavingShare: 0.1,
  slowQueryMs: 500,
  slowQueryShare: 0.5,
  slowQueryMinMs: 25,
  nPlusOneHttpMinRepeats: 10,
  nPlusOneHttpWindowMs: 5,
  nPlusOneHttpMinTotalMs: 300,
});

/** Bound on the span ids one finding carries. */
export const MAX_FINDING_SPANS = 200;
/** Consecutive queries: at most this gap (ms) between one's end and the next's start. */
const CONSECUTIVE_GAP_MS = 5;

/** A database client span, as the detectors see it. */
export interface DbCall {
  span: SpanRecord;
  fingerprint: string;
  statement: string;
  operation: string | undefined;
}

/** The statement of a database span: `db.query.text`, older `db.statement`, else its name. */
export function statementOf(span: SpanRecord): string {
  const a = span.attributes;
  const text = a['db.query.text'] ?? a['db.statement'];
  return typeof text === 'string' && text !== '' ? text : span.name;
}

/** True for a database client span (by the model's callee rule). */
export function isDbSpan(span: SpanRecord): boolean {
  return (span.kind === 'client' || span.kind === 'internal') && calleeOf(span).kind === 'database';
}

/** A pool or client `connect` span: looked through when finding a query's parent. */
function isConnectSpan(span: SpanRecord): boolean {
  if (!/connect/i.test(span.name)) return false;
  return isDbSpan(span) || span.name.startsWith('pg') || span.name.startsWith('mysql');
}

function isHttpClientSpan(span: SpanRecord): boolean {
  if (span.kind !== 'client') return false;
  const method = span.attributes['http.request.method'] ?? span.attributes['http.method'];
  if (typeof method !== 'string') return false;
  const callee = calleeOf(span).kind;
  return callee === 'host' || callee === 'service';
}

/** `GET host/path/:id`: a client span's route, from `url.template` or `url.full` with id-like segments replaced. */
export function httpRouteOf(span: SpanRecord): string | undefined {
  const a = span.attributes;
  const method = String(a['http.request.method'] ?? a['http.method'] ?? 'GET');
  const template = a['url.template'];
  const full = a['url.full'] ?? a['http.url'];
  if (typeof full !== 'string') return typeof template === 'string' ? `${method} ${template}` : undefined;
  let url: URL;
  try {
    url = new URL(full);
  } catch {
    return undefined;
  }
  const path =
    typeof template === 'string'
      ? template
      : url.pathname
          .split('/')
          .map((seg) => (/\d/.test(seg) || /^[0-9a-f]{8,}$/i.test(seg) ? ':id' : seg))
          .join('/');
  return `${method} ${url.host}${path}`;
}

/** Wall time covered by the union of the spans' intervals. */
function unionMs(spans: readonly SpanRecord[]): number {
  const sorted = spans.slice().sort((a, b) => a.startTime - b.startTime);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const s of sorted) {
    const end = s.startTime + s.duration;
    if (s.startTime > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = s.startTime;
      curEnd = end;
    } else if (end > curEnd) curEnd = end;
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

function overlaps(sorted: readonly SpanRecord[]): boolean {
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    if (sorted[i]!.startTime < prev.startTime + prev.duration - 1e-6) return true;
  }
  return false;
}

function ms(n: number): string {
  return n >= 100 ? `${Math.round(n)} ms` : n >= 1 ? `${n.toFixed(1)} ms` : `${n.toFixed(2)} ms`;
}

function pct(n: number): string {
  return `${Math.round(n * 100)}%`;
}

/** One request: its local root and the spans under it in the same process. */
export interface RequestPart {
  root: SpanRecord;
  spans: SpanRecord[];
}

/**
 * Splits a trace's spans into requests, one per local root (by the model's `isLocalRoot`): each
 * span goes to its nearest local-root ancestor. Spans whose chain is broken (a parent not among
 * `spans`) are left out.
 */
export function requestParts(spans: ReadonlyArray<SpanRecord>): RequestPart[] {
  const byId = new Map<string, SpanRecord>();
  for (const s of spans) byId.set(s.spanId, s);
  const parts = new Map<string, RequestPart>();
  const rootOf = new Map<string, string | null>();
  const find = (span: SpanRecord): string | null => {
    const chain: string[] = [];
    let cur: SpanRecord | undefined = span;
    let found: string | null = null;
    for (let depth = 0; cur !== undefined && depth < 512; depth++) {
      const known = rootOf.get(cur.spanId);
      if (known !== undefined) {
        found = known;
        break;
      }
      chain.push(cur.spanId);
      if (isLocalRoot(cur)) {
        found = cur.spanId;
        break;
      }
      cur = cur.parentSpanId === undefined ? undefined : byId.get(cur.parentSpanId);
    }
    for (const id of chain) rootOf.set(id, found);
    return found;
  };
  for (const s of spans) {
    if (isLocalRoot(s)) parts.set(s.spanId, { root: s, spans: [] });
  }
  for (const s of spans) {
    const root = find(s);
    if (root !== null) parts.get(root)?.spans.push(s);
  }
  return [...parts.values()];
}

/**
 * Runs every detector over one request. `callSiteOf` names the app's `file:line` of a span
 * when one was captured. Returns the findings, N+1 first.
 *
 * @example
 * for (const part of requestParts(spans)) findings.push(...detect(part, DEFAULT_THRESHOLDS, () => undefined));
 */
export function detect(part: RequestPart, t: DetectorThresholds, callSiteOf: (span: SpanRecord) => string | undefined): TraceFinding[] {
  const { root } = part;
  const rootMs = Math.max(root.duration, 1e-6);
  const route = root.name;
  const byId = new Map<string, SpanRecord>();
  for (const s of part.spans) byId.set(s.spanId, s);
  const parentOf = (s: SpanRecord): string | undefined => {
    let p = s.parentSpanId;
    for (let depth = 0; p !== undefined && depth < 64; depth++) {
      const ps = byId.get(p);
      if (ps === undefined || !isConnectSpan(ps)) break;
      p = ps.parentSpanId;
    }
    return p;
  };
  const majorityCallSite = (spans: readonly SpanRecord[]): string | undefined => {
    const counts = new Map<string, number>();
    let best: string | undefined;
    let bestN = 0;
    for (const s of spans) {
      const site = callSiteOf(s);
      if (site === undefined) continue;
      const n = (counts.get(site) ?? 0) + 1;
      counts.set(site, n);
      if (n > bestN) {
        bestN = n;
        best = site;
      }
    }
    return best;
  };

  const findings: TraceFinding[] = [];
  const dbByParent = new Map<string, DbCall[]>();
  const httpByParent = new Map<string, SpanRecord[]>();
  const childrenByParent = new Map<string, SpanRecord[]>();
  for (const s of part.spans) {
    if (s === root) continue;
    const parent = parentOf(s) ?? root.spanId;
    let kids = childrenByParent.get(parent);
    if (kids === undefined) childrenByParent.set(parent, (kids = []));
    kids.push(s);
    if (isConnectSpan(s)) continue;
    if (isDbSpan(s)) {
      const fp = fingerprint(statementOf(s));
      let list = dbByParent.get(parent);
      if (list === undefined) dbByParent.set(parent, (list = []));
      list.push({ span: s, fingerprint: fp.id, statement: fp.text, operation: fp.operation });
    } else if (isHttpClientSpan(s)) {
      let list = httpByParent.get(parent);
      if (list === undefined) httpByParent.set(parent, (list = []));
      list.push(s);
    }
  }

  const inNPlusOne = new Set<SpanRecord>();
  for (const [parent, calls] of dbByParent) {
    // N+1: same fingerprint repeated under one parent
    const byFp = new Map<string, DbCall[]>();
    for (const c of calls) {
      let g = byFp.get(c.fingerprint);
      if (g === undefined) byFp.set(c.fingerprint, (g = []));
      g.push(c);
    }
    for (const group of byFp.values()) {
      if (group.length < t.nPlusOneMinRepeats) continue;
      const spans = group.map((c) => c.span).sort((a, b) => a.startTime - b.startTime);
      const total = spans.reduce((n, s) => n + s.duration, 0);
      const share = Math.min(1, unionMs(spans) / rootMs);
      if (total < t.nPlusOneMinTotalMs && share < t.nPlusOneMinShare) continue;
      for (const s of spans) inNPlusOne.add(s);
      const callSite = majorityCallSite(spans);
      const max = Math.max(...spans.map((s) => s.duration));
      const parallel = overlaps(spans);
      findings.push({
        kind: 'n+1',
        rootSpanId: root.spanId,
        route,
        service: root.service,
        parentSpanId: parent,
        spanIds: spans.slice(0, MAX_FINDING_SPANS).map((s) => s.spanId),
        fingerprint: group[0]!.fingerprint,
        statement: group[0]!.statement,
        ...(callSite !== undefined ? { callSite } : {}),
        count: spans.length,
        totalMs: total,
        savingMs: Math.max(0, unionMs(spans) - max),
        share,
        parallel,
        summary: `${callSite ?? 'one call site'} runs ${spans.length} × "${short(group[0]!.statement)}"${parallel ? ' in parallel' : ''} (${ms(total)}, ${pct(share)} of the request)`,
      });
    }
  }

  for (const [parent, calls] of dbByParent) {
    // Consecutive: sequential SELECTs of different fingerprints, nothing else started between them
    const others = (childrenByParent.get(parent) ?? []).filter((s) => !isDbSpan(s) || isConnectSpan(s));
    const sorted = calls.filter((c) => !inNPlusOne.has(c.span)).sort((a, b) => a.span.startTime - b.span.startTime);
    let run: DbCall[] = [];
    const flush = (): void => {
      if (run.length >= 2 && new Set(run.map((c) => c.fingerprint)).size === run.length) {
        const spans = run.map((c) => c.span);
        const total = spans.reduce((n, s) => n + s.duration, 0);
        const saving = total - Math.max(...spans.map((s) => s.duration));
        if (saving >= t.consecutiveMinSavingMs && saving / rootMs >= t.consecutiveMinSavingShare) {
          const callSite = majorityCallSite(spans);
          findings.push({
            kind: 'consecutive',
            rootSpanId: root.spanId,
            route,
            service: root.service,
            parentSpanId: parent,
            spanIds: spans.map((s) => s.spanId),
            fingerprint: run[0]!.fingerprint,
            statement: run.map((c) => c.statement).join('; '),
            ...(callSite !== undefined ? { callSite } : {}),
            count: spans.length,
            totalMs: total,
            savingMs: saving,
            share: Math.min(1, total / rootMs),
            parallel: false,
            summary: `${spans.length} independent SELECTs run one after another (${ms(total)}); in parallel they would save ${ms(saving)} (${pct(saving / rootMs)} of the request)`,
          });
        }
      }
      run = [];
    };
    for (const c of sorted) {
      if (c.operation !== 'SELECT' || c.span.status.code === 'error') {
        flush();
        continue;
      }
      const prev = run[run.length - 1];
      if (prev !== undefined) {
        const prevEnd = prev.span.startTime + prev.span.duration;
        const gap = c.span.startTime - prevEnd;
        const between = others.some((o) => o.startTime >= prevEnd - 1e-6 && o.startTime <= c.span.startTime);
        if (gap < -1e-6 || gap > CONSECUTIVE_GAP_MS || between) flush();
      }
      run.push(c);
    }
    flush();
  }

  // Slow queries, grouped by fingerprint within the request
  const slow = new Map<string, DbCall[]>();
  for (const calls of dbByParent.values()) {
    for (const c of calls) {
      const d = c.span.duration;
      if (d >= t.slowQueryMs || (d >= t.slowQueryMinMs && d / rootMs >= t.slowQueryShare)) {
        let g = slow.get(c.fingerprint);
        if (g === undefined) slow.set(c.fingerprint, (g = []));
        g.push(c);
      }
    }
  }
  for (const group of slow.values()) {
    const spans = group.map((c) => c.span).sort((a, b) => a.startTime - b.startTime);
    const total = spans.reduce((n, s) => n + s.duration, 0);
    const callSite = majorityCallSite(spans);
    const max = Math.max(...spans.map((s) => s.duration));
    const share = Math.min(1, unionMs(spans) / rootMs);
    findings.push({
      kind: 'slow-query',
      rootSpanId: root.spanId,
      route,
      service: root.service,
      ...(spans[0]!.parentSpanId !== undefined ? { parentSpanId: spans[0]!.parentSpanId } : {}),
      spanIds: spans.slice(0, MAX_FINDING_SPANS).map((s) => s.spanId),
      fingerprint: group[0]!.fingerprint,
      statement: group[0]!.statement,
      ...(callSite !== undefined ? { callSite } : {}),
      count: spans.length,
      totalMs: total,
      savingMs: 0,
      share,
      parallel: false,
      summary: `"${short(group[0]!.statement)}" took ${ms(max)}${isErrorSpan(spans[0]!) ? ' and failed' : ''} (${pct(share)} of the request)`,
    });
  }

  for (const [parent, calls] of httpByParent) {
    // N+1 HTTP: the same outgoing GET route repeated, starting within a window of one another
    const byRoute = new Map<string, SpanRecord[]>();
    for (const s of calls) {
      const r = httpRouteOf(s);
      if (r === undefined || !r.startsWith('GET ')) continue;
      let g = byRoute.get(r);
      if (g === undefined) byRoute.set(r, (g = []));
      g.push(s);
    }
    for (const [r, group] of byRoute) {
      if (group.length < t.nPlusOneHttpMinRepeats) continue;
      group.sort((a, b) => a.startTime - b.startTime);
      // the largest cluster whose starts follow one another within the window
      let best: SpanRecord[] = [];
      let cur: SpanRecord[] = [];
      for (const s of group) {
        const prev = cur[cur.length - 1];
        if (prev !== undefined && s.startTime - prev.startTime > t.nPlusOneHttpWindowMs) cur = [];
        cur.push(s);
        if (cur.length > best.length) best = cur;
      }
      if (best.length < t.nPlusOneHttpMinRepeats) continue;
      const total = best.reduce((n, s) => n + s.duration, 0);
      if (total < t.nPlusOneHttpMinTotalMs) continue;
      const callSite = majorityCallSite(best);
      const share = Math.min(1, unionMs(best) / rootMs);
      findings.push({
        kind: 'n+1-http',
        rootSpanId: root.spanId,
        route,
        service: root.service,
        parentSpanId: parent,
        spanIds: best.slice(0, MAX_FINDING_SPANS).map((s) => s.spanId),
        statement: r,
        ...(callSite !== undefined ? { callSite } : {}),
        count: best.length,
        totalMs: total,
        savingMs: Math.max(0, unionMs(best) - Math.max(...best.map((s) => s.duration))),
        share,
        parallel: overlaps(best),
        summary: `${best.length} × ${r} (${ms(total)} in all): one batched call would do`,
      });
    }
  }
  return findings;
}

function short(statement: string): string {
  return statement.length > 80 ? `${statement.slice(0, 77)}...` : statement;
}
