/**
 * Query insights fed from the span pipeline, off the request path: each kept local root names a
 * request part to analyse; the part waits in a bounded queue (a short delay lets its late
 * children arrive) and a timer drains it in bounded batches, reading the trace back from the
 * store. Call sites are source-mapped here, once per location, not where the query ran.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { RingBuffer, type QueriesStats, type SpanRecord } from '@debugpanel/model';
import { Lru, QueryInsights, requestParts, type QueryInsightsOptions } from '@debugpanel/queries';
import type { SpanStore } from '@debugpanel/span-store';

export interface QueryFeedOptions extends Omit<QueryInsightsOptions, 'resolveCallSite'> {
  /** Requests waiting for analysis at most (default 2,000); more are counted in `droppedTraces` */
  maxQueue?: number;
  /** Wait after a request's local root ends before analysing it, ms (default 500) */
  delayMs?: number;
}

/** Requests analysed per timer turn, so a burst never holds the event loop for long. */
const BATCH = 200;

export interface QueryFeed {
  readonly insights: QueryInsights;
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
  const queue = new RingBuffer<{ traceId: string; spanId: string; due: number }>(maxQueue);
  let timer: NodeJS.Timeout | undefined;
  let errors = 0;
  let loggedError = false;
  let closed = false;

  const analyse = (traceId: string, spanId: string): void => {
    const spans = store.getTrace(traceId);
    if (!spans) return; // evicted before its turn
    const part = requestParts(spans).find((p) => p.root.spanId === spanId);
    if (part) insights.addPart(part);
  };

  const run = (all: boolean): void => {
    timer = undefined;
    const now = Date.now();
    for (let n = 0; queue.size > 0 && (all || n < BATCH); n++) {
      const next = queue.at(0)!;
      if (!all && next.due > now) break;
      queue.shift();
      try {
        analyse(next.traceId, next.spanId);
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
    if (closed || timer !== undefined || queue.size === 0) return;
    const wait = Math.max(0, queue.at(0)!.due - Date.now());
    timer = setTimeout(run, wait, false);
    timer.unref();
  };

  return {
    insights,
    onLocalRoot(root) {
      if (closed) return;
      queue.push({ traceId: root.traceId, spanId: root.spanId, due: Date.now() + delayMs });
      schedule();
    },
    drain() {
      if (timer !== undefined) clearTimeout(timer);
      run(true);
    },
    stats() {
      const s = insights.stats();
      return { ...s, queued: queue.size, droppedTraces: queue.dropped, errors };
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
