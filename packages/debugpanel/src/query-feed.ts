/**
 * Query insights fed from the span pipeline, off the request path: each kept local root names a
 * request part to analyse; the part waits in a bounded queue (a short delay lets its late
 * children arrive) and a timer drains it in bounded batches, reading the trace back from the
 * store. Call sites are source-mapped here, once per location, not where the query ran.
 *
 * Work in proportion to what is there: the feed sees every kept span (`onKeptSpans`) and notes the
 * traces that hold a query or an outgoing call (the only spans the detectors look at). A request
 * whose trace held none by its turn is only counted for its route (`countRequest`, what analysing
 * it would have done) and never read back from the store: a /hello costs a look-up, not a
 * `getTrace` + `requestParts` + detectors.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import type { QueriesStats, SpanRecord } from '@debugpanel/model';
import { isDbSpan, Lru, QueryInsights, requestParts, type QueryInsightsOptions } from '@debugpanel/queries';
import type { SpanStore } from '@debugpanel/span-store';

export interface QueryFeedOptions extends Omit<QueryInsightsOptions, 'resolveCallSite'> {
  /** Requests waiting for analysis at most (default 2,000); more are counted in `droppedTraces` */
  maxQueue?: number;
  /** Wait after a request's local root ends before analysing it, ms (default 500) */
  delayMs?: number;
}

/** Requests analysed per timer turn, so a burst never holds the event loop for long. */
const BATCH = 200;

/**
 * How long a trace is remembered as holding a query or an outgoing call (after the last such span
 * seen), and at most how many are remembered. A request whose trace is not remembered is read back
 * all the same when it began too long ago for the memory to cover it, or when the memory overflowed
 * within that time: a skip is only ever taken when it is certainly right.
 */
const CALLS_RETAIN_MS = 60_000;
const MAX_CALL_TRACES = 20_000;
/** A remembered trace's time is refreshed at most this often (a delete + set moves it to the back). */
const CALLS_REFRESH_MS = 1_000;

export interface QueryFeed {
  readonly insights: QueryInsights;
  /**
   * Spans the pipeline kept (each kept span once, a batch at a time, before their roots'
   * `onLocalRoot`): notes the traces that hold a query or an outgoing call. The array is only read
   * during the call.
   */
  onKeptSpans(spans: readonly SpanRecord[]): void;
  /** A kept local root: its request is analysed soon. */
  onLocalRoot(root: SpanRecord): void;
  /** Analyses everything queued now (tests, shutdown). */
  drain(): void;
  stats(): QueriesStats;
  close(): void;
}

interface SourceMapEntry {
  map: TraceMap;
  dir: string;
}

/**
 * `file:line` of the app's source for a JS location: through the file's source map
 * (`//# sourceMappingURL=`, a file or inline) to the TypeScript line, relative to `cwd`.
 */
export function createCallSiteResolver(cwd = process.cwd()): (file: string, line: number, column: number) => string | undefined {
  const maps = new Lru<string, SourceMapEntry | null>(500);
  const rel = (p: string) => {
    const r = path.relative(cwd, p);
    return r.startsWith('..') || path.isAbsolute(r) ? p : r.split(path.sep).join('/');
  };
  const load = (file: string): SourceMapEntry | null => {
    let code: string;
    try {
      code = readFileSync(file, 'utf8');
    } catch {
      return null;
    }
    const m = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(code.slice(-2_000));
    if (!m) return null;
    const url = m[1]!;
    try {
      if (url.startsWith('data:')) {
        const comma = url.indexOf(',');
        const data = url.slice(comma + 1);
        const json = url.slice(0, comma).endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
        return { map: new TraceMap(json), dir: path.dirname(file) };
      }
      const mapFile = url.startsWith('file:') ? fileURLToPath(url) : path.resolve(path.dirname(file), url);
      return { map: new TraceMap(readFileSync(mapFile, 'utf8')), dir: path.dirname(mapFile) };
    } catch {
      return null;
    }
  };
  return (file, line, column) => {
    let entry = maps.get(file);
    if (entry === undefined) {
      entry = load(file);
      maps.set(file, entry);
    }
    if (entry === null) return `${rel(file)}:${line}`;
    const pos = originalPositionFor(entry.map, { line, column: Math.max(0, column - 1) });
    if (pos.source === null || pos.line === null) return `${rel(file)}:${line}`;
    const source = pos.source.startsWith('file:') ? fileURLToPath(pos.source) : path.resolve(entry.dir, pos.source);
    return `${rel(source)}:${pos.line}`;
  };
}

export function createQueryFeed(store: SpanStore, options: QueryFeedOptions = {}): QueryFeed {
  const { maxQueue = 2_000, delayMs = 500, ...rest } = options;
  const insights = new QueryInsights({ ...rest, resolveCallSite: createCallSiteResolver() });
  // The queue: a ring of kept roots and their due times, preallocated at its bound (no object per
  // request); when full, the oldest is dropped and counted, as a RingBuffer would.
  const roots = new Array<SpanRecord | undefined>(maxQueue).fill(undefined);
  const dues = new Float64Array(maxQueue);
  let head = 0;
  let size = 0;
  let dropped = 0;
  // Traces holding a query or an outgoing call -> when the last one was seen (insertion order is
  // about time order: refreshed entries move to the back), pruned by age and bounded.
  const withCalls = new Map<string, number>();
  let overflowAt = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let errors = 0;
  let loggedError = false;
  let closed = false;

  const analyse = (root: SpanRecord, now: number, due: number): void => {
    const { traceId, spanId } = root;
    // How long ago the request began, at most: its queries were seen since (the longer of the
    // local clock's reading and, for another process's clock, its duration plus the wait here).
    const age = Math.max(now - root.startTime, root.duration + now - due + delayMs);
    if (!withCalls.has(traceId) && age + CALLS_REFRESH_MS < CALLS_RETAIN_MS && now - overflowAt > CALLS_RETAIN_MS) {
      // Nothing in it for the detectors: what analysing it would do is count it for its route,
      // as long as the store still holds the trace.
      if (store.has(traceId)) insights.countRequest(root);
      return;
    }
    const spans = store.getTrace(traceId);
    if (!spans) return; // evicted before its turn
    const part = requestParts(spans).find((p) => p.root.spanId === spanId);
    if (part) insights.addPart(part);
  };

  const prune = (now: number): void => {
    for (const [traceId, seen] of withCalls) {
      if (now - seen <= CALLS_RETAIN_MS) break;
      withCalls.delete(traceId);
    }
  };

  const run = (all: boolean): void => {
    timer = undefined;
    const now = Date.now();
    prune(now);
    for (let n = 0; size > 0 && (all || n < BATCH); n++) {
      if (!all && dues[head]! > now) break;
      const root = roots[head]!;
      const due = dues[head]!;
      roots[head] = undefined;
      head = head + 1 === maxQueue ? 0 : head + 1;
      size--;
      try {
        analyse(root, now, due);
      } catch (err) {
        errors++;
        if (!loggedError) {
          loggedError = true;
          console.error('debugpanel: a trace could not be analysed for query insights (counted in /api/stats; logged once):', err);
        }
      }
    }
    schedule();
  };

  const schedule = (): void => {
    if (closed || timer !== undefined || size === 0) return;
    const wait = Math.max(0, dues[head]! - Date.now());
    timer = setTimeout(run, wait, false);
    timer.unref();
  };

  return {
    insights,
    onKeptSpans(spans) {
      if (closed) return;
      let now = 0;
      for (let i = 0; i < spans.length; i++) {
        const span = spans[i]!;
        const kind = span.kind;
        // What the detectors look at: queries (client or internal spans) and outgoing HTTP calls
        // (client spans). Every client span counts: a look-up is cheaper than telling them apart.
        if (kind !== 'client' && (kind !== 'internal' || !isDbSpan(span))) continue;
        if (now === 0) now = Date.now();
        const traceId = span.traceId;
        const seen = withCalls.get(traceId);
        if (seen !== undefined) {
          if (now - seen > CALLS_REFRESH_MS) {
            withCalls.delete(traceId);
            withCalls.set(traceId, now);
          }
          continue;
        }
        if (withCalls.size >= MAX_CALL_TRACES) {
          withCalls.delete(withCalls.keys().next().value!);
          overflowAt = now;
        }
        withCalls.set(traceId, now);
      }
    },
    onLocalRoot(root) {
      if (closed) return;
      let tail = head + size;
      if (tail >= maxQueue) tail -= maxQueue;
      if (size === maxQueue) {
        // full: the oldest (at head, which is also the tail slot) is dropped
        head = head + 1 === maxQueue ? 0 : head + 1;
        dropped++;
      } else size++;
      roots[tail] = root;
      dues[tail] = Date.now() + delayMs;
      schedule();
    },
    drain() {
      if (timer !== undefined) clearTimeout(timer);
      run(true);
    },
    stats() {
      const s = insights.stats();
      return { ...s, queued: size, droppedTraces: dropped, errors };
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
