import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { isErrorSpan, type SpanRecord, type TraceResponse } from '@debugpanel/model';
import { getJson, isAbort, tracePath } from '../api.js';
import { useJson, useKeys } from '../hooks.js';
import type { CriticalPathResponse } from '@debugpanel/model';
import { criticalPathPath } from '../lib/analysis-api.js';
import { criticalMarks } from '../lib/critical-path.js';
import { compareLink, formatHash, withParam } from '../lib/route.js';
import { buildSpanTree, type SpanTree } from '../lib/tree.js';
import { allParents, generateRows, revealSpan, rowIndexOf } from '../lib/rows.js';
import { searchSpans, stepMatch } from '../lib/search.js';
import { formatClock, formatCount, formatDuration, serviceHue } from '../lib/format.js';
import type { ViewProps } from '../view-props.js';
import { Waterfall } from './Waterfall.js';
import { KIND_LABEL, findingMarks, formatShare } from '../lib/findings.js';
import { listHash } from '../nav-memory.js';
import { backToList, linkWith, readContext } from '../lib/context.js';
import { SpanDetail } from './SpanDetail.js';
import { lazyView } from './lazy-view.js';
import { setPinned } from '../lib/pin.js';
import { completenessText, learnHosts, nodeLabel, traceCompleteness, type Completeness } from '../lib/completeness.js';
import { adjustClockSkew } from '../lib/clock-skew.js';
import { useTraceGrowth } from './use-trace-growth.js';
import type { LogsResponse } from '@debugpanel/model';
import { TRACE_LOG_LIMIT, groupLogsBySpan, traceLogsPath } from '../lib/trace-logs.js';

// Host:port -> service, learned from every trace opened in this page (bounded): tells a call to
// another service, whose spans are still to come, from a call to an outside host.
const KNOWN_HOSTS = new Map<string, string>();

// The Flame tab's canvas code loads when the tab is first opened (the waterfall is what opens first).
const TraceFlame = lazyView(() => import('./TraceFlame.js').then((m) => m.TraceFlame), 'trace-flame', 'flame');

interface Loaded {
  trace: TraceResponse;
  /** Built from the skew-adjusted spans */
  tree: SpanTree;
  completeness: Completeness;
  /** The spans as shown: `trace.spans` with the clock-skew adjustment applied */
  spans: SpanRecord[];
  /** Span id -> ms the clock-skew adjustment moved it by */
  skew: ReadonlyMap<string, number>;
  /** Spans added by the last refresh (0 on the first load) */
  grew: number;
}

export function TraceView({ route, navigate }: ViewProps) {
  const traceId = route.id!;
  const selectedId = route.params.get('span') ?? undefined;
  const tab = route.params.get('tab') === 'flame' ? 'flame' : 'waterfall';
  // On by default; `cp=0` in the link turns the critical path marks off in both tabs.
  const showPath = route.params.get('cp') !== '0';
  const [loaded, setLoaded] = useState<Loaded>();
  const [error, setError] = useState<string>();
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [openFolds, setOpenFolds] = useState<ReadonlySet<string>>(new Set());
  const [search, setSearch] = useState(route.params.get('q') ?? '');
  const [matchIdx, setMatchIdx] = useState(-1);
  const [cursor, setCursor] = useState(-1);
  const [copied, setCopied] = useState(false);
  // Pinning (sampling): the server's answer is the truth; a refusal (409: too many pinned) is shown.
  const [pinned, setPinnedState] = useState(false);
  const [pinBusy, setPinBusy] = useState(false);
  const [pinError, setPinError] = useState<string>();

  const setParams = (params: URLSearchParams, replace = true) => navigate(formatHash({ view: 'trace', id: traceId, params }), { replace });

  // The first fetch opens the trace; later ones (the trace grew: see useTraceGrowth) swap in the
  // new spans and keep what the reader set up: folds, selection, search.
  const fetching = useRef<{ ctl: AbortController; again: boolean }>();
  const fetchTrace = (first: boolean) => {
    if (!first && fetching.current) {
      fetching.current.again = true;
      return;
    }
    const ctl = new AbortController();
    fetching.current = { ctl, again: false };
    if (first) performance.mark('trace-fetch-start');
    getJson<TraceResponse>(tracePath(traceId), ctl.signal).then(
      (trace) => {
        const again = fetching.current?.again === true;
        fetching.current = undefined;
        if (first) performance.mark('trace-loaded');
        learnHosts(trace.spans, KNOWN_HOSTS);
        const shown = adjustClockSkew(trace.spans);
        const tree = buildSpanTree(shown.spans);
        const completeness = traceCompleteness(trace.spans, KNOWN_HOSTS);
        if (first) {
          // Open on the selected span of a shared link: expand its path and fold.
          const open = selectedIdRef.current ? revealSpan(tree, selectedIdRef.current, new Set(), new Set()) : { collapsed: new Set<string>(), openFolds: new Set<string>() };
          setCollapsed(open.collapsed);
          setOpenFolds(open.openFolds);
          setPinError(undefined);
        }
        setLoaded((prev) => {
          if (prev && prev.trace.spans.length === trace.spans.length) return prev; // nothing new
          return { trace, spans: shown.spans, tree, completeness, skew: shown.adjusted, grew: prev ? trace.spans.length - prev.trace.spans.length : 0 };
        });
        setError(undefined);
        setPinnedState(trace.summary?.pinned === true);
        if (again) fetchTrace(false);
      },
      (err: unknown) => {
        fetching.current = undefined;
        if (!isAbort(err) && first) setError((err as Error).message);
      },
    );
  };
  const selectedIdRef = useRef(selectedId);
  selectedIdRef.current = selectedId;
  useEffect(() => {
    setLoaded(undefined);
    setError(undefined);
    fetchTrace(true);
    return () => {
      fetching.current?.ctl.abort();
      fetching.current = undefined;
    };
  }, [traceId]);

  // The trace's log records (the log store's trace index), fetched again when the stream says it logged more.
  const logs = useJson<LogsResponse>(traceLogsPath(traceId));
  const spanLogs = useMemo(() => groupLogsBySpan(logs.data?.logs ?? []), [logs.data]);
  const logCount = logs.data?.logs.length ?? 0;
  // The shared context (service, window) rides along to the trace's logs, metrics and back to the list.
  const ctx = readContext('trace', route.params);
  const logsHash = linkWith({ view: 'logs', params: { traceId } }, ctx);
  const backHash = backToList(listHash(), ctx);

  useTraceGrowth(traceId, loaded?.trace.spans.length ?? 0, loaded ? !loaded.completeness.complete : false, () => fetchTrace(false), logs.reload);

  // Fetched once per trace (and again when it grows), shared by the waterfall and the flame tab.
  const critical = useJson<CriticalPathResponse>(criticalPathPath(traceId));
  const spanTotal = loaded?.trace.spans.length ?? 0;
  const seenTotal = useRef(0);
  useEffect(() => {
    if (seenTotal.current !== 0 && spanTotal > seenTotal.current) critical.reload();
    seenTotal.current = spanTotal;
  }, [spanTotal]);
  const marks = useMemo(() => (critical.data ? criticalMarks(critical.data, loaded?.skew) : undefined), [critical.data, loaded?.skew]);
  // The query detectors' findings of this trace (N+1 groups, slow queries), marked on the waterfall.
  const traceFindings = loaded?.trace.findings;
  const findingMarksById = useMemo(() => findingMarks(traceFindings), [traceFindings]);

  const tree = loaded?.tree;
  const rows = useMemo(() => (tree ? generateRows(tree, collapsed, openFolds) : []), [tree, collapsed, openFolds]);
  const matches = useMemo(() => (tree ? searchSpans(tree.order, search) : []), [tree, search]);
  const matchSet = useMemo(() => new Set(matches), [matches]);
  const currentMatch = matchIdx >= 0 ? matches[matchIdx] : undefined;

  // A selected span (from a link, the search or the flame graph) must be visible in the waterfall.
  useEffect(() => {
    if (!tree || !selectedId) return;
    const r = revealSpan(tree, selectedId, collapsed, openFolds);
    if (r.collapsed !== collapsed) setCollapsed(r.collapsed);
    if (r.openFolds !== openFolds) setOpenFolds(r.openFolds);
  }, [tree, selectedId]);
  useEffect(() => {
    if (selectedId) setCursor(rowIndexOf(rows, selectedId));
  }, [rows, selectedId]);

  const select = (spanId: string | undefined) => setParams(withParam(route.params, 'span', spanId));
  const goMatch = (step: 1 | -1) => {
    const i = stepMatch(matchIdx, matches.length, step);
    setMatchIdx(i);
    if (i >= 0) select(matches[i]);
  };
  const toggle = (spanId: string) => {
    const next = new Set(collapsed);
    if (!next.delete(spanId)) next.add(spanId);
    setCollapsed(next);
  };
  const openFold = (key: string) => setOpenFolds(new Set(openFolds).add(key));

  useKeys((e) => {
    if (e.key === 'Escape') {
      if (selectedId) select(undefined);
      else navigate(backHash);
    } else if (e.key === 'j' || e.key === 'k' || e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const next = Math.max(0, Math.min(rows.length - 1, cursor + (e.key === 'j' || e.key === 'ArrowDown' ? 1 : -1)));
      setCursor(next);
      const row = rows[next];
      if (row?.kind === 'span') select(row.node.span.spanId);
    } else if (e.key === 'Enter' || e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      const row = rows[cursor];
      if (!row) return;
      if (row.kind === 'fold') openFold(row.key);
      else if (row.node.children.length > 0) {
        const isCollapsed = collapsed.has(row.node.span.spanId);
        if (e.key === 'Enter' || (e.key === 'ArrowRight') === isCollapsed) toggle(row.node.span.spanId);
      }
    } else if (e.key === 'n') goMatch(e.shiftKey ? -1 : 1);
    else return;
    e.preventDefault();
  });

  if (error) {
    return (
      <section class="trace-view" data-testid="view-trace">
        <p class="error" role="alert">
          Trace {traceId}: {error}
        </p>
        <a href={backHash}>Back to traces</a> · <a href={logsHash}>its logs</a>
      </section>
    );
  }
  if (!loaded || !tree) return <p class="muted pad" aria-busy="true">Loading trace {traceId}…</p>;

  const { trace, spans, completeness, skew } = loaded;
  const incomplete = completenessText(completeness);
  const root = tree.roots[0]?.span;
  const errors = spans.reduce((n, s) => n + (isErrorSpan(s) ? 1 : 0), 0);
  const services = [...new Set([...(trace.summary?.services ?? []), ...spans.map((s) => s.service)])];
  const selected = selectedId ? tree.byId.get(selectedId)?.span : undefined;
  const copyId = () => {
    const done = () => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1200);
    };
    // The clipboard API needs a secure context (localhost is one; a LAN address is not): there,
    // select the id so Ctrl+C copies it.
    const selectId = () => {
      const el = document.querySelector('.trace-id');
      if (el) getSelection()?.selectAllChildren(el);
    };
    if (navigator.clipboard) navigator.clipboard.writeText(traceId).then(done, selectId);
    else selectId();
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([JSON.stringify(trace, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `trace-${traceId}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <section class="trace-view" data-testid="view-trace" aria-labelledby="trace-h">
      <header class="trace-head">
        <a class="back" href={backHash} aria-label="Back to traces">
          ←
        </a>
        <h1 id="trace-h">
          {root && <span class={`svc c${serviceHue(root.service)}`}>{root.service}</span>} {root?.name ?? traceId}
        </h1>
        <dl class="facts">
          <div>
            <dt>Start</dt>
            <dd class="mono">{formatClock(tree.start)}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd class="mono">{formatDuration(tree.end - tree.start)}</dd>
          </div>
          <div>
            <dt>Spans</dt>
            <dd class="mono" data-testid="span-count">
              {formatCount(spans.length)}
            </dd>
          </div>
          <div>
            <dt>Errors</dt>
            <dd class={`mono ${errors ? 'err' : ''}`}>{errors}</dd>
          </div>
          <div>
            <dt>Services</dt>
            <dd>
              {services.map((s) => (
                <span key={s} class={`svc c${serviceHue(s)}`}>
                  {s}
                </span>
              ))}
            </dd>
          </div>
          {logCount > 0 && (
            <div>
              <dt>Logs</dt>
              <dd>
                <a href={logsHash} data-testid="trace-logs">
                  {logCount}
                  {logCount >= TRACE_LOG_LIMIT && '+'}
                </a>
              </dd>
            </div>
          )}
          {(pinned || trace.summary?.reason) && (
            <div>
              <dt>Kept</dt>
              <dd data-testid="trace-kept">
                {/* A pinned trace is kept because it is pinned, whatever sampling said first. */}
                <span class={`reason r-${pinned ? 'pinned' : trace.summary!.reason}`}>{pinned ? 'pinned' : trace.summary!.reason}</span>
              </dd>
            </div>
          )}
          {root?.attributes['http.route'] !== undefined && (
            <div>
              <dt>Route</dt>
              <dd>
                <a
                  href={linkWith({ view: 'metrics', params: { service: root.service, route: String(root.attributes['http.route']), method: root.attributes['http.request.method'] === undefined ? undefined : String(root.attributes['http.request.method']) } }, ctx)}
                  title={`${String(root.attributes['http.route'])}: this route's golden signals in the Metrics view`}
                  data-testid="route-metrics"
                >
                  metrics
                </a>
                {' · '}
                <a
                  href={compareLink(new URLSearchParams({ service: root.service, route: String(root.attributes['http.route']) }).toString(), [traceId])}
                  title="Compare this trace (B) with the route's other stored traces (A): diff flame graph, critical-path changes, attribute lift"
                  data-testid="route-compare"
                >
                  compare
                </a>
              </dd>
            </div>
          )}
        </dl>
        <span class="spacer" />
        <code class="trace-id" title="Trace id">
          {traceId}
        </code>
        <button type="button" class="btn small" onClick={copyId} data-testid="copy-id">
          {copied ? 'Copied' : 'Copy id'}
        </button>
        <button type="button" class="btn small" onClick={download} data-testid="download-json">
          Download JSON
        </button>
        <button
          type="button"
          class={`btn small ${pinned ? 'on' : ''}`}
          aria-pressed={pinned}
          disabled={pinBusy}
          title={pinned ? 'Pinned: the store will not evict this trace. Click to unpin.' : 'Pin: keep this trace out of eviction'}
          onClick={() => {
            setPinBusy(true);
            setPinError(undefined);
            setPinned(traceId, !pinned).then(
              (p) => setPinnedState(p),
              (err: unknown) => setPinError((err as Error).message),
            ).finally(() => setPinBusy(false));
          }}
          data-testid="pin-toggle"
        >
          {pinned ? 'Unpin' : 'Pin'}
        </button>
        {pinError && (
          <span class="err pin-error" role="alert" data-testid="pin-error">
            {pinError}
          </span>
        )}
      </header>
      {traceFindings && traceFindings.length > 0 && (
        <div class="trace-notes" data-testid="trace-findings">
          <p class="note warn" role="status">
            <b>Query findings:</b>
          </p>
          <ul class="trace-findings">
            {traceFindings.map((f, i) => (
              <li key={i} data-testid="trace-finding">
                <b>{KIND_LABEL[f.kind]}</b>: {f.summary} · {formatDuration(f.totalMs)}, {formatShare(f.share)} of the request
                {f.savingMs > 0 ? `, could save ${formatDuration(f.savingMs)}` : ''}
              </li>
            ))}
          </ul>
        </div>
      )}
      {(incomplete || skew.size > 0 || loaded.grew > 0) && (
        <div class="trace-notes">
          {incomplete && (
            <p class="note warn" role="status" data-testid="trace-incomplete">
              <b>Incomplete trace:</b> {incomplete}. The view updates as their spans arrive.
            </p>
          )}
          {loaded.grew > 0 && (
            <p class="note" role="status" data-testid="trace-grew">
              {formatCount(loaded.grew)} new span{loaded.grew === 1 ? '' : 's'} arrived{incomplete ? '' : '; the trace is complete'}.
            </p>
          )}
          {skew.size > 0 && (
            <p class="note" data-testid="trace-skew" title="Spans recorded by another process were moved into the window of the client span that called them, as Jaeger's clock-skew adjuster does; each adjusted span's detail shows its raw times.">
              Clock skew: {formatCount(skew.size)} span{skew.size === 1 ? '' : 's'} of other services moved into their callers' windows (marked skew).
            </p>
          )}
        </div>
      )}
      <div class="trace-toolbar">
        <div class="tabs" role="tablist" aria-label="Trace views">
          <button type="button" role="tab" aria-selected={tab === 'waterfall'} class="tab" onClick={() => setParams(withParam(route.params, 'tab', undefined))} data-testid="tab-waterfall">
            Waterfall
          </button>
          <button type="button" role="tab" aria-selected={tab === 'flame'} class="tab" onClick={() => setParams(withParam(route.params, 'tab', 'flame'))} data-testid="tab-flame">
            Flame
          </button>
        </div>
        <form
          class="trace-search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            goMatch(1);
          }}
        >
          <input
            type="search"
            aria-label="Search spans by name or attribute"
            placeholder="Search spans: name, key=value   ( / )"
            value={search}
            data-search
            data-testid="trace-search"
            onInput={(e) => {
              const q = e.currentTarget.value;
              setSearch(q);
              setMatchIdx(-1);
              setParams(withParam(route.params, 'q', q)); // the search is part of the link too
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && e.shiftKey) {
                e.preventDefault();
                goMatch(-1);
              }
            }}
          />
          <span class="muted match-count" data-testid="match-count" aria-live="polite">
            {search ? `${matchIdx >= 0 ? matchIdx + 1 : 0} / ${matches.length}` : ''}
          </span>
          <button type="button" class="btn small" onClick={() => goMatch(-1)} disabled={!matches.length} aria-label="Previous match" data-testid="match-prev">
            ↑
          </button>
          <button type="submit" class="btn small" disabled={!matches.length} aria-label="Next match" data-testid="match-next">
            ↓
          </button>
        </form>
        <span class="spacer" />
        <label
          class="cp-toggle"
          title={critical.error ? `Critical path unavailable: ${critical.error}` : marks ? `The spans the trace waited on: ${formatDuration(marks.total)} in ${marks.bySpan.size} spans` : 'Loading the critical path…'}
        >
          <input
            type="checkbox"
            checked={showPath}
            disabled={!marks}
            onChange={(e) => setParams(withParam(route.params, 'cp', e.currentTarget.checked ? undefined : '0'))}
            data-testid="critical-path-toggle"
          />{' '}
          Critical path
        </label>
        <button type="button" class="btn small ghost" onClick={() => setCollapsed(new Set())} data-testid="expand-all">
          Expand all
        </button>
        <button type="button" class="btn small ghost" onClick={() => setCollapsed(allParents(tree))} data-testid="collapse-all">
          Collapse all
        </button>
        <span class="muted" data-testid="row-total">
          {formatCount(rows.length)} rows
        </span>
      </div>
      <div class={`trace-body ${selected ? 'with-detail' : ''}`}>
        <div class="trace-main">
          {tab === 'waterfall' ? (
            <Waterfall
              tree={tree}
              rows={rows}
              selectedId={selectedId}
              cursor={cursor}
              collapsed={collapsed}
              matches={matchSet}
              currentMatch={currentMatch}
              path={showPath ? marks : undefined}
              skew={skew}
              findings={findingMarksById}
              logs={spanLogs}
              knownHosts={KNOWN_HOSTS}
              onSelect={(id, i) => {
                setCursor(i);
                select(id);
              }}
              onToggle={toggle}
              onOpenFold={(key, i) => {
                setCursor(i);
                openFold(key);
              }}
            />
          ) : (
            <TraceFlame traceId={traceId} spans={spans} selectedSpanId={selectedId} onSelectSpan={select} search={search} criticalPath={critical} showPath={showPath} />
          )}
        </div>
        {selected && (
          <SpanDetail
            span={selected}
            traceStart={tree.start}
            label={nodeLabel(tree.byId.get(selected.spanId)!, KNOWN_HOSTS)}
            parentName={((n) => n && nodeLabel(n, KNOWN_HOSTS))(tree.byId.get(selected.parentSpanId ?? ''))}
            criticalMs={marks ? (marks.bySpan.get(selected.spanId)?.ms ?? 0) : undefined}
            skewMs={skew.get(selected.spanId)}
            logs={spanLogs.bySpan.get(selected.spanId)}
            onClose={() => select(undefined)}
          />
        )}
      </div>
    </section>
  );
}
