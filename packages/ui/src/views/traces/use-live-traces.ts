import { useEffect, useRef, useState } from 'preact/hooks';
import type { StreamEvents, TraceQuery, TraceSummary, TracesResponse } from '@debugpanel/model';
import { getJson, tracesPath } from '../../api.js';
import { PendingTraces } from '../../lib/live-traces.js';

const FLUSH_MS = 1000;

export interface LiveTracesOptions {
  /** False while the filter is bad or bounded in time (`until`): nothing new can match */
  enabled: boolean;
  /** Asked once a second: may waiting rows join the list now (not paused, at the top, no cursor, newest-first order)? */
  canMerge: () => boolean;
  /** Hands waiting rows over (oldest arrival first) */
  onMerge: (batch: TraceSummary[]) => void;
  /** Ids of the rows in the list, so updates of shown rows are not counted as new */
  shown: () => ReadonlySet<string>;
}

export interface LiveTraces {
  /** Matching traces waiting that are not in the list: the "N new" badge */
  newCount: number;
  /** Waiting traces dropped from the bounded buffer */
  dropped: number;
  /** Hands every matching waiting row over now (the badge's click) */
  mergeNow: () => void;
}

/**
 * The trace list's live feed: summaries from `GET api/stream` wait in a `PendingTraces` for the
 * filter `query`, judged as they arrive; what a summary cannot decide (text, attributes, span
 * names) is asked of `GET api/traces` once a second, the store's own filter. Waiting rows join the
 * list only when `canMerge()` says so, so rows never move under the reader.
 */
export function useLiveTraces(query: TraceQuery, queryKey: string, o: LiveTracesOptions): LiveTraces {
  const [newCount, setNewCount] = useState(0);
  const [dropped, setDropped] = useState(0);
  const pending = useRef<PendingTraces>();
  const opts = useRef(o);
  opts.current = o;

  const merge = () => {
    const batch = pending.current?.take() ?? [];
    setNewCount(0);
    if (batch.length > 0) opts.current.onMerge(batch);
  };

  useEffect(() => {
    const p = (pending.current = new PendingTraces(query));
    setNewCount(0);
    setDropped(0);
    if (!o.enabled) return;
    const es = new EventSource('api/stream');
    es.addEventListener('trace', (ev) => {
      try {
        p.offer(JSON.parse((ev as MessageEvent<string>).data) as StreamEvents['trace']);
      } catch {
        /* not JSON: skip it */
      }
    });
    let asking = false;
    const ask = () => {
      const asked = p.unresolved();
      if (asking || asked.length === 0) return;
      asking = true;
      const since = Math.min(...asked.map((t) => t.startTime));
      getJson<TracesResponse>(tracesPath({ ...query, cursor: undefined, since, limit: 1000 })).then(
        (res) => {
          asking = false;
          const last = res.traces[res.traces.length - 1];
          p.resolve(asked, res.traces, res.nextCursor && last ? last.startTime : -Infinity);
        },
        () => {
          asking = false; // asked again next second
        },
      );
    };
    const timer = setInterval(() => {
      ask();
      if (p.hasMatches && opts.current.canMerge()) merge();
      else setNewCount(p.countNew(opts.current.shown()));
      setDropped(p.dropped);
    }, FLUSH_MS);
    return () => {
      es.close();
      clearInterval(timer);
    };
  }, [queryKey, o.enabled]);

  return { newCount, dropped, mergeNow: merge };
}
