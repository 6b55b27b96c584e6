/**
 * Logs: every stored log record, newest first, with a live tail (the stream's `log` events,
 * judged against the filter as the store would) that can be paused, severity colours, filters
 * kept in the hash, and older pages by cursor. A record with a trace id links to its trace, opened
 * at the span that was active when it was logged.
 * Hash: `#/logs?service=orders&severity=warn&text=timeout&traceId=<id>&spanId=<id>`.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { logMatcher, parseSeverity, type LogQuery, type LogRecord, type LogsResponse, type ServicesResponse, type StreamEvents } from '@debugpanel/model';
import { getJson, isAbort } from '../../api.js';
import { useJson } from '../../hooks.js';
import { formatClock, formatCount, serviceHue } from '../../lib/format.js';
import {
  MAX_LOG_ROWS, MAX_PENDING_LOGS, PendingLogs, SEVERITY_OPTIONS, appendOlderLogs, emptyLogList, isRangeStart,
  logFilterParams, logsPath, olderLogsPage, prependLiveLogs, readLogFilters, severityOption, type LogList,
} from '../../lib/logs-data.js';
import { attributeLine, severityClass } from '../../lib/trace-logs.js';
import { formatHash } from '../../lib/route.js';
import { contextParams, linkWith, navLink, readContext, type Context } from '../../lib/context.js';
import { useVirtualRows } from '../../use-virtual-rows.js';
import type { ViewProps } from '../../view-props.js';
import { Severity } from './Severity.js';
import './logs.css';

/** Fixed row height, px (CSS `.log-row`): rows are virtualized, a row's top is index * this. */
export const LOG_ROW_HEIGHT = 24;
/** Streamed records join the list at most this often. */
const FLUSH_MS = 500;

export function LogsView({ route, navigate }: ViewProps) {
  const paramsKey = route.params.toString();
  const filter = useMemo(() => readLogFilters(route.params), [paramsKey]);
  const { query, error: badFilter } = filter;
  const queryKey = filter.params;
  // The shared context (lib/context.ts) is the filter bar's: service and window are not the form's
  // (it sets severity, text and trace id), so they stay as they are, a trace id's too.
  const ctx = readContext('logs', route.params);
  const go = (q: LogQuery) => navigate(formatHash({ view: 'logs', params: { ...contextParams('logs', ctx), ...logFilterParams(q), service: ctx.service } }));

  const [list, setList] = useState<LogList>(emptyLogList);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const [paused, setPaused] = useState(false);
  const [waiting, setWaiting] = useState(0);
  const [dropped, setDropped] = useState(0);
  // Bumped to load the newest page again for the same filter.
  const [generation, setGeneration] = useState(0);
  const v = useVirtualRows<HTMLDivElement>(list.rows.length, LOG_ROW_HEIGHT);
  const atTop = useRef(true);
  const live = useRef<{ pending?: PendingLogs; ready: boolean; paused: boolean }>({ ready: false, paused });
  live.current.paused = paused;

  const merge = () => {
    const batch = live.current.pending?.take() ?? [];
    setWaiting(0);
    if (batch.length > 0) setList((l) => prependLiveLogs(l, batch));
  };

  // The first page, and the live tail for the same filter: streamed records wait until the page
  // is in (then the overlap is dropped as duplicates), and while paused or scrolled down.
  useEffect(() => {
    setList(emptyLogList());
    setWaiting(0);
    setDropped(0);
    if (badFilter) {
      setLoading(false);
      return;
    }
    const ctl = new AbortController();
    const state = live.current;
    state.ready = false;
    const pending = (state.pending = new PendingLogs(logMatcher(query)));
    setLoading(true);
    getJson<LogsResponse>(logsPath(queryKey), ctl.signal).then(
      (res) => {
        setList(appendOlderLogs(emptyLogList(), res.logs, res.nextCursor));
        setError(undefined);
        setLoading(false);
        state.ready = true;
        const el = v.scroller.current;
        if (el) el.scrollTop = 0;
        atTop.current = true;
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        setError((err as Error).message);
        setLoading(false);
      },
    );
    // `until` in the past: nothing new can match.
    const es = query.until === undefined ? new EventSource('api/stream') : undefined;
    es?.addEventListener('log', (ev) => {
      try {
        pending.offer(JSON.parse((ev as MessageEvent<string>).data) as StreamEvents['log']);
      } catch {
        /* not JSON: skip it */
      }
    });
    const timer = setInterval(() => {
      if (!state.ready) return;
      if (pending.size > 0 && !state.paused && atTop.current) merge();
      else setWaiting(pending.size);
      setDropped(pending.dropped);
    }, FLUSH_MS);
    return () => {
      ctl.abort();
      es?.close();
      clearInterval(timer);
    };
  }, [queryKey, badFilter, generation]);

  const loadOlder = () => {
    const page = olderLogsPage(list);
    if (!page || loading) return;
    setLoading(true);
    getJson<LogsResponse>(logsPath(queryKey, page)).then(
      (res) => {
        setList((l) => appendOlderLogs(l, res.logs, res.nextCursor));
        setLoading(false);
      },
      (err: unknown) => {
        setError((err as Error).message);
        setLoading(false);
      },
    );
  };

  const older = olderLogsPage(list);
  const { start, end } = v.range;
  const drawn: preact.JSX.Element[] = [];
  for (let i = start; i < end; i++) drawn.push(<LogRow key={i} r={list.rows[i]!} index={i} ctx={ctx} />);
  return (
    <section class="logs-view" aria-labelledby="logs-h" data-testid="view-logs">
      <h1 id="logs-h" class="sr-only">Logs</h1>
      <LogFilters key={queryKey} query={query} onApply={go} clearHref={navLink('logs', ctx)} />
      <div class="listbar">
        <div class="live">
          <button type="button" class={`btn small ${paused ? '' : 'on'}`} aria-pressed={!paused} onClick={() => setPaused(!paused)} disabled={query.until !== undefined} data-testid="logs-live" title="Pause or resume the live tail">
            <span class={`dot ${paused ? '' : 'pulse'}`} aria-hidden="true" />
            {paused ? 'Paused' : 'Live'}
          </button>
          {waiting > 0 && (
            <button
              type="button"
              class="btn small badge"
              onClick={() => {
                merge();
                const el = v.scroller.current;
                if (el) el.scrollTop = 0;
                atTop.current = true;
              }}
              data-testid="logs-new"
              title="Records that arrived since and match the filter"
            >
              {formatCount(waiting)}
              {waiting >= MAX_PENDING_LOGS ? '+' : ''} new
            </button>
          )}
          {dropped > 0 && <span class="muted" title="Streamed records dropped from the bounded buffer while paused">{formatCount(dropped)} skipped</span>}
        </div>
        <span class="muted" data-testid="logs-count">
          {formatCount(list.rows.length)} records shown{list.rows.length >= MAX_LOG_ROWS ? ` (cap ${formatCount(MAX_LOG_ROWS)})` : ''}
        </span>
      </div>
      {badFilter && <p class="error" role="alert">Bad filter: {badFilter}</p>}
      {error && <p class="error" role="alert">{error}</p>}
      {list.headTrimmed && (
        <button type="button" class="btn link wide" onClick={() => setGeneration((g) => g + 1)}>
          Newer records were dropped to keep the page small: back to the newest
        </button>
      )}
      <div
        class="table-scroll log-scroll"
        ref={v.scroller}
        onScroll={(e) => {
          v.onScroll();
          atTop.current = (e.currentTarget as HTMLElement).scrollTop < 8;
        }}
        data-testid="logs-scroll"
      >
        <div class="log-spacer" role="list" aria-label={`Log records: ${list.rows.length}`} style={{ height: `${list.rows.length * LOG_ROW_HEIGHT}px` }}>
          {drawn}
        </div>
        {!loading && list.rows.length === 0 && !error && (
          <p class="empty">No log records{queryKey ? ' match this filter' : ' yet'}. Lines the app logs (console, pino, winston, OTel) show here as they are written.</p>
        )}
        <div class="more">
          {older && (
            <button type="button" class="btn" onClick={loadOlder} disabled={loading} data-testid="logs-more">
              {loading ? 'Loading…' : 'Load more'}
            </button>
          )}
          {loading && !older && <span class="muted">Loading…</span>}
        </div>
      </div>
    </section>
  );
}

/** One record on one line; with a trace id it is a link to the trace, at the span that logged it. */
function LogRow({ r, index, ctx }: { r: LogRecord; index: number; ctx: Context }) {
  const attrs = attributeLine(r.attributes);
  const cls = `log-row ${severityClass(r.severityNumber)}`;
  const style = { top: `${index * LOG_ROW_HEIGHT}px` };
  const cells = (
    <>
      <span class="log-time mono" title={new Date(r.time).toISOString()}>{formatClock(r.time)}</span>
      <Severity n={r.severityNumber} text={r.severityText} />
      <span class={`svc c${serviceHue(r.service)}`}>{r.service}</span>
      <span class="log-body" title={r.body.length > 80 ? r.body : undefined}>{r.body}</span>
      {attrs && <span class="log-attrs mono muted" title={attrs}>{attrs}</span>}
      {r.traceId && <span class="log-trace mono">{r.traceId.slice(0, 8)}</span>}
    </>
  );
  if (!r.traceId) {
    return <div class={cls} style={style} role="listitem" data-testid="log-row">{cells}</div>;
  }
  return (
    <a
      class={cls}
      style={style}
      role="listitem"
      href={linkWith({ view: 'trace', id: r.traceId, params: r.spanId ? { span: r.spanId } : {} }, ctx)}
      title={`Open trace ${r.traceId}${r.spanId ? ` at span ${r.spanId}` : ''}`}
      data-testid="log-row"
      data-trace={r.traceId}
    >
      {cells}
    </a>
  );
}

interface FilterForm {
  severity: string;
  text: string;
  traceId: string;
}

/**
 * The view's own filters, what the shared filter bar (service, time) does not have: severity, text
 * and trace id. Starts from the address's filter (remounted per filter with `key`), so a shared
 * link shows its filter, the menu included. The menu applies at once; text fields on Enter.
 */
function LogFilters({ query, onApply, clearHref }: { query: LogQuery; onApply: (q: LogQuery) => void; clearHref: string }) {
  const [form, setForm] = useState<FilterForm>(() => ({
    severity: query.severity === undefined ? '' : severityOption(String(query.severity)),
    text: query.text ?? '',
    traceId: query.traceId ?? '',
  }));
  // The address may name an in-range severity the menu does not list: still an option.
  const severityOptions = query.severity !== undefined && !isRangeStart(query.severity) ? [...SEVERITY_OPTIONS, { value: form.severity, label: `${form.severity.toUpperCase()}+` }] : SEVERITY_OPTIONS;
  const apply = (f: FilterForm) => {
    const severity = f.severity ? parseSeverity(f.severity) : undefined;
    onApply({
      ...(severity !== undefined ? { severity } : {}),
      ...(f.text.trim() ? { text: f.text.trim() } : {}),
      ...(f.traceId.trim() ? { traceId: f.traceId.trim().toLowerCase() } : {}),
      ...(query.spanId && f.traceId.trim().toLowerCase() === query.traceId ? { spanId: query.spanId } : {}),
    });
  };
  const text = (key: 'text' | 'traceId') => ({
    value: form[key],
    onInput: (e: Event) => setForm((f) => ({ ...f, [key]: (e.currentTarget as HTMLInputElement).value })),
  });
  const menu = (key: 'severity') => ({
    value: form[key],
    onChange: (e: Event) => {
      const next = { ...form, [key]: (e.currentTarget as HTMLSelectElement).value };
      setForm(next);
      apply(next);
    },
  });
  return (
    <form
      class="filters"
      role="search"
      aria-label="Filter log records"
      data-testid="logs-filters"
      onSubmit={(e) => {
        e.preventDefault();
        apply(form);
      }}
    >
      <label class="grow2">
        <span>Text</span>
        <input name="text" type="search" {...text('text')} placeholder="in the message or an attribute value   ( / )" data-search data-testid="logs-filter-text" />
      </label>
      <label class="narrow" title="This severity and worse">
        <span>Severity</span>
        <select name="severity" {...menu('severity')} data-testid="logs-filter-severity">
          {severityOptions.map((o) => (
            <option key={o.value} value={o.value}>{o.label}</option>
          ))}
        </select>
      </label>
      <label class="trace-field">
        <span>Trace id</span>
        <input name="traceId" {...text('traceId')} placeholder="32 hex characters" spellcheck={false} data-testid="logs-filter-trace" />
      </label>
      {query.spanId && (
        <span class="chip" data-testid="logs-span-chip">
          span <span class="mono">{query.spanId}</span>
          <button type="button" class="btn ghost small" aria-label="Remove the span filter" onClick={() => onApply({ ...query, spanId: undefined })}>
            ✕
          </button>
        </span>
      )}
      <div class="filter-actions">
        <button type="submit" class="btn primary" data-testid="logs-apply">
          Apply
        </button>
        <a class="btn ghost" href={clearHref} data-testid="logs-clear" title="Clear these filters (the bar's service and time stay)">
          Clear
        </a>
      </div>
    </form>
  );
}
