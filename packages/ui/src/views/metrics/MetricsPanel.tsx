/**
 * Golden signals: latency, traffic, errors and saturation of the service, or of one
 * route, over a window; the routes and dependencies tables. Refreshes once a second while open.
 * Hash: `#/metrics?window=15m&service=shop&route=/orders/:id&method=GET&sort=errorRate&dsort=p99`,
 * or `dep=<dependency>` instead of a route to chart one outgoing dependency.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { InsightsResponse } from '@debugpanel/model';
import { getJson, isAbort } from '../../api.js';
import { useJson } from '../../hooks.js';
import { chartBands } from '../../lib/insights.js';
import { formatBytes, formatClock, formatDuration } from '../../lib/format.js';
import {
  WINDOWS,
  errorData,
  formatPercent,
  formatRate,
  lastValue,
  latencyData,
  memoryData,
  metricsPath,
  parseWindowKey,
  pickSeries,
  pointLink,
  rowKey,
  saturationData,
  sortRows,
  tablePath,
  tracesLink,
  trafficData,
  type MetricsResponse,
  type SortKey,
  type TableResponse,
  type TableRow,
} from '../../lib/metrics-data.js';
import { formatHash, withParam } from '../../lib/route.js';
import type { ViewProps } from '../../view-props.js';
import { Chart } from './Chart.js';
import { SignalTable } from './SignalTable.js';
import './metrics.css';

const REFRESH_MS = 1000;
const SORTS: readonly SortKey[] = ['p99', 'errorRate', 'rate', 'p50', 'count', 'name'];
const parseSort = (v: string | null, dflt: SortKey): SortKey => (SORTS.includes(v as SortKey) ? (v as SortKey) : dflt);

interface Snapshot {
  metrics: MetricsResponse;
  routes: TableResponse;
  deps: TableResponse;
  at: number;
}

/**
 * Fetches the three endpoints together, then again `REFRESH_MS` after each answer (never piling
 * up requests on a slow server), skipping ticks while the tab is hidden.
 */
function useSnapshot(paths: [string, string, string], live: boolean): { snap?: Snapshot; error?: string } {
  const [state, setState] = useState<{ snap?: Snapshot; error?: string }>({});
  const key = paths.join('|');
  useEffect(() => {
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      if (!document.hidden) {
        try {
          const [metrics, routes, deps] = await Promise.all([
            getJson<MetricsResponse>(paths[0], ctl.signal),
            getJson<TableResponse>(paths[1], ctl.signal),
            getJson<TableResponse>(paths[2], ctl.signal),
          ]);
          setState({ snap: { metrics, routes, deps, at: Date.now() } });
        } catch (err) {
          if (isAbort(err)) return;
          setState((s) => ({ snap: s.snap, error: (err as Error).message }));
        }
      }
      if (live && !ctl.signal.aborted) timer = setTimeout(tick, REFRESH_MS);
    };
    void tick();
    return () => {
      ctl.abort();
      clearTimeout(timer);
    };
  }, [key, live]);
  return state;
}

const MB = 1024 * 1024;
/** Byte ticks on round binary sizes (64 MB, 128 MB...) rather than 95.4 MB. */
const BYTE_INCRS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192].map((n) => n * MB);
const pct = (v: number) => `${Math.round(v * 10) / 10}%`;
const rate = (v: number) => formatRate(v);
const dur = (v: number) => formatDuration(v);
const bytes = (v: number) => formatBytes(v);

/** The Metrics view itself; `MetricsView` loads it (and uPlot) on first use. */
export function MetricsPanel({ route, navigate }: ViewProps) {
  const params = route.params;
  const window = parseWindowKey(params.get('window'));
  const service = params.get('service') || undefined;
  const routeName = params.get('route') || undefined;
  const method = params.get('method') || undefined;
  const dep = params.get('dep') || undefined;
  const sort = parseSort(params.get('sort'), 'p99');
  const dsort = parseSort(params.get('dsort'), 'p99');
  const [live, setLive] = useState(true);

  const set = (key: string, value: string | undefined, more: Record<string, string | undefined> = {}) => {
    let next = withParam(params, key, value);
    for (const [k, v] of Object.entries(more)) next = withParam(next, k, v);
    navigate(formatHash({ view: 'metrics', params: next }), { replace: true });
  };

  // A range picked on a chart (or given by an incident's link) filters the tables; the charts keep the window.
  const rangeFrom = Number(params.get('from'));
  const rangeTo = Number(params.get('to'));
  const range = rangeFrom > 0 && rangeTo > rangeFrom ? { from: rangeFrom, to: rangeTo } : undefined;
  const selectRange = (from: number, to: number) => set('from', String(from), { to: String(to) });
  const { snap, error } = useSnapshot(
    [metricsPath({ service, route: routeName, dependency: dep, window }), tablePath('server', window, service, range), tablePath('client', window, service, range)],
    live,
  );

  const m = snap?.metrics;
  const times = m?.times ?? [];
  const res = m?.resolution ?? 1;
  const series = useMemo(() => (m ? pickSeries(m.series, routeName && !dep ? method : undefined) : undefined), [m, routeName, method, dep]);
  const lat = useMemo(() => latencyData(times, series), [m, series]);
  const traffic = useMemo(() => trafficData(times, series, res), [m, series]);
  const errs = useMemo(() => errorData(times, series), [m, series]);
  const sat = useMemo(() => saturationData(times, m?.process), [m]);
  const mem = useMemo(() => memoryData(times, m?.process), [m]);

  const routeRows = useMemo(() => (snap ? sortRows(snap.routes.rows, sort) : []), [snap, sort]);
  const depRows = useMemo(() => (snap ? sortRows(snap.deps.rows, dsort) : []), [snap, dsort]);
  const services = useMemo(() => [...new Set([...(snap?.routes.rows ?? []), ...(snap?.deps.rows ?? [])].map((r) => r.labels.service))].sort(), [snap]);
  const selectedKey = dep ? undefined : routeRows.find((r) => r.labels.route === routeName && (!method || r.labels.method === method))?.labels;
  const selectedDep = dep ? depRows.find((r) => r.labels.dependency === dep && (!service || r.labels.service === service))?.labels : undefined;

  const pick = (idx: number, opts: { exemplar?: boolean; status?: 'error' } = {}) => {
    const t = times[idx];
    if (t === undefined) return;
    navigate(
      pointLink({
        time: t,
        resolution: res,
        exemplar: opts.exemplar ? series?.exemplars[idx] : undefined,
        service: service ?? (services.length === 1 ? services[0] : undefined),
        route: dep ? undefined : routeName,
        status: opts.status,
      }),
    );
  };
  const windowSeconds = WINDOWS.find((w) => w.key === window)!.seconds;
  const openRoute = (r: TableRow) => {
    const now = snap?.at ?? Date.now();
    navigate(tracesLink({ service: r.labels.service, route: r.labels.route, since: range?.from ?? now - windowSeconds * 1000, until: range?.to ?? now }));
  };
  const chartRoute = (r: TableRow) => {
    const same = selectedKey && rowKey(selectedKey) === rowKey(r.labels);
    if (same) set('route', undefined, { method: undefined });
    else set('route', r.labels.route, { method: r.labels.method, dep: undefined, service: services.length > 1 ? r.labels.service : service });
  };
  const chartDep = (r: TableRow) => {
    const same = selectedDep && rowKey(selectedDep) === rowKey(r.labels);
    if (same) set('dep', undefined);
    else set('dep', r.labels.dependency, { route: undefined, method: undefined, service: services.length > 1 ? r.labels.service : service });
  };

  // Incidents of the charted scope are shaded on every chart (and the range an Insights link gave).
  // A panel without insights answers 404: then there is nothing to shade.
  const insights = useJson<InsightsResponse>('api/insights?limit=100', 5000);
  const focusFrom = Number(params.get('from'));
  const focusTo = params.get('to') ? Number(params.get('to')) : undefined;
  const windowEnd = snap?.at ?? Date.now();
  const bands = useMemo(
    () =>
      chartBands(
        insights.data?.incidents ?? [],
        { service, route: dep ? undefined : routeName, method: dep ? undefined : method, dependency: dep },
        windowEnd - windowSeconds * 1000,
        windowEnd,
        params.get('from') ? { from: focusFrom, to: focusTo } : undefined,
      ),
    [insights.data, service, routeName, method, dep, windowEnd, windowSeconds, focusFrom, focusTo],
  );

  const scope = dep ? `→ ${dep}` : routeName ? `${method ? `${method} ` : ''}${routeName}` : 'all routes';
  const scoped = !!(dep || routeName);
  const nowP99 = lastValue(lat[3]);
  const nowRate = lastValue(traffic[1]);
  const nowErr = lastValue(errs[1]);
  const nowEld = lastValue(sat[1]);
  const nowCpu = lastValue(sat[3]);
  const nowRss = lastValue(mem[3]);
  const hasData = (series?.count.some((c) => c > 0) ?? false) || routeRows.length > 0;

  return (
    <section class="metrics-view" data-testid="view-metrics" aria-labelledby="metrics-h">
      <div class="listbar mbar">
        <h1 id="metrics-h">Golden signals</h1>
        {/* Service and route are the shared filter bar's (views/ContextBar.tsx); the chip is the charts' scope: a route picked below (with its method) or a dependency. */}
        <span class={`chip mscope ${scoped ? 'on' : ''}`} data-testid="metrics-scope" title={dep ? 'outgoing calls to this dependency' : undefined}>
          <span class="mono">{scope}</span>
          {scoped && (
            <button type="button" class="btn ghost" aria-label="Back to all routes" onClick={() => set('route', undefined, { method: undefined, dep: undefined })} data-testid="metrics-clear-route">
              ×
            </button>
          )}
        </span>
        <span class="spacer" />
        <div class="seg" role="group" aria-label="Time window">
          {WINDOWS.map((w) => (
            <button type="button" key={w.key} class={`seg-btn ${w.key === window ? 'on' : ''}`} aria-pressed={w.key === window} onClick={() => set('window', w.key === '5m' ? undefined : w.key)} data-testid={`window-${w.key}`}>
              {w.key}
            </button>
          ))}
        </div>
        <button type="button" class={`btn small ${live ? 'on' : ''}`} onClick={() => setLive(!live)} aria-pressed={live} data-testid="metrics-live" title={live ? 'Refreshing every second: click to pause' : 'Paused: click to refresh every second'}>
          <span class={`dot ${live ? 'pulse' : ''}`} aria-hidden="true" />
          {live ? 'Live' : 'Paused'}
        </button>
        <span class="muted mres" title="seconds per point">
          {res}s/pt
        </span>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="mscroll">
        {!snap && !error && <p class="muted pad">Loading…</p>}
        {snap && (
          <>
            {bands.length > 0 && (
              <p class="mbands" data-testid="metrics-bands">
                Shaded:{' '}
                {bands.map((b, k) => (
                  <span key={k} class={`mband mband-${b.kind}`}>
                    {b.id ? <a href={formatHash({ view: 'insights', id: b.id })}>{b.label}</a> : b.label} <span class="mono muted">{formatClock(b.from)}–{formatClock(b.to)}</span>
                  </span>
                ))}
                {range && (
                  <>
                    <a href={tracesLink({ service, route: dep ? undefined : routeName, since: range.from, until: range.to })} data-testid="range-traces">
                      traces in this range
                    </a>
                    <button type="button" class="btn ghost small" onClick={() => set('from', undefined, { to: undefined })} data-testid="range-clear">
                      clear range
                    </button>
                  </>
                )}
              </p>
            )}
            {!hasData && <p class="muted mhint">No requests in this window yet: the charts fill in as the app serves traffic.</p>}
            <div class="mgrid">
              <Chart
                title="Latency"
                testId="chart-latency"
                bands={bands}
                onSelectRange={selectRange}
                data={lat}
                yFormat={dur}
                series={[
                  { label: 'p50', color: 'var(--c0)', format: dur },
                  { label: 'p95', color: 'var(--c1)', format: dur },
                  { label: 'p99', color: 'var(--c3)', format: dur, width: 2 },
                ]}
                onPick={(i) => pick(i, { exemplar: true })}
                pickTitle="Click a point: its slowest trace"
              >
                <span class="mnow" title="the last closed second; the tables below cover the whole window"><span class="muted">last s · </span>p99 <b>{nowP99 !== undefined ? dur(nowP99) : '–'}</b></span>
              </Chart>
              <Chart
                title="Traffic"
                testId="chart-traffic"
                bands={bands}
                onSelectRange={selectRange}
                data={traffic}
                yFormat={rate}
                series={[
                  { label: 'requests', color: 'var(--c0)', format: rate, fill: true },
                  { label: 'errors', color: 'var(--err)', format: rate },
                ]}
                onPick={(i) => pick(i)}
                pickTitle="Click a point: the traces of that second"
              >
                <span class="mnow" title="the last closed second; the tables below cover the whole window"><span class="muted">last s · </span><b>{nowRate !== undefined ? rate(nowRate) : '–'}</b></span>
              </Chart>
              <Chart
                title="Errors"
                testId="chart-errors"
                bands={bands}
                onSelectRange={selectRange}
                data={errs}
                yFormat={pct}
                yMax={1}
                series={[{ label: 'error rate', color: 'var(--err)', format: pct, fill: true }]}
                onPick={(i) => pick(i, { status: 'error' })}
                pickTitle="Click a point: the failed traces of that second"
              >
                <span class="mnow" title="the last closed second; the tables below cover the whole window"><span class="muted">last s · </span><b class={nowErr ? 'err' : ''}>{nowErr !== undefined ? formatPercent(nowErr / 100) : '–'}</b></span>
              </Chart>
              <Chart
                title="Saturation: event loop and CPU"
                testId="chart-saturation"
                bands={bands}
                onSelectRange={selectRange}
                data={sat}
                yFormat={dur}
                y2Format={pct}
                y2Max={100}
                series={[
                  { label: 'loop delay p99', color: 'var(--c1)', format: dur, width: 2 },
                  { label: 'loop utilization', color: 'var(--c8)', format: pct, scale: 'y2' },
                  { label: 'CPU', color: 'var(--c2)', format: pct, scale: 'y2', fill: true },
                ]}
              >
                <span class="mnow" title="the last closed second; the tables below cover the whole window"><span class="muted">last s · </span>delay <b>{nowEld !== undefined ? dur(nowEld) : '–'}</b> · CPU <b>{nowCpu !== undefined ? pct(nowCpu) : '–'}</b></span>
              </Chart>
              <Chart
                title="Saturation: memory"
                testId="chart-memory"
                bands={bands}
                onSelectRange={selectRange}
                data={mem}
                yFormat={bytes}
                yIncrs={BYTE_INCRS}
                series={[
                  { label: 'heap used', color: 'var(--c0)', format: bytes, fill: true },
                  { label: 'heap total', color: 'var(--c4)', format: bytes, dash: [4, 3] },
                  { label: 'RSS', color: 'var(--c6)', format: bytes },
                ]}
              >
                <span class="mnow" title="the last closed second; the tables below cover the whole window"><span class="muted">last s · </span>RSS <b>{nowRss !== undefined ? bytes(nowRss) : '–'}</b></span>
              </Chart>
            </div>
            <section class="msection" aria-labelledby="routes-h">
              <header class="msection-head">
                <h2 id="routes-h">Routes</h2>
                <span class="muted" data-testid="routes-scope">
                  {routeRows.length} over {range ? `${formatClock(range.from)}–${formatClock(range.to)}` : `the last ${window}`}; click a row for its traces
                  {!range && ', drag across a chart to pick a range'}
                </span>
              </header>
              <SignalTable
                kind="server"
                rows={routeRows}
                sort={sort}
                onSort={(k) => set('sort', k === 'p99' ? undefined : k)}
                showService={services.length > 1}
                selectedKey={selectedKey ? rowKey(selectedKey) : undefined}
                onOpen={openRoute}
                onChart={chartRoute}
                testId="routes"
                emptyText="No routes served yet."
              />
            </section>
            <section class="msection" aria-labelledby="deps-h">
              <header class="msection-head">
                <h2 id="deps-h">Dependencies</h2>
                <span class="muted">outgoing calls: databases, peer services, hosts</span>
              </header>
              <SignalTable
                kind="client"
                rows={depRows}
                sort={dsort}
                onSort={(k) => set('dsort', k === 'p99' ? undefined : k)}
                showService={services.length > 1}
                selectedKey={selectedDep ? rowKey(selectedDep) : undefined}
                onChart={chartDep}
                testId="deps"
                emptyText="No outgoing calls recorded yet."
              />
            </section>
          </>
        )}
      </div>
    </section>
  );
}
