/**
 * A trace digest: the little the ranking needs of one trace, so the engine can keep the baseline
 * window's traces after the span store evicted them: per (service, operation) its span count and
 * its self time on the critical path, which scopes the trace passed (routes, dependency edges), the
 * origin of its error (the deepest erroring span), and a bounded set of attribute values.
 */
import { calleeOf, isErrorSpan, type CriticalPathSegment, type QueryFindingEvidence, type SpanRecord } from '@debugpanel/model';
import { processOf, type BlockingFn } from './blocking.js';

/** `criticalPath` of `@debugpanel/flamegraph` (injected: this package imports only the model). */
export type CriticalPathFn = (spans: ReadonlyArray<SpanRecord>) => CriticalPathSegment[];

/**
 * Names a span's database statement: a query fingerprint (`{ id, text }` of `@debugpanel/queries`)
 * or just a name; undefined to use the default (the statement text).
 */
export type FingerprintFn = (span: SpanRecord) => string | QueryRef | undefined;

/** A query fingerprint: its id and normalised statement. */
export interface QueryRef {
  id: string;
  text: string;
}

/**
 * Names the error group of an erroring span: the fingerprint of `@debugpanel/errors`, with the
 * group's exception type and message when known.
 */
export type ErrorGroupFn = (span: SpanRecord) => string | ErrorGroupRef | undefined;

export interface ErrorGroupRef {
  fingerprint: string;
  type?: string;
  message?: string;
}

/**
 * The query findings (N+1 and friends) of one whole trace, e.g. `traceFindings` of
 * `@debugpanel/queries`; called once per digested trace, off the request path.
 */
export type FindingsFn = (spans: ReadonlyArray<SpanRecord>) => ReadonlyArray<FindingRef>;

/** One finding of one trace, as the digest keeps it. */
export interface FindingRef {
  kind: QueryFindingEvidence['kind'];
  service: string;
  route: string;
  fingerprint?: string;
  statement?: string;
  /** spans involved */
  count: number;
  /** ms of those spans, summed */
  totalMs: number;
}

export interface OpDigest {
  /** `service\0operation` */
  key: string;
  service: string;
  operation: string;
  /** how the suspect is named: its own work, or a callee seen only from the caller's side */
  kind: 'self-time' | 'dependency';
  count: number;
  /**
   * ms of the op's self time on the critical path, summed over its spans, plus `blocked`;
   * `count` 0: the trace has no span of the op, only time it blocked
   */
  self: number;
  /** ms of this trace's path during which the op's synchronous calls in other traces held the process's thread */
  blocked?: number;
  /** ms of the op's spans' durations, summed */
  total: number;
  errors: number;
  /** database ops: the query fingerprint id, the database system and span durations (ms, at most MAX_DURATIONS) */
  fingerprint?: string;
  system?: string;
  durations?: number[];
}

export interface TraceDigest {
  traceId: string;
  /** ms since epoch */
  start: number;
  /** ms: the root's duration */
  duration: number;
  /** scope keys the trace passed (see `scopeKey`): `route:svc:GET /x`, `service:svc`, `dependency:svc:dep` */
  scopes: string[];
  /** scope keys whose span in this trace was an error */
  errorScopes: string[];
  ops: OpDigest[];
  /** op key of the deepest erroring span, when the trace has errors */
  origin?: string;
  /** its exception type or status message */
  originMessage?: string;
  /** its error group, when an `errorGroup` function was given, with the group's type and message */
  originGroup?: string;
  originGroupType?: string;
  originGroupMessage?: string;
  /** query findings of the trace, when a `findings` function was given (at most MAX_FINDINGS) */
  findings?: FindingRef[];
  /** `service:key=value`, at most MAX_ATTRS */
  attrs: string[];
}

const MAX_ATTRS = 48;
/** Span durations kept per database op and trace: enough for a p95 over a window of traces. */
const MAX_DURATIONS = 16;
const MAX_FINDINGS = 4;
const MAX_VALUE = 64;
/**
 * Keys whose values identify one request (ids, urls, texts): never over-represented in a useful
 * way. Also the panel's own marks (`debugpanel.chaos.rule` on a faulted span): they would name an
 * injected fault by its tag, which says nothing about the app (and would make the evaluation,
 * whose faults are chaos rules, read the answer off the spans).
 */
const SKIP_KEY = /(^|\.)(id|ids|url|full|target|path|query|text|statement|stacktrace|message|original|port|address|ip|peer\.name|uuid|trace|span)$|^exception\.|^url\.|^http\.url|^net\.|^debugpanel\./i;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The route of a server span as the metrics name it: `GET /orders/:id`. */
export function routeOf(span: SpanRecord): string {
  const method = str(span.attributes['http.request.method']) ?? '_OTHER';
  const route = str(span.attributes['http.route']) ?? 'unmatched';
  return `${method} ${route}`;
}

/** A statement's name (its fingerprint, else its text with whitespace collapsed and cut), as the operation name of a database span. */
function statementOf(span: SpanRecord, fingerprint: FingerprintFn | undefined): { text: string; id?: string } | undefined {
  const fp = fingerprint?.(span);
  if (typeof fp === 'string' && fp) return { text: fp };
  if (typeof fp === 'object' && fp.text) return { text: cut(fp.text), id: fp.id };
  const text = str(span.attributes['db.query.text']) ?? str(span.attributes['db.statement']);
  if (!text) return undefined;
  return { text: cut(text.replace(/\s+/g, ' ').trim()) };
}

function cut(t: string): string {
  return t.length > 160 ? `${t.slice(0, 157)}...` : t;
}

/** Leaves a string as it is: the default of `digestTrace`'s `intern`. */
const asIs = (s: string): string => s;
const asIsList = (list: string[]): string[] => list;

/**
 * Digests one trace (all the spans the engine has of it). `criticalPath` gives the self time on
 * the path per span, so a caller is never charged for the time of its children.
 *
 * `intern` shares the strings a digest builds by concatenation (scope keys, op keys and names,
 * `service:key=value` pairs): they are the same in trace after trace, so an engine that keeps
 * thousands of digests passes a bounded `Interner` of the model and holds each string once
 * (measured after a 60 s /hello flood: ~35 fresh strings per digest, 7.9 MiB for 5,000 digests).
 *
 * @example
 * const d = digestTrace(spans, criticalPath);
 * d.ops.find((o) => o.service === 'inventory')?.self; // ms inventory spent itself on the path
 */
export function digestTrace(
  spans: ReadonlyArray<SpanRecord>, criticalPath: CriticalPathFn, fingerprint?: FingerprintFn, errorGroup?: ErrorGroupFn, findings?: FindingsFn,
  blocking?: BlockingFn,
  intern: (s: string) => string = asIs,
  /** shares equal scope and attribute lists between digests (the engine's `ListInterner`) */
  share: (list: string[]) => string[] = asIsList,
): TraceDigest | undefined {
  if (spans.length === 0) return undefined;
  const byId = new Map<string, SpanRecord>();
  const hasChild = new Set<string>();
  for (const s of spans) byId.set(s.spanId, s);
  for (const s of spans) if (s.parentSpanId !== undefined && byId.has(s.parentSpanId)) hasChild.add(s.parentSpanId);
  // The root: a span without a parent, else the longest span whose parent is not here.
  let root: SpanRecord | undefined;
  for (const s of spans) {
    const isRoot = s.parentSpanId === undefined || !byId.has(s.parentSpanId);
    if (!isRoot) continue;
    if (!root || (s.parentSpanId === undefined && root.parentSpanId !== undefined) || (((s.parentSpanId === undefined) === (root.parentSpanId === undefined)) && s.duration > root.duration)) root = s;
  }
  if (!root) return undefined;
  const onPath = new Map<string, number>();
  const segments = criticalPath(spans);
  for (const seg of segments) onPath.set(seg.spanId, (onPath.get(seg.spanId) ?? 0) + seg.duration);
  // A call's self time before its callee's server span started is time the request waited in the
  // callee (its accept queue, its event loop busy with other requests: a synchronous statement
  // blocks every request the process holds) or on the wire, not work of the caller: it is moved
  // to the callee's server op. The time after the callee's span ended (the response read back)
  // stays with the caller, whose own busy loop delays it.
  const firstServerChild = new Map<string, SpanRecord>();
  for (const s of spans) {
    if (s.kind !== 'server' || s.parentSpanId === undefined) continue;
    const parent = byId.get(s.parentSpanId);
    if (!parent || (parent.kind !== 'client' && parent.kind !== 'producer')) continue;
    const seen = firstServerChild.get(parent.spanId);
    if (!seen || s.startTime < seen.startTime) firstServerChild.set(parent.spanId, s);
  }
  // Time on the path while the process's thread ran another trace's synchronous call (a
  // better-sqlite3 statement blocks every request the process holds) is that call's, not the
  // waiting span's: it is charged to the blocking statement's op (`blocked`).
  const blocked = blocking ? blockedTime(root.traceId, segments, byId, firstServerChild, blocking) : undefined;
  if (blocked) for (const [spanId, ms] of blocked.taken) onPath.set(spanId, Math.max(0, (onPath.get(spanId) ?? 0) - ms));
  for (const [callId, child] of firstServerChild) {
    const call = byId.get(callId)!;
    const self = onPath.get(callId) ?? 0;
    const wait = Math.min(self, Math.max(0, child.startTime - call.startTime - (blocked?.beforeChild.get(callId) ?? 0)));
    if (wait <= 0) continue;
    onPath.set(callId, self - wait);
    onPath.set(child.spanId, (onPath.get(child.spanId) ?? 0) + wait);
  }

  const ops = new Map<string, OpDigest>();
  const scopes = new Set<string>();
  const errorScopes = new Set<string>();
  const attrs = new Set<string>();
  const depth = (s: SpanRecord): number => {
    let d = 0;
    let cur: SpanRecord | undefined = s;
    while (cur?.parentSpanId !== undefined && d < 256) {
      cur = byId.get(cur.parentSpanId);
      d++;
    }
    return d;
  };
  let origin: SpanRecord | undefined;
  let originKey: string | undefined;
  let originDepth = -1;
  for (const s of spans) {
    let service = s.service;
    let operation = s.name;
    let kind: OpDigest['kind'] = 'self-time';
    let scope: string | undefined;
    let db: { id?: string; system?: string } | undefined;
    if (s.kind === 'server') {
      operation = intern(routeOf(s));
      scope = intern(`route:${s.service}:${operation}`);
      const serviceScope = intern(`service:${s.service}`);
      scopes.add(serviceScope);
      if (isErrorSpan(s)) errorScopes.add(serviceScope);
    } else if (s.kind === 'client' || s.kind === 'producer') {
      const callee = calleeOf(s);
      scope = intern(`dependency:${s.service}:${callee.name}`);
      if (callee.kind === 'database') {
        const st = statementOf(s, fingerprint);
        operation = st !== undefined ? intern(st.text) : s.name;
        const system = str(s.attributes['db.system.name']) ?? str(s.attributes['db.system']);
        db = { ...(st?.id !== undefined ? { id: st.id } : {}), ...(system !== undefined ? { system } : {}) };
      } else if (!hasChild.has(s.spanId)) {
        // The callee's own spans are not here: its time can only be named after the callee.
        service = intern(callee.name);
        kind = 'dependency';
      }
    }
    const error = isErrorSpan(s);
    if (scope !== undefined) {
      scopes.add(scope);
      if (error) errorScopes.add(scope);
    }
    const key = intern(`${service}\0${operation}`);
    let op = ops.get(key);
    if (!op) {
      op = { key, service, operation, kind, count: 0, self: 0, total: 0, errors: 0 };
      if (db) {
        if (db.id !== undefined) op.fingerprint = db.id;
        if (db.system !== undefined) op.system = db.system;
        op.durations = [];
      }
      ops.set(key, op);
    }
    if (op.durations && op.durations.length < MAX_DURATIONS) op.durations.push(Math.max(0, s.duration));
    op.count++;
    op.self += onPath.get(s.spanId) ?? 0;
    op.total += Math.max(0, s.duration);
    if (error) {
      op.errors++;
      const d = depth(s);
      if (d > originDepth) {
        originDepth = d;
        origin = s;
        originKey = key;
      }
    }
    if (attrs.size < MAX_ATTRS) collectAttrs(s, attrs, intern);
  }
  if (blocked) {
    for (const { span, ms } of blocked.by.values()) {
      const st = statementOf(span, fingerprint);
      const operation = st !== undefined ? intern(st.text) : span.name;
      const key = intern(`${span.service}\0${operation}`);
      let op = ops.get(key);
      if (!op) {
        const system = str(span.attributes['db.system.name']) ?? str(span.attributes['db.system']);
        op = { key, service: span.service, operation, kind: 'self-time', count: 0, self: 0, total: 0, errors: 0, durations: [] };
        if (st?.id !== undefined) op.fingerprint = st.id;
        if (system !== undefined) op.system = system;
        ops.set(key, op);
      }
      op.self += ms;
      op.blocked = (op.blocked ?? 0) + ms;
    }
  }
  let originMessage: string | undefined;
  let group: ErrorGroupRef | undefined;
  if (origin) {
    const g = errorGroup?.(origin);
    group = typeof g === 'string' ? (g ? { fingerprint: g } : undefined) : g;
    const ex = origin.events.find((e) => e.name === 'exception');
    originMessage = str(ex?.attributes['exception.type']) ?? origin.status.message;
  }
  const found = findings ? findings(spans).slice(0, MAX_FINDINGS).map((f): FindingRef => ({
    kind: f.kind, service: f.service, route: f.route, count: f.count, totalMs: f.totalMs,
    ...(f.fingerprint !== undefined ? { fingerprint: f.fingerprint } : {}),
    ...(f.statement !== undefined ? { statement: cut(f.statement) } : {}),
  })) : [];
  return {
    traceId: root.traceId,
    start: root.startTime,
    duration: Math.max(0, root.duration),
    scopes: share([...scopes]),
    errorScopes: share([...errorScopes]),
    ops: [...ops.values()],
    ...(originKey !== undefined ? { origin: originKey } : {}),
    ...(originMessage !== undefined ? { originMessage: originMessage.slice(0, 120) } : {}),
    ...(group !== undefined ? { originGroup: group.fingerprint } : {}),
    ...(group?.type !== undefined ? { originGroupType: group.type.slice(0, 120) } : {}),
    ...(group?.message !== undefined ? { originGroupMessage: group.message.slice(0, 200) } : {}),
    ...(found.length ? { findings: found } : {}),
    attrs: share([...attrs]),
  };
}

/**
 * The time of each span on the path (`segments`) during which another trace's synchronous call
 * held the span's process: `taken` per waiting span, `by` per blocking statement (span service
 * and text), `beforeChild` per call the part of it before its callee's server span started (spent
 * in the callee's process: a request the callee could not read yet).
 */
function blockedTime(
  traceId: string, segments: ReadonlyArray<CriticalPathSegment>, byId: ReadonlyMap<string, SpanRecord>,
  firstServerChild: ReadonlyMap<string, SpanRecord>, blocking: BlockingFn,
): { taken: Map<string, number>; beforeChild: Map<string, number>; by: Map<string, { span: SpanRecord; ms: number }> } | undefined {
  const taken = new Map<string, number>();
  const beforeChild = new Map<string, number>();
  const by = new Map<string, { span: SpanRecord; ms: number }>();
  const charge = (victim: SpanRecord, process: string, from: number, to: number, before: boolean): void => {
    let total = 0;
    for (const c of blocking(process, from, to)) {
      if (c.span.traceId === traceId) continue; // the trace's own calls are on its path already
      const ms = Math.min(to - from - total, Math.min(to, c.end) - Math.max(from, c.start));
      if (ms <= 0) continue;
      total += ms;
      const key = `${c.span.service}\0${String(c.span.attributes['db.query.text'] ?? c.span.attributes['db.statement'] ?? c.span.name)}`;
      const b = by.get(key);
      if (b) b.ms += ms;
      else by.set(key, { span: c.span, ms });
    }
    if (total <= 0) return;
    taken.set(victim.spanId, (taken.get(victim.spanId) ?? 0) + total);
    if (before) beforeChild.set(victim.spanId, (beforeChild.get(victim.spanId) ?? 0) + total);
  };
  for (const seg of segments) {
    const span = byId.get(seg.spanId);
    if (!span || seg.end <= seg.start) continue;
    const child = firstServerChild.get(span.spanId);
    const split = child ? Math.min(seg.end, Math.max(seg.start, child.startTime)) : seg.start;
    if (child && split > seg.start) charge(span, processOf(child), seg.start, split, true);
    if (seg.end > split) charge(span, processOf(span), split, seg.end, false);
  }
  return by.size ? { taken, beforeChild, by } : undefined;
}

export function collectAttrs(s: SpanRecord, out: Set<string>, intern: (s: string) => string = asIs): void {
  const add = (k: string, v: unknown): void => {
    if (out.size >= MAX_ATTRS || SKIP_KEY.test(k)) return;
    let value: string | undefined;
    if (typeof v === 'string') value = v.length <= MAX_VALUE ? v : undefined;
    else if (typeof v === 'boolean') value = String(v);
    else if (typeof v === 'number' && k.endsWith('status_code')) value = String(v);
    if (value !== undefined && value !== '') out.add(intern(`${s.service}:${k}=${value}`));
  };
  if (s.resource) for (const [k, v] of Object.entries(s.resource)) add(k, v);
  if (s.kind === 'server' || s.kind === 'internal') for (const [k, v] of Object.entries(s.attributes)) add(k, v);
}
