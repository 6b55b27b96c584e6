/**
 * Whether an opened trace is whole yet. In a hub, each service exports its spans on its own
 * schedule, so a trace opened early has spans whose parents have not arrived (they show as extra
 * roots) and client calls to another service with nothing below them yet. The trace view says so
 * plainly and keeps fetching while the live stream reports the trace growing.
 */
import { calleeOf, learnHosts as learnHostsOf, type SpanRecord } from '@debugpanel/model';

/** Most hosts remembered (host:port -> service), learned from the traces opened. */
export const MAX_KNOWN_HOSTS = 256;

export interface AwaitedCall {
  /** The client span that called out and has no span of the callee below it yet */
  span: SpanRecord;
  /** The service expected to answer it */
  service: string;
}

export interface Completeness {
  /** Spans whose parent is not in the trace (yet): shown as extra roots until it arrives */
  orphans: SpanRecord[];
  /** The distinct parent ids those orphans refer to */
  missingParents: string[];
  /** Calls to a known service with no span of that service below them */
  awaiting: AwaitedCall[];
  /** Services named by `awaiting`, sorted */
  expectedServices: string[];
  /** True when nothing above is left */
  complete: boolean;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

/**
 * Host -> service pairs a trace proves (model's `learnHosts`: server spans' own addresses, and
 * client callee hosts answered by another service's server span), at most `cap` of them.
 *
 * @example
 * learnHosts(trace.spans, known); // known.get('127.0.0.1:3001') === 'orders'
 */
export function learnHosts(spans: ReadonlyArray<SpanRecord>, into: Map<string, string> = new Map(), cap = MAX_KNOWN_HOSTS): Map<string, string> {
  return learnHostsOf(spans, into, cap);
}

/**
 * What a trace still lacks. `knownHosts` (host:port -> service, from `learnHosts` over this and
 * earlier traces) tells a call to another service apart from a call to an outside host, which
 * never sends spans and must not keep a trace "incomplete".
 *
 * @example
 * const c = traceCompleteness(trace.spans, learnHosts(trace.spans, known));
 * if (!c.complete) show(`waiting for ${c.expectedServices.join(', ')}`);
 */
export function traceCompleteness(spans: ReadonlyArray<SpanRecord>, knownHosts: ReadonlyMap<string, string> = new Map()): Completeness {
  const ids = new Set<string>();
  for (const s of spans) ids.add(s.spanId);
  const orphans: SpanRecord[] = [];
  const missing = new Set<string>();
  // Client span id -> true when some span of another service sits right below it.
  const answered = new Set<string>();
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  for (const s of spans) {
    const p = s.parentSpanId;
    if (p === undefined || p === s.spanId) continue;
    if (!ids.has(p)) {
      orphans.push(s);
      missing.add(p);
      continue;
    }
    const parent = byId.get(p)!;
    if (parent.kind === 'client' && parent.service !== s.service) answered.add(p);
  }
  const awaiting: AwaitedCall[] = [];
  for (const s of spans) {
    if (s.kind !== 'client' || answered.has(s.spanId)) continue;
    const callee = calleeOf(s, knownHosts);
    const service = callee.kind === 'service' ? callee.name : undefined;
    // A call to its own service's address is a call all the same (another instance, or itself).
    if (service !== undefined) awaiting.push({ span: s, service });
  }
  const expectedServices = [...new Set(awaiting.map((a) => a.service))].sort();
  return { orphans, missingParents: [...missing], awaiting, expectedServices, complete: orphans.length === 0 && awaiting.length === 0 };
}

/**
 * One line for the trace view's banner, or undefined for a whole trace.
 *
 * @example
 * completenessText(c); // '2 spans refer to parents not seen yet; waiting for spans from inventory'
 */
export function completenessText(c: Completeness): string | undefined {
  if (c.complete) return undefined;
  const parts: string[] = [];
  if (c.orphans.length > 0) {
    parts.push(`${c.orphans.length} span${c.orphans.length === 1 ? '' : 's'} refer${c.orphans.length === 1 ? 's' : ''} to ${c.missingParents.length === 1 ? 'a parent' : `${c.missingParents.length} parents`} not seen yet`);
  }
  if (c.awaiting.length > 0) {
    const calls = c.awaiting.length === 1 ? '1 call' : `${c.awaiting.length} calls`;
    parts.push(`${calls} waiting for spans from ${c.expectedServices.join(', ')}`);
  }
  return parts.join('; ');
}

/**
 * What a waterfall row calls a span: its name, and for an HTTP client span named only by its
 * method (`GET`, as the OTel conventions name them) the method, the service it called (the
 * service of its server child, else a known host's service, else the host) and the path:
 * `GET orders /products`.
 *
 * @example
 * spanLabel(clientSpan, 'orders', known); // 'GET orders /products'
 */
export function spanLabel(span: SpanRecord, childService: string | undefined, knownHosts: ReadonlyMap<string, string>): string {
  if (span.kind !== 'client') return span.name;
  const a = span.attributes;
  const method = str(a['http.request.method']) ?? str(a['http.method']);
  if (method === undefined || (span.name !== method && span.name !== 'HTTP ' + method)) return span.name;
  const callee = calleeOf(span, knownHosts);
  const target = childService ?? (callee.kind === 'unknown' ? undefined : callee.name);
  let path: string | undefined = str(a['url.path']);
  if (path === undefined) {
    const url = str(a['url.full']) ?? str(a['http.url']);
    if (url !== undefined) {
      try {
        path = new URL(url).pathname;
      } catch {
        /* not a URL: no path */
      }
    }
  }
  return [method, target, path].filter((x) => x !== undefined).join(' ');
}

/**
 * `spanLabel` of a span in the trace tree: the service of its first child of another service (the
 * call's server half) names the callee, else the known hosts do. The waterfall row, the span
 * detail's heading and its "Parent" line all use it, so they say the same.
 *
 * @example
 * nodeLabel(tree.byId.get(spanId)!, known); // 'GET orders /products'
 */
export function nodeLabel(node: { span: SpanRecord; children: ReadonlyArray<{ span: SpanRecord }> }, knownHosts: ReadonlyMap<string, string>): string {
  const span = node.span;
  if (span.kind !== 'client') return span.name;
  return spanLabel(span, node.children.find((c) => c.span.service !== span.service)?.span.service, knownHosts);
}
