import { Component } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { parseTraceQuery, summaryDecides, summaryMatches, traceQueryToParams, type TraceQuery, type TraceSummary, type TracesResponse, type ServicesResponse } from '@debugpanel/model';
import { getJson, isAbort, tracesPath } from '../api.js';
import { useJson, useKeys } from '../hooks.js';
import { formatHash } from '../lib/route.js';
import { formatAgo, formatClock, formatCount, formatDuration, serviceHue } from '../lib/format.js';
import {
  MAX_PENDING,
  MAX_ROWS,
  appendOlder,
  emptyList,
  olderPageQuery,
  percentile,
  prependNewer,
  pushBounded,
  type TraceList,
} from '../lib/trace-list.js';
import type { ViewProps } from '../view-props.js';
import { StoreCounters } from './StoreCounters.js';
import { rememberList } from '../nav-memory.js';

const PAGE = 100;
const FLUSH_MS = 1000;

export function TracesView({ route, navigate }: ViewProps) {
  const parsed = useMemo(() => parseTraceQuery(route.params), [route.params.toString()]);
  const query: TraceQuery = 'query' in parsed ? parsed.query : {};
  const queryKey = traceQueryToParams(query).toString();
  rememberList(formatHash({ view: 'traces', params: route.params }));
  const go = (q: TraceQuery) => navigate(formatHash({ view: 'traces', params: traceQueryToParams({ ...q, cursor: undefined }) }));

  const [list, setList] = useState<TraceList>(emptyList);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const [paused, setPaused] = useState(false);
  const [pendingCount, setPendingCount] = useState(0);
  const [droppedLive, setDroppedLive] = useState(0);
  const [cursor, setCursor] = useState(-1);
  const [p99Busy, setP99Busy] = useState(false);
  const pending = useRef<TraceSummary[]>([]);
  const scroller = useRef<HTMLDivElement>(null);
  const atTop = useRef(true);
  const ctl = useRef<AbortController>();

  const loadFirst = () => {
    ctl.current?.abort();
    const c = (ctl.current = new AbortController());
    setLoading(true);
    pending.current = [];
    setPendingCount(0);
    getJson<TracesResponse>(tracesPath({ ...query, limit: PAGE }), c.signal).then(
      (res) => {
        setList(appendOlder(emptyList(), res.traces, res.nextCursor));
        setError(undefined);
        setLoading(false);
        setCursor(-1);
        scroller.current?.scrollTo({ top: 0 });
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

  // Live: every streamed summary that may match waits in a bounded buffer. It is merged in only
  // while the list is scrolled to the top and not paused, so rows never move under the reader.
  const exact = summaryDecides(query);
  useEffect(() => {
    if ('error' in parsed || query.until !== undefined) return;
    const es = new EventSource('api/stream');
    es.addEventListener('trace', (ev) => {
      let t: TraceSummary;
      try {
        t = JSON.parse((ev as MessageEvent<string>).data) as TraceSummary;
      } catch {
        return;
      }
      if (summaryMatches(t, query) === false) return;
      const dropped = pushBounded(pending.current, t, MAX_PENDING);
      if (dropped) setDroppedLive((d) => d + dropped);
    });
    const timer = setInterval(() => {
      const n = pending.current.length;
      if (n === 0) return;
      // A keyboard cursor is an index: rows must not shift under it either.
      if (!pausedRef.current && atTop.current && cursorRef.current < 0 && exact) {
        const batch = pending.current;
        pending.current = [];
        setList((l) => prependNewer(l, batch));
        setPendingCount(0);
      } else setPendingCount(n);
    }, FLUSH_MS);
    return () => {
      es.close();
      clearInterval(timer);
    };
  }, [queryKey]);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const cursorRef = useRef(cursor);
  cursorRef.current = cursor;

  const showNew = () => {
    if (exact) {
      const batch = pending.current;
      pending.current = [];
      setList((l) => prependNewer(l, batch));
      setPendingCount(0);
      scroller.current?.scrollTo({ top: 0 });
    } else loadFirst();
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

  const open = (t: TraceSummary) => navigate(formatHash({ view: 'trace', id: t.traceId }));
  useKeys((e) => {
    const rows = list.rows;
    if (e.key === 'j' || e.key === 'ArrowDown') setCursor((c) => Math.min(rows.length - 1, c + 1));
    else if (e.key === 'k' || e.key === 'ArrowUp') setCursor((c) => Math.max(0, c - 1));
    else if (e.key === 'Enter' && rows[cursor]) open(rows[cursor]!);
    else if (e.key === 'Escape') setCursor(-1);
    else return;
    e.preventDefault();
  });
  useEffect(() => {
    if (cursor < 0) return;
    // Focus follows the cursor so it is visible and Tab continues from there (roving tabindex).
    const id = list.rows[cursor]?.traceId;
    if (id) scroller.current?.querySelector<HTMLElement>(`[data-trace="${id}"] a`)?.focus();
  }, [cursor]);

  // Log scale: one slow outlier must not flatten every other bar to nothing.
  const maxLog = Math.log1p(list.rows.reduce((m, t) => Math.max(m, t.duration), 0));
  // Coarse clock: rows re-render for their "ago" at most every 5 s, not on every stream flush.
  const now = Math.floor(Date.now() / 5000) * 5000;
  const older = olderPageQuery(list, query);
  return (
    <section class="traces-view" aria-labelledby="traces-h" data-testid="view-traces">
      <h1 id="traces-h" class="sr-only">Traces</h1>
      <Filters query={query} onApply={go} onSlowest={slowest} slowestBusy={p99Busy} />
      <div class="listbar">
        <div class="live">
          <button type="button" class={`btn small ${paused ? '' : 'on'}`} aria-pressed={!paused} onClick={() => setPaused(!paused)} data-testid="live-toggle" title="Pause or resume live updates">
            <span class={`dot ${paused ? '' : 'pulse'}`} aria-hidden="true" />
            {paused ? 'Paused' : 'Live'}
          </button>
          {pendingCount > 0 && (
            <button type="button" class="btn small badge" onClick={showNew} data-testid="new-badge">
              {formatCount(pendingCount)}
              {pendingCount >= MAX_PENDING ? '+' : ''} new
            </button>
          )}
          {droppedLive > 0 && <span class="muted" title="Streamed summaries dropped from the bounded live buffer">{formatCount(droppedLive)} skipped</span>}
        </div>
        {(query.since !== undefined || query.until !== undefined) && (
          <span class="chip" data-testid="time-window">
            {query.since !== undefined ? formatClock(query.since) : '…'} – {query.until !== undefined ? formatClock(query.until) : 'now'}
            <button type="button" class="btn ghost small" aria-label="Remove the time window" onClick={() => go({ ...query, since: undefined, until: undefined })}>
              ✕
            </button>
          </span>
        )}
        <span class="muted" data-testid="row-count">
          {formatCount(list.rows.length)} traces shown{list.rows.length >= MAX_ROWS ? ` (cap ${formatCount(MAX_ROWS)})` : ''}
        </span>
        <span class="spacer" />
        <StoreCounters />
      </div>
      {'error' in parsed && <p class="error" role="alert">Bad filter: {parsed.error}</p>}
      {error && <p class="error" role="alert">{error}</p>}
      <div
        class="table-scroll"
        ref={scroller}
        onScroll={(e) => {
          atTop.current = (e.currentTarget as HTMLElement).scrollTop < 8;
        }}
      >
        {list.headTrimmed && (
          <button type="button" class="btn link wide" onClick={loadFirst}>
            Newer traces were dropped to keep the page small: back to the newest
          </button>
        )}
        <table class="traces" data-testid="trace-table">
          <thead>
            <tr>
              <th scope="col">Start</th>
              <th scope="col">Trace</th>
              <th scope="col">Route</th>
              <th scope="col" class="num">Status</th>
              <th scope="col" class="dur-col">Duration</th>
              <th scope="col" class="num">Spans</th>
              <th scope="col" class="num">Errors</th>
              <th scope="col">Services</th>
              <th scope="col">Kept</th>
            </tr>
          </thead>
          <tbody>
            {list.rows.map((t, i) => (
              <TraceRow key={t.traceId} t={t} cursor={i === cursor} tabbable={i === Math.max(0, cursor)} maxLog={maxLog} now={now} onOpen={open} />
            ))}
          </tbody>
        </table>
        {!loading && list.rows.length === 0 && !error && <p class="empty">No traces match. Send some requests to the app, or loosen the filter.</p>}
        <div class="more">
          {older && (
            <button type="button" class="btn" onClick={loadOlder} disabled={loading} data-testid="load-older">
              {loading ? 'Loading…' : 'Load older'}
            </button>
          )}
          {loading && !older && <span class="muted">Loading…</span>}
        </div>
      </div>
    </section>
  );
}

function Filters(props: { query: TraceQuery; onApply: (q: TraceQuery) => void; onSlowest: () => void; slowestBusy: boolean }) {
  const q = props.query;
  const services = useJson<ServicesResponse>('api/services', 10_000).data?.services ?? [];
  const attrText = Object.entries(q.attributes ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const submit = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const s = (k: string) => {
      const v = String(f.get(k) ?? '').trim();
      return v === '' ? undefined : v;
    };
    const n = (k: string) => {
      const v = s(k);
      return v === undefined || !Number.isFinite(Number(v)) ? undefined : Number(v);
    };
    const attributes: Record<string, string> = {};
    for (const tok of (s('attr') ?? '').split(/\s+/)) {
      const eq = tok.indexOf('=');
      if (eq > 0) attributes[tok.slice(0, eq)] = tok.slice(eq + 1);
    }
    const status = s('status');
    props.onApply({
      service: s('service'),
      route: s('route'),
      name: s('name'),
      status: status === 'error' || status === 'ok' ? status : undefined,
      minDuration: n('minDuration'),
      maxDuration: n('maxDuration'),
      attributes: Object.keys(attributes).length ? attributes : undefined,
      text: s('text'),
      reason: s('reason'),
      since: q.since,
      until: q.until,
    });
  };
  // Keyed on the query so the fields show the URL's filter after back/forward navigation.
  return (
    <form class="filters" onSubmit={submit} key={traceQueryToParams(q).toString()} role="search" aria-label="Filter traces" data-testid="filters">
      <label class="grow2">
        <span>Search</span>
        <input name="text" type="search" defaultValue={q.text ?? ''} placeholder="span name, attribute value, trace id   ( / )" data-search data-testid="filter-text" />
      </label>
      <label>
        <span>Service</span>
        <select name="service" defaultValue={q.service ?? ''} data-testid="filter-service">
          <option value="">any</option>
          {[...new Set([...services, ...(q.service ? [q.service] : [])])].map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Route</span>
        <input name="route" defaultValue={q.route ?? ''} placeholder="/orders/:id" data-testid="filter-route" />
      </label>
      <label>
        <span>Span name</span>
        <input name="name" defaultValue={q.name ?? ''} placeholder="exact name" data-testid="filter-name" />
      </label>
      <label class="narrow">
        <span>Status</span>
        <select name="status" defaultValue={q.status ?? ''} data-testid="filter-status">
          <option value="">any</option>
          <option value="error">error</option>
          <option value="ok">ok</option>
        </select>
      </label>
      <label class="narrow">
        <span>Min ms</span>
        <input name="minDuration" type="number" min="0" step="any" defaultValue={q.minDuration?.toString() ?? ''} data-testid="filter-min" />
      </label>
      <label class="narrow">
        <span>Max ms</span>
        <input name="maxDuration" type="number" min="0" step="any" defaultValue={q.maxDuration?.toString() ?? ''} data-testid="filter-max" />
      </label>
      <label class="grow">
        <span>Attributes</span>
        <input name="attr" defaultValue={attrText} placeholder="key=value key2=value2" data-testid="filter-attr" />
      </label>
      <label class="narrow">
        <span>Kept</span>
        <input name="reason" defaultValue={q.reason ?? ''} placeholder="reason" list="reasons" data-testid="filter-reason" />
        <datalist id="reasons">
          {['all', 'error', 'slow', 'sampled', 'pinned'].map((r) => (
            <option key={r} value={r} />
          ))}
        </datalist>
      </label>
      <div class="filter-actions">
        <button type="submit" class="btn primary" data-testid="filter-apply">
          Apply
        </button>
        <button type="button" class="btn" onClick={props.onSlowest} disabled={props.slowestBusy} title="Traces above the p99 duration of this filter" data-testid="slowest">
          Slowest 1%
        </button>
        <a class="btn ghost" href="#/traces" data-testid="filter-clear">
          Clear
        </a>
      </div>
    </form>
  );
}

interface TraceRowProps {
  t: TraceSummary;
  cursor: boolean;
  tabbable: boolean;
  maxLog: number;
  now: number;
  onOpen: (t: TraceSummary) => void;
}

/** One row; skips re-rendering when nothing it shows changed, so stream flushes stay cheap. */
class TraceRow extends Component<TraceRowProps> {
  override shouldComponentUpdate(next: TraceRowProps): boolean {
    const p = this.props;
    return p.t !== next.t || p.cursor !== next.cursor || p.tabbable !== next.tabbable || p.maxLog !== next.maxLog || p.now !== next.now;
  }

  override render() {
    const p = this.props;
    const t = p.t;
    return (
      <tr
        data-trace={t.traceId}
        data-testid="trace-row"
        class={`${p.cursor ? 'cursor' : ''} ${t.errorCount > 0 ? 'has-error' : ''}`}
        onClick={() => p.onOpen(t)}
      >
        <td class="mono muted" title={new Date(t.startTime).toISOString()}>
          {formatClock(t.startTime)} <span class="ago">{formatAgo(t.startTime, p.now)}</span>
        </td>
        <td class="trace-name">
          <a href={formatHash({ view: 'trace', id: t.traceId })} onClick={(e) => e.stopPropagation()} tabIndex={p.tabbable ? 0 : -1}>
            <span class={`svc c${serviceHue(t.rootService)}`}>{t.rootService}</span> {t.rootName}
          </a>
        </td>
        <td class="mono">{t.route ?? ''}</td>
        <td class={`num mono ${t.httpStatus && t.httpStatus >= 500 ? 'err' : ''}`}>{t.httpStatus ?? ''}</td>
        <td class="dur-col">
          <span class="dur-track" aria-hidden="true">
            <span class="dur-bar" style={{ width: `${p.maxLog > 0 ? Math.max(2, (Math.log1p(t.duration) / p.maxLog) * 100) : 0}%` }} />
          </span>
          <span class="mono">{formatDuration(t.duration)}</span>
        </td>
        <td class="num mono">{formatCount(t.spanCount)}</td>
        <td class={`num mono ${t.errorCount > 0 ? 'err' : 'muted'}`}>{t.errorCount}</td>
        <td class="svcs">
          {t.services.slice(0, 4).map((s) => (
            <span key={s} class={`svc c${serviceHue(s)}`}>{s}</span>
          ))}
          {t.services.length > 4 && <span class="muted">+{t.services.length - 4}</span>}
        </td>
        <td>
          {t.reason ? <span class={`reason r-${t.reason}`}>{t.reason}</span> : ''}
          {t.pinned && t.reason !== 'pinned' && ' '}
          {t.pinned && t.reason !== 'pinned' && (
            <span class="reason r-pinned" title="pinned: kept out of eviction" data-testid="pinned-mark">
              pinned
            </span>
          )}
        </td>
      </tr>
    );
  }
}
