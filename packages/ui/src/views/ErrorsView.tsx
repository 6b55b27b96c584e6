/**
 * Errors: the error groups (most recently seen first) with their counts and per-minute
 * sparklines, filters by service, route, user and source; a group's detail with its stack and
 * cause chain, the groups that caused it and those it caused upstream, and its newest
 * occurrences, each linked to its trace. Refreshes every 2 s while open.
 * Hash: `#/errors?service=orders&route=/orders`, `#/errors/<fingerprint>?service=...`.
 */
import { useState } from 'preact/hooks';
import type { ErrorChainLink, ErrorGroupRelation, ErrorGroupResponse, ErrorGroupSummary, ErrorsResponse } from '@debugpanel/model';
import { useJson } from '../hooks.js';
import { ERROR_FILTERS, errorPath, errorsPath, frameLocation, recentCount, sparkline, visibleFrames } from '../lib/errors-data.js';
import { formatAgo, formatClock, formatCount } from '../lib/format.js';
import { formatHash, withParam } from '../lib/route.js';
import { linkWith, readContext } from '../lib/context.js';
import type { ViewProps } from '../view-props.js';
import './errors.css';

const REFRESH_MS = 2000;
const SOURCES = ['span', 'log', 'uncaught', 'rejection'] as const;

export function ErrorsView({ route, navigate }: ViewProps) {
  const list = useJson<ErrorsResponse>(errorsPath(route.params), REFRESH_MS);
  const selected = route.id;
  const go = (params: URLSearchParams, id = selected) => navigate(formatHash({ view: 'errors', id, params }), { replace: true });
  const now = Date.now();
  return (
    <section class="errors-view" aria-labelledby="errors-h" data-testid="view-errors">
      <h1 id="errors-h" class="sr-only">Errors</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        {/* service and route are the shared filter bar's (lib/context.ts); the rest are the view's own */}
        {ERROR_FILTERS.filter((k) => k !== 'source' && k !== 'service' && k !== 'route').map((key) => (
          <label key={key} class="field">
            <span>{key}</span>
            <input
              value={route.params.get(key) ?? ''}
              placeholder="any"
              data-testid={`errors-filter-${key}`}
              onChange={(e) => go(withParam(route.params, key, (e.target as HTMLInputElement).value.trim()))}
            />
          </label>
        ))}
        <label class="field">
          <span>source</span>
          <select value={route.params.get('source') ?? ''} onChange={(e) => go(withParam(route.params, 'source', (e.target as HTMLSelectElement).value))}>
            <option value="">any</option>
            {SOURCES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
      </form>
      {list.error && <p class="error" role="alert">{list.error}</p>}
      <div class="errors-body">
        <div class="errors-list table-scroll">
          {list.data && list.data.groups.length === 0 && <p class="empty">No errors{route.params.toString() ? ' match these filters' : ' yet'}.</p>}
          {list.data && list.data.groups.length > 0 && (
            <table class="groups" data-testid="error-groups">
              <thead>
                <tr>
                  <th scope="col">Error</th>
                  <th scope="col" class="num">Events</th>
                  <th scope="col">Last hour</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {list.data.groups.map((g) => (
                  <GroupRow key={g.fingerprint} g={g} now={now} selected={g.fingerprint === selected} href={formatHash({ view: 'errors', id: g.fingerprint, params: route.params })} />
                ))}
              </tbody>
            </table>
          )}
          {list.data && list.data.total > list.data.groups.length && (
            <p class="muted pad">{formatCount(list.data.total - list.data.groups.length)} more groups; narrow the filters.</p>
          )}
        </div>
        {selected && <GroupDetail fingerprint={selected} params={route.params} onClose={() => go(route.params, undefined)} />}
      </div>
    </section>
  );
}

function GroupRow({ g, now, selected, href }: { g: ErrorGroupSummary; now: number; selected: boolean; href: string }) {
  return (
    <tr class={selected ? 'sel' : undefined} data-testid="error-group" aria-selected={selected}>
      <td class="group-cell">
        <a href={href} class="group-title">
          <span class="err-type">{g.type}</span> <span class="mono">{g.title}</span>
        </a>
        <div class="group-meta">
          {g.isNew && <span class="new-badge" title="First seen after the panel had been running a while">new</span>}
          {g.services.map((s) => <span class="svc" key={s}>{s}</span>)}
          {g.culprit && <span class="muted mono">{g.culprit}</span>}
          {g.routes.length > 0 && <span class="muted">{g.routes.slice(0, 3).join(', ')}{g.routes.length > 3 ? ', …' : ''}</span>}
        </div>
      </td>
      <td class="num mono" data-testid="group-count">{formatCount(g.count)}</td>
      <td>
        <Sparkline series={g.series} label={`${recentCount(g.series, 60)} in the last hour`} />
      </td>
      <td class="muted" title={formatClock(g.lastSeen)}>{formatAgo(g.lastSeen, now)}</td>
    </tr>
  );
}

function Sparkline({ series, label }: { series: number[]; label: string }) {
  const w = 120;
  const h = 22;
  return (
    <svg class="sparkline" width={w} height={h + 2} viewBox={`0 -1 ${w} ${h + 2}`} role="img" aria-label={label} data-testid="sparkline">
      <title>{label}</title>
      <polyline points={sparkline(series, w, h)} fill="none" stroke="currentColor" stroke-width="1.5" vector-effect="non-scaling-stroke" />
    </svg>
  );
}

function GroupDetail({ fingerprint, params, onClose }: { fingerprint: string; params: URLSearchParams; onClose: () => void }) {
  const { data, error } = useJson<ErrorGroupResponse>(errorPath(fingerprint), REFRESH_MS);
  if (error) return <aside class="detail error-detail"><p class="error" role="alert">{error}</p></aside>;
  if (!data) return <aside class="detail error-detail"><p class="muted">Loading…</p></aside>;
  const g = data.group;
  const link = (r: ErrorGroupRelation) => formatHash({ view: 'errors', id: r.fingerprint, params });
  // Trace links carry the shared context (service, window) on to the trace and its logs.
  const ctx = readContext('errors', params);
  const traceHref = (traceId: string, spanId?: string) => linkWith({ view: 'trace', id: traceId, params: spanId ? { span: spanId } : {} }, ctx);
  return (
    <aside class="detail error-detail" aria-label="Error group" data-testid="error-detail">
      <div class="detail-head">
        <h2>
          <span class="err-type">{g.type}</span> {g.message}
        </h2>
        <span class="spacer" />
        <a
          class="btn small"
          href={linkWith({ view: 'traces', params: { status: 'error', service: g.services.length === 1 ? g.services[0] : undefined, route: g.routes.length === 1 ? g.routes[0] : undefined } }, ctx)}
          title="The failed traces of this group's service and route in the shared window"
          data-testid="error-traces"
        >
          Error traces
        </a>
        <button type="button" class="btn ghost small" onClick={onClose} aria-label="Close">✕</button>
      </div>
      <dl class="facts-grid">
        <dt>events</dt><dd class="mono">{formatCount(g.count)}</dd>
        <dt>first seen</dt><dd>{formatClock(g.firstSeen)}{g.isNew && <span class="new-badge">new</span>}</dd>
        <dt>last seen</dt><dd>{formatClock(g.lastSeen)}</dd>
        <dt>services</dt><dd>{g.services.map((s) => <span class="svc" key={s}>{s}</span>)}</dd>
        {g.routes.length > 0 && <><dt>routes</dt><dd class="mono">{g.routes.join(', ')}</dd></>}
        {g.users.length > 0 && <><dt>users</dt><dd class="mono">{g.users.join(', ')}</dd></>}
        {g.releases.length > 0 && <><dt>releases</dt><dd class="mono">{g.releases.join(', ')}</dd></>}
        <dt>sources</dt><dd>{g.sources.join(', ')}</dd>
        <dt>fingerprint</dt><dd class="mono muted">{g.fingerprint}</dd>
      </dl>
      {data.causedBy.length > 0 && (
        <section data-testid="caused-by">
          <h3>Caused by</h3>
          <Relations list={data.causedBy} link={link} traceHref={traceHref} />
        </section>
      )}
      {data.causes.length > 0 && (
        <section data-testid="causes">
          <h3>Caused upstream</h3>
          <Relations list={data.causes} link={link} traceHref={traceHref} />
        </section>
      )}
      <h3>Stack</h3>
      {data.sample.map((l, i) => <Chain key={i} link={l} depth={i} />)}
      <h3>Occurrences ({data.occurrences.length} newest)</h3>
      <table class="kv-table occurrences" data-testid="occurrences">
        <tbody>
          {data.occurrences.map((o, i) => (
            <tr key={i}>
              <td class="mono">{formatClock(o.time)}</td>
              <td><span class="svc">{o.service}</span></td>
              <td class="mono">{o.route ?? ''}</td>
              <td class="mono">{o.user ?? ''}</td>
              <td>
                {o.traceId && o.stored && (
                  <a href={traceHref(o.traceId, o.spanId)} data-testid="occurrence-trace">trace</a>
                )}
                {o.traceId && !o.stored && <span class="muted" title="The span store no longer holds this trace">evicted</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </aside>
  );
}

function Relations({ list, link, traceHref }: { list: ErrorGroupRelation[]; link: (r: ErrorGroupRelation) => string; traceHref: (traceId: string) => string }) {
  return (
    <ul class="relations">
      {list.map((r) => (
        <li key={r.fingerprint}>
          <a href={link(r)}><span class="err-type">{r.type}</span> <span class="mono">{r.title}</span></a>{' '}
          {r.services.map((s) => <span class="svc" key={s}>{s}</span>)}
          <span class="muted"> in {r.traces} sample trace{r.traces === 1 ? '' : 's'} · </span>
          <a href={traceHref(r.traceId)}>a trace</a>
        </li>
      ))}
    </ul>
  );
}

function Chain({ link, depth }: { link: ErrorChainLink; depth: number }) {
  const [all, setAll] = useState(false);
  const frames = visibleFrames(link.frames, all);
  return (
    <div class="exception" data-testid="stack">
      <div class="mono">{depth > 0 && <span class="muted">caused by </span>}<strong>{link.type}</strong>: {link.message}</div>
      <ol class="frames">
        {frames.map((f) => (
          <li key={f.index} class={f.inApp ? 'in-app' : 'lib'}>
            <span class="mono">{f.function}</span> <span class="muted mono">{frameLocation(f)}</span>
          </li>
        ))}
      </ol>
      {link.frames.length > frames.length || all ? (
        <button type="button" class="btn link small" onClick={() => setAll(!all)}>{all ? 'only in-app frames' : `all ${link.frames.length} frames`}</button>
      ) : null}
    </div>
  );
}
