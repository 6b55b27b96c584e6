import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { traceQueryToParams, type TraceQuery, type TraceSummary, type TracesResponse } from '@debugpanel/model';
import { getJson, isAbort, tracesPath } from '../api.js';
import { useKeys } from '../hooks.js';
import { formatHash } from '../lib/route.js';
import { linkWith, navLink, readContext } from '../lib/context.js';
import { formatCount } from '../lib/format.js';
import { MAX_PENDING } from '../lib/live-traces.js';
import { listParams, readListParams } from '../lib/trace-filters.js';
import { MAX_ROWS, appendOlder, emptyList, olderPageQuery, percentile, prependNewer, type TraceList } from '../lib/trace-list.js';
import { isDefaultSort, sortTraces, type TraceSort } from '../lib/trace-sort.js';
import { rememberList } from '../nav-memory.js';
import { useVirtualRows } from '../use-virtual-rows.js';
import type { ViewProps } from '../view-props.js';
import { StoreCounters } from './StoreCounters.js';
import { Filters } from './traces/Filters.js';
import { TRACE_HEAD_HEIGHT, TRACE_ROW_HEIGHT, TraceTable } from './traces/TraceTable.js';
import { useLiveTraces } from './traces/use-live-traces.js';
import { lazyView } from './lazy-view.js';
import type { TraceScatterProps } from './traces/TraceScatter.js';

// The scatter plot is a chunk of its own: the list's first load does not wait for it.
const TraceScatter = lazyView<TraceScatterProps>(() => import('./traces/TraceScatter.js').then((m) => m.TraceScatter), 'trace-scatter', 'scatter plot');
const SCATTER_KEY = 'debugpanel.traces.scatter';

const PAGE = 100;

/**
 * The trace list: a filter form, live summaries behind an "N new" badge, and a virtualized,
 * sortable table of at most 1,000 rows paged back through the API's cursor.
 */
export function TracesView({ route, navigate }: ViewProps) {
  const paramsKey = route.params.toString();
  const { parsed, sort } = useMemo(() => readListParams(route.params), [paramsKey]);
  const query: TraceQuery = 'query' in parsed ? parsed.query : {};
  const queryKey = traceQueryToParams(query).toString();
  rememberList(formatHash({ view: 'traces', params: route.params }));
  const go = (q: TraceQuery, s: TraceSort = sort) => navigate(formatHash({ view: 'traces', params: listParams(q, s) }));

  const [list, setList] = useState<TraceList>(emptyList);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const [paused, setPaused] = useState(false);
  const [cursor, setCursor] = useState(-1);
  const [p99Busy, setP99Busy] = useState(false);
  const [scatter, setScatter] = useState(() => localStorage.getItem(SCATTER_KEY) !== 'off');
  const toggleScatter = () => {
    localStorage.setItem(SCATTER_KEY, scatter ? 'off' : 'on');
    setScatter(!scatter);
  };
  const atTop = useRef(true);
  const ctl = useRef<AbortController>();
  const rows = useMemo(() => sortTraces(list.rows, sort), [list.rows, sort.key, sort.desc]);
  const v = useVirtualRows<HTMLDivElement>(rows.length, TRACE_ROW_HEIGHT, { header: TRACE_HEAD_HEIGHT });
  const toTop = () => {
    const el = v.scroller.current;
    if (el) el.scrollTop = 0;
    atTop.current = true;
  };

  const loadFirst = () => {
    ctl.current?.abort();
    const c = (ctl.current = new AbortController());
    setLoading(true);
    getJson<TracesResponse>(tracesPath({ ...query, limit: PAGE }), c.signal).then(
      (res) => {
        setList(appendOlder(emptyList(), res.traces, res.nextCursor));
        setError(undefined);
        setLoading(false);
        setCursor(-1);
        toTop();
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        setError((err as Error).message);
        setLoading(false);
      },
    );
  };
  useEffect(() => {
    if ('error' in parsed) {
      setLoading(false);
      return;
    }
    loadFirst();
    return () => ctl.current?.abort();
  }, [queryKey]);

  const loadOlder = () => {
    const q = olderPageQuery(list, query);
    if (!q || loading) return;
    setLoading(true);
    getJson<TracesResponse>(tracesPath({ ...q, limit: PAGE })).then(
      (res) => {
        setList((l) => appendOlder(l, res.traces, res.nextCursor));
        setLoading(false);
      },
      (err: unknown) => {
        setError((err as Error).message);
        setLoading(false);
      },
    );
  };

  // Live rows merge in only at the top, unpaused, without a keyboard cursor (an index: rows must
  // not shift under it) and in newest-first order; otherwise they wait behind the badge.
  const state = useRef({ paused, cursor, sort, rows: list.rows });
  state.current = { paused, cursor, sort, rows: list.rows };
  const live = useLiveTraces(query, queryKey, {
    enabled: !('error' in parsed) && query.until === undefined,
    canMerge: () => !state.current.paused && atTop.current && state.current.cursor < 0 && isDefaultSort(state.current.sort),
    onMerge: (batch) => setList((l) => prependNewer(l, batch)),
    shown: () => new Set(state.current.rows.map((t) => t.traceId)),
  });
  const showNew = () => {
    live.mergeNow();
    toTop();
  };

  const slowest = () => {
    setP99Busy(true);
    getJson<TracesResponse>(tracesPath({ ...query, minDuration: undefined, cursor: undefined, limit: 1000 })).then(
      (res) => {
        setP99Busy(false);
        const p99 = percentile(res.traces.map((t) => t.duration), 0.99);
        if (Number.isFinite(p99)) go({ ...query, minDuration: Math.floor(p99 * 100) / 100 });
      },
      (err: unknown) => {
        setP99Busy(false);
        setError((err as Error).message);
      },
    );
  };

  // A trace opens with the list's context (service, route, status, window), for its links onward.
  const ctx = readContext('traces', route.params);
  const traceHref = (id: string) => linkWith({ view: 'trace', id }, ctx);
  const open = (t: TraceSummary) => navigate(traceHref(t.traceId));
  useKeys((e) => {
    if (e.key === 'j' || e.key === 'ArrowDown') setCursor((c) => Math.min(rows.length - 1, c + 1));
    else if (e.key === 'k' || e.key === 'ArrowUp') setCursor((c) => Math.max(0, c - 1));
    else if (e.key === 'Enter' && rows[cursor]) open(rows[cursor]!);
    else if (e.key === 'Escape') setCursor(-1);
    else return;
    e.preventDefault();
  });

  const older = olderPageQuery(list, query);
  return (
    <section class="traces-view" aria-labelledby="traces-h" data-testid="view-traces">
      <h1 id="traces-h" class="sr-only">Traces</h1>
      <Filters key={queryKey} query={query} onApply={(q) => go(q)} onSlowest={slowest} slowestBusy={p99Busy} clearHref={navLink('traces', ctx)} />
      <div class="listbar">
        <div class="live">
          <button type="button" class={`btn small ${paused ? '' : 'on'}`} aria-pressed={!paused} onClick={() => setPaused(!paused)} data-testid="live-toggle" title="Pause or resume live updates">
            <span class={`dot ${paused ? '' : 'pulse'}`} aria-hidden="true" />
            {paused ? 'Paused' : 'Live'}
          </button>
          {live.newCount > 0 && (
            <button type="button" class="btn small badge" onClick={showNew} data-testid="new-badge" title="Traces that arrived since and match the filter">
              {formatCount(live.newCount)}
              {live.newCount >= MAX_PENDING ? '+' : ''} new
            </button>
          )}
          {live.dropped > 0 && <span class="muted" title="Streamed summaries dropped from the bounded live buffer">{formatCount(live.dropped)} skipped</span>}
        </div>
        {/* The time window is the shared filter bar's (views/ContextBar.tsx), as are service, route and status. */}
        <button type="button" class={`btn small ${scatter ? 'on' : ''}`} aria-pressed={scatter} onClick={toggleScatter} data-testid="scatter-toggle" title="Duration over time of the listed traces">
          Chart
        </button>
        <span class="muted" data-testid="row-count">
          {formatCount(rows.length)} traces shown{rows.length >= MAX_ROWS ? ` (cap ${formatCount(MAX_ROWS)})` : ''}
        </span>
        <span class="spacer" />
        <StoreCounters />
      </div>
      {scatter && rows.length > 0 && (
        <TraceScatter rows={rows} onOpen={open} onSelectRange={(since, until) => go({ ...query, since, until })} />
      )}
      {'error' in parsed && <p class="error" role="alert">Bad filter: {parsed.error}</p>}
      {error && <p class="error" role="alert">{error}</p>}
      {list.headTrimmed && (
        <button type="button" class="btn link wide" onClick={loadFirst}>
          Newer traces were dropped to keep the page small: back to the newest
        </button>
      )}
      <TraceTable
        rows={rows}
        virtual={v}
        cursor={cursor}
        sort={sort}
        onSort={(s) => go(query, s)}
        onOpen={open}
        traceHref={traceHref}
        onAtTop={(top) => (atTop.current = top)}
        after={
          <>
            {!loading && rows.length === 0 && !error && <p class="empty">No traces match. Send some requests to the app, or loosen the filter.</p>}
            <div class="more">
              {older && (
                <button type="button" class="btn" onClick={loadOlder} disabled={loading} data-testid="load-older">
                  {loading ? 'Loading…' : 'Load older'}
                </button>
              )}
              {loading && !older && <span class="muted">Loading…</span>}
            </div>
          </>
        }
      />
    </section>
  );
}
