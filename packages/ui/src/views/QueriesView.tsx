import { useEffect, useRef, useState } from 'preact/hooks';
import type { Finding, FindingsResponse, QueriesResponse, QuerySort, QueryStat } from '@debugpanel/model';
import { useJson } from '../hooks.js';
import { KIND_LABEL, formatShare, linkedQueryRow, queryRowKey, sparklinePoints } from '../lib/findings.js';
import { formatCount, formatDuration } from '../lib/format.js';
import { formatHash, withParam } from '../lib/route.js';
import { linkWith, readContext, routeMatches, type Context } from '../lib/context.js';
import type { ViewProps } from '../view-props.js';

const SORTS: Array<{ sort: QuerySort; label: string }> = [
  { sort: 'total', label: 'Total time' },
  { sort: 'p95', label: 'p95' },
  { sort: 'count', label: 'Count' },
];

/** A trace, with the shared context (lib/context.ts) riding along. */
function traceLink(ctx: Context, traceId: string, spanId?: string): string {
  return linkWith({ view: 'trace', id: traceId, params: spanId ? { span: spanId } : {} }, ctx);
}

/** `GET /api/products` -> `/api/products`: the trace query's route is the template alone. */
function template(route: string): string {
  return route.replace(/^[A-Z]+ /, '');
}

function Sparkline({ values }: { values: readonly number[] }) {
  return (
    <svg class="sparkline" width="80" height="18" viewBox="0 0 80 18" aria-hidden="true">
      <polyline points={sparklinePoints(values, 80, 18)} fill="none" stroke="currentColor" stroke-width="1.2" />
    </svg>
  );
}

function FindingCard({ f, ctx }: { f: Finding; ctx: Context }) {
  return (
    <li class={`finding card kind-${f.kind.replace('+', 'p')}`} data-testid="finding">
      <div class="finding-head">
        <span class="finding-kind">{KIND_LABEL[f.kind]}</span>
        {f.kind !== 'slow-query' && f.pattern !== 'unknown' && <span class="muted"> · {f.pattern === 'loop' ? 'loop (count varies with the data)' : 'fixed fan-out'}</span>}
        {f.parallel && <span class="muted"> · in parallel</span>}
        <span class="spacer" />
        <span class="mono">{formatShare(f.timeShare)} of {f.route}</span>
      </div>
      <p class="finding-summary">{f.summary}</p>
      {f.callSite && (
        <p class="mono small">
          at <b data-testid="finding-callsite">{f.callSite}</b> in {f.service}
        </p>
      )}
      {f.statement && <pre class="sql mono small">{f.statement}</pre>}
      <p class="small muted">
        {formatCount(f.requests)} requests, {f.repeats.min === f.repeats.max ? f.repeats.max : `${f.repeats.min}–${f.repeats.max}`} per request, {formatDuration(f.totalMs)} in all
        {f.savingMs > 0 ? `, could save ${formatDuration(f.savingMs)}` : ''} · examples:{' '}
        {f.exampleTraceIds.map((id) => (
          <a key={id} href={traceLink(ctx, id)} class="mono" data-testid="finding-trace">
            {id.slice(0, 8)}
          </a>
        )).reduce<preact.JSX.Element[]>((acc, el, i) => (i === 0 ? [el] : [...acc, <span key={`s${i}`}> </span>, el]), [])}
      </p>
    </li>
  );
}

function QueryDetail({ q, ctx }: { q: QueryStat; ctx: Context }) {
  return (
    <tr class="query-detail" data-testid="query-detail">
      <td colSpan={9}>
        <div class="detail-grid">
          <section>
            <h3>Routes</h3>
            <table class="kv-table">
              <tbody>
                {q.routes.map((r) => (
                  <tr key={r.route}>
                    <th scope="row">{r.route}</th>
                    <td class="mono num">
                      {formatCount(r.count)} in {formatCount(r.requests)} req · {formatDuration(r.totalMs)} · {formatShare(r.share)}
                    </td>
                    <td>
                      <a href={linkWith({ view: 'traces', params: { service: q.service, route: template(r.route) } }, ctx)} title="This route's traces in the shared window" data-testid="query-route-traces">
                        traces
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section>
            <h3>Call sites</h3>
            {q.callSites.length === 0 ? (
              <p class="muted small">No stack captured yet.</p>
            ) : (
              <ul class="plain mono small">
                {q.callSites.map((c) => (
                  <li key={c.callSite} data-testid="query-callsite">
                    {c.callSite} <span class="muted">×{formatCount(c.count)}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section>
            <h3>Examples</h3>
            <ul class="plain small">
              {q.slowest && (
                <li>
                  slowest: <a href={traceLink(ctx, q.slowest.traceId, q.slowest.spanId)} data-testid="query-slowest">{formatDuration(q.slowest.durationMs)}</a>
                </li>
              )}
              {q.typical && (
                <li>
                  typical: <a href={traceLink(ctx, q.typical.traceId, q.typical.spanId)}>{formatDuration(q.typical.durationMs)}</a>
                </li>
              )}
              <li class="muted">
                {formatCount(q.errors)} errors · {formatCount(q.rows)} rows · max {formatDuration(q.maxMs)}
              </li>
            </ul>
          </section>
        </div>
      </td>
    </tr>
  );
}

/**
 * Database queries by fingerprint, and what the detectors found (`api/queries`, `api/findings`).
 * `#/queries/<fingerprint>` (the Insights view links there) opens that statement's row, scrolled
 * into view; opening a row puts its fingerprint in the hash.
 */
export function QueriesView({ route, navigate }: ViewProps) {
  const sort = (route.params.get('sort') as QuerySort | null) ?? 'total';
  // The shared context: the service goes to the API, the route is matched here (time and status
  // do not apply: the statistics are totals since the panel started).
  const ctx = readContext('queries', route.params);
  const svc = ctx.service ? `&service=${encodeURIComponent(ctx.service)}` : '';
  const queries = useJson<QueriesResponse>(`api/queries?sort=${sort}&limit=200${svc}`, 5000);
  const findings = useJson<FindingsResponse>(`api/findings${svc ? `?${svc.slice(1)}` : ''}`, 5000);
  const [open, setOpen] = useState<string>();
  const list = (findings.data?.findings ?? []).filter((f) => routeMatches(f.route, ctx.route));
  const rows = (queries.data?.queries ?? []).filter((q) => !ctx.route || q.routes.some((r) => routeMatches(r.route, ctx.route)));
  // The linked statement: opened (unless a row of that fingerprint already is) and scrolled to, once per link.
  const linked = linkedQueryRow(rows, route.id, ctx.service);
  const scrolledTo = useRef<string>();
  useEffect(() => {
    if (!linked || !route.id) return;
    if (!open?.startsWith(`${route.id}/`)) setOpen(queryRowKey(linked));
    if (scrolledTo.current === route.id) return;
    scrolledTo.current = route.id;
    requestAnimationFrame(() => document.querySelector(`[data-testid="query-row"][data-key="${CSS.escape(queryRowKey(linked))}"]`)?.scrollIntoView({ block: 'center' }));
  }, [route.id, linked && queryRowKey(linked)]);
  const toggle = (q: QueryStat) => {
    const key = queryRowKey(q);
    const next = open === key ? undefined : key;
    setOpen(next);
    // Opened here: already in view, no scroll.
    scrolledTo.current = next ? q.fingerprint : undefined;
    navigate(formatHash({ view: 'queries', id: next ? q.fingerprint : undefined, params: route.params }), { replace: true });
  };
  return (
    <section class="queries-view" aria-labelledby="queries-h" data-testid="view-queries">
      <h1 id="queries-h">Queries</h1>
      {(queries.error || findings.error) && (
        <p class="error" role="alert">
          {queries.error ?? findings.error}
        </p>
      )}
      <section aria-labelledby="findings-h">
        <h2 id="findings-h">Findings {findings.data && <span class="muted">({list.length})</span>}</h2>
        {findings.data && list.length === 0 && <p class="muted">Nothing found yet: no N+1, consecutive or slow queries in the requests seen.</p>}
        <ul class="findings plain" data-testid="findings">
          {list.map((f) => (
            <FindingCard key={f.id} f={f} ctx={ctx} />
          ))}
        </ul>
      </section>
      <section aria-labelledby="fp-h">
        {route.id && queries.data && !linked && (
          <p class="muted" data-testid="query-missing">
            No statement with fingerprint <span class="mono">{route.id}</span> in this list: it has not run since the panel started
            {ctx.service || ctx.route ? ', or not in the filter bar’s service or route' : ''}.
          </p>
        )}
        <div class="toolbar">
          <h2 id="fp-h">
            By fingerprint {queries.data && <span class="muted">({formatCount(queries.data.total)})</span>}
          </h2>
          <span class="spacer" />
          <span class="muted small">Sort:</span>
          {SORTS.map((s) => (
            <button
              key={s.sort}
              type="button"
              class={`btn small${s.sort === sort ? ' badge' : ''}`}
              aria-pressed={s.sort === sort}
              data-testid={`sort-${s.sort}`}
              onClick={() => navigate(formatHash({ view: 'queries', id: route.id, params: withParam(route.params, 'sort', s.sort === 'total' ? undefined : s.sort) }), { replace: true })}
            >
              {s.label}
            </button>
          ))}
        </div>
        <table class="queries-table" data-testid="queries-table">
          <thead>
            <tr>
              <th scope="col">Statement</th>
              <th scope="col">Service</th>
              <th scope="col" class="num">Count</th>
              <th scope="col" class="num">Total</th>
              <th scope="col" class="num">p50</th>
              <th scope="col" class="num">p95</th>
              <th scope="col" class="num">p99</th>
              <th scope="col" class="num">Share</th>
              <th scope="col">Last 30 min</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((q) => {
              const key = queryRowKey(q);
              return [
                <tr key={key} class={`query-row${open === key ? ' open' : ''}`} data-testid="query-row" data-key={key} onClick={() => toggle(q)} aria-expanded={open === key}>
                  <td class="mono sql-cell" title={q.statement}>
                    {q.statement}
                    {q.errors > 0 && <span class="err-badge">{formatCount(q.errors)} err</span>}
                  </td>
                  <td>{q.service}</td>
                  <td class="num mono">{formatCount(q.count)}</td>
                  <td class="num mono">{formatDuration(q.totalMs)}</td>
                  <td class="num mono">{formatDuration(q.p50Ms)}</td>
                  <td class="num mono">{formatDuration(q.p95Ms)}</td>
                  <td class="num mono">{formatDuration(q.p99Ms)}</td>
                  <td class="num mono">{formatShare(q.share)}</td>
                  <td>
                    <Sparkline values={q.series.totalMs} />
                  </td>
                </tr>,
                open === key ? <QueryDetail key={`${key}/d`} q={q} ctx={ctx} /> : null,
              ];
            })}
          </tbody>
        </table>
      </section>
    </section>
  );
}
