import { useMemo } from 'preact/hooks';
import { useJson } from '../hooks.js';
import type { DependenciesResponse, MapEdge, MapNode } from '@debugpanel/model';
import { dependenciesPath } from '../lib/analysis-api.js';
import { formatCount, formatDuration, serviceHue } from '../lib/format.js';
import { edgeDash, edgeTracesHash, edgeWidth, errorColor, layoutMap } from '../lib/map-layout.js';
import { nodeStatus, onlyCallerNotSeen, userEdgeNote } from '../lib/map-status.js';
import { formatHash, withParam } from '../lib/route.js';
import { linkWith, mapNodeFor, mapWindowFor, type Context } from '../lib/context.js';
import type { ViewProps } from '../view-props.js';

const WINDOWS: Array<[string, number | undefined]> = [['5 min', 5], ['15 min', 15], ['1 hour', 60], ['all counted (about an hour)', undefined]];
const REFRESH_MS = 10_000;

const pct = (errors: number, requests: number) => (requests > 0 ? `${((errors / requests) * 100).toFixed(1)} %` : '–');

/**
 * The service dependency map of a window (every span the panel received in it, counted to the
 * minute by the server's incremental map): dagre layout, node size by traffic, edge colour by
 * error rate, solid (hard) / dashed (soft) / dotted (no failures seen) edges. Selecting a node
 * shows what fails with it; selecting an edge shows its numbers and links to its traces.
 * `#/map?since=15&node=<id>` or `&edge=<id>`. The shared filter bar's window, when it has a start,
 * picks the window instead (the nearest one that covers it) and its service selects that node
 * unless the hash selects one.
 */
export function MapView({ route, navigate, ctx = {} }: ViewProps) {
  const barWindow = mapWindowFor(ctx, Date.now());
  const sinceParam = barWindow ? String(barWindow.minutes) : route.params.get('since');
  const since = sinceParam === 'all' ? undefined : Number(sinceParam) || 15;
  // Rounded to the refresh period: the window moves with each poll, and re-renders in between
  // do not change the path (which would refetch).
  const now = Math.floor(Date.now() / REFRESH_MS) * REFRESH_MS;
  const data = useJson<DependenciesResponse>(dependenciesPath(since, now), REFRESH_MS);
  const selEdge = route.params.get('edge') ?? undefined;
  const barNode = mapNodeFor(data.data?.nodes ?? [], ctx.service);
  const selNode = route.params.get('node') ?? (selEdge ? undefined : barNode);
  const set = (params: URLSearchParams) => navigate(formatHash({ view: 'map', params }), { replace: true });
  const select = (kind: 'node' | 'edge' | undefined, id?: string) => {
    let p = withParam(withParam(route.params, 'node', undefined), 'edge', undefined);
    if (kind) p = withParam(p, kind, id);
    set(p);
  };

  const map = data.data;
  const layout = useMemo(() => (map ? layoutMap(map.nodes, map.edges) : undefined), [map]);
  const byId = useMemo(() => new Map((map?.nodes ?? []).map((n) => [n.id, n])), [map]);
  // Failed calls into each node: a node with none of its own errors but failed calls into it
  // (a 4xx its callers count as failed) gets a warning outline, as its status text says.
  const failedIn = useMemo(() => {
    const m = new Map<string, number>();
    for (const e of map?.edges ?? []) if (e.errors > 0 && e.source !== e.target) m.set(e.target, (m.get(e.target) ?? 0) + e.errors);
    return m;
  }, [map]);
  const maxEdgeReq = useMemo(() => Math.max(0, ...(map?.edges ?? []).map((e) => e.requests)), [map]);
  const reach = selNode ? map?.failsWith[selNode] : undefined;
  const failing = new Set(reach?.fails ?? []);
  const maybe = new Set(reach?.mayFail ?? []);
  const edge = selEdge ? map?.edges.find((e) => e.id === selEdge) : undefined;
  const node = selNode ? byId.get(selNode) : undefined;

  return (
    <section class="view" data-testid="view-map" style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0, padding: '8px 12px' }}>
      <div style={{ display: 'flex', gap: '10px', alignItems: 'center', flexWrap: 'wrap' }}>
        <h1 style={{ margin: '4px 0' }}>Service map</h1>
        <label>
          Traces from{' '}
          <select
            value={since === undefined ? 'all' : String(since)}
            disabled={!!barWindow}
            title={barWindow ? 'Set by the filter bar’s time window (clear it there to pick here)' : undefined}
            onChange={(e) => set(withParam(route.params, 'since', (e.currentTarget as HTMLSelectElement).value))}
            data-testid="map-since"
          >
            {WINDOWS.map(([label, m]) => <option key={label} value={m === undefined ? 'all' : String(m)}>{m === undefined ? label : `the last ${label}`}</option>)}
          </select>
        </label>
        {map && ctx.service && !barNode && (
          <span class="chip" data-testid="map-no-service">
            {ctx.service} (the filter bar’s service) is not on the map in this window
          </span>
        )}
        {map && (
          <span class="muted" data-testid="map-summary">
            {formatCount(map.traces)} traces{map.spans !== undefined ? `, ${formatCount(map.spans)} spans` : ''}{map.truncated ? ' (older ones left out)' : ''} · {map.nodes.length} nodes · {map.edges.length} edges
          </span>
        )}
        <span class="muted">Edges: solid = hard dependency, dashed = soft (caller recovered), dotted = no failures seen; colour = error rate. Nodes: red outline = its own errors, orange = only its callers saw failures (a 4xx).</span>
        {map && map.edges.some((e) => (e.callerNotSeen ?? 0) > 0) && (
          <span class="muted" data-testid="map-user-note">
            A faint edge from user: requests whose caller&apos;s spans had not arrived yet (or never will); select an edge from user for the count.
          </span>
        )}
      </div>
      {data.error && <div class="error">{data.error}</div>}
      {map && map.nodes.length === 0 && <p class="empty">No calls between services in this window yet.</p>}
      <div style={{ display: 'flex', gap: '12px', flex: 1, minHeight: 0 }}>
        {layout && layout.nodes.length > 0 && (
          <div style={{ flex: 1, overflow: 'auto', minWidth: 0 }}>
            <svg
              data-testid="map-svg"
              role="img"
              aria-label="Service dependency map"
              viewBox={`0 0 ${layout.width} ${layout.height}`}
              width={layout.width}
              height={layout.height}
              style={{ maxWidth: '100%', height: 'auto', display: 'block' }}
              onClick={() => select(undefined)}
            >
              <defs>
                <marker id="map-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto">
                  <path d="M 0 0 L 10 5 L 0 10 z" style={{ fill: 'var(--muted)' }} />
                </marker>
              </defs>
              {layout.edges.map(({ edge: e, d, mid }) => (
                <g key={e.id} data-testid="map-edge" data-edge={e.id} style={{ cursor: 'pointer' }} onClick={(ev) => { ev.stopPropagation(); select('edge', e.id); }}>
                  <title>{`${byId.get(e.source)?.name} → ${byId.get(e.target)?.name}: ${formatCount(e.requests)} calls, ${pct(e.errors, e.requests)} errors, p95 ${formatDuration(e.latency.p95)}${e.callerNotSeen ? `\n${userEdgeNote(e, (id) => byId.get(id)?.name ?? id)}` : ''}`}</title>
                  <path d={d} fill="none" stroke="transparent" stroke-width={14} />
                  <path
                    d={d}
                    fill="none"
                    stroke={onlyCallerNotSeen(e) ? 'var(--muted)' : errorColor(e.errors, e.requests)}
                    stroke-width={edgeWidth(e.requests, maxEdgeReq) + (e.id === selEdge ? 2 : 0)}
                    stroke-dasharray={edgeDash(e.impact)}
                    marker-end="url(#map-arrow)"
                    opacity={(selNode && !(e.target === selNode || failing.has(e.source) || maybe.has(e.source))) || onlyCallerNotSeen(e) ? 0.35 : 1}
                  />
                  <text x={mid.x} y={mid.y - 9} text-anchor="middle" style={{ fontSize: '10px', fill: 'var(--muted)' }}>
                    {formatCount(e.requests)}{e.errors > 0 ? ` · ${pct(e.errors, e.requests)}` : ''}
                  </text>
                </g>
              ))}
              {layout.nodes.map(({ node: n, x, y, r }) => (
                <g key={n.id} data-testid="map-node" data-node={n.id} style={{ cursor: 'pointer' }} onClick={(ev) => { ev.stopPropagation(); select('node', n.id); }}>
                  <title>{`${n.name}: ${formatCount(n.requests)} requests, ${pct(n.errors, n.requests)} errors, p95 ${formatDuration(n.latency.p95)}${(failedIn.get(n.id) ?? 0) > n.errors ? `; ${formatCount(failedIn.get(n.id)!)} failed calls into it` : ''}`}</title>
                  <NodeShape n={n} x={x} y={y} r={r} failedIn={failedIn.get(n.id) ?? 0} ring={n.id === selNode ? 'var(--fg)' : failing.has(n.id) ? 'var(--err)' : maybe.has(n.id) ? 'var(--warn)' : undefined} />
                  <text x={x} y={y + r + 14} text-anchor="middle" style={{ fontSize: '12px', fill: 'var(--fg)', fontWeight: 600 }}>{n.name}</text>
                  {n.errors > 0 && (
                    <text x={x} y={y + 4} text-anchor="middle" style={{ fontSize: '10px', fill: '#fff', fontWeight: 700 }}>{pct(n.errors, n.requests)}</text>
                  )}
                </g>
              ))}
            </svg>
          </div>
        )}
        {(node || edge) && map && (
          <aside data-testid="map-detail" style={{ width: '300px', flex: 'none', overflow: 'auto', borderLeft: '1px solid var(--border)', paddingLeft: '12px' }}>
            {node && <NodeDetail n={node} edges={map.edges} reach={reach} byId={byId} ctx={ctx} onSelect={(id) => select('node', id)} />}
            {edge && <EdgeDetail e={edge} byId={byId} />}
          </aside>
        )}
      </div>
    </section>
  );
}

function NodeShape({ n, x, y, r, ring, failedIn }: { n: MapNode; x: number; y: number; r: number; ring: string | undefined; failedIn: number }) {
  const fill = n.kind === 'service' ? `var(--c${serviceHue(n.name)})` : n.kind === 'user' ? 'var(--muted)' : 'var(--bg3)';
  const stroke = ring ?? (n.errors > 0 ? 'var(--err)' : failedIn > 0 ? 'var(--warn)' : 'var(--border)');
  const sw = ring ? 4 : n.errors > 0 || failedIn > 0 ? 3 : 1.5;
  if (n.kind === 'database') {
    // A pale box alone read as an empty placeholder: a darker outline and the system name inside
    // make it read as a database.
    return (
      <>
        <rect x={x - r} y={y - r * 0.8} width={2 * r} height={1.6 * r} rx={r * 0.5} style={{ fill, stroke: ring ?? (n.errors > 0 ? 'var(--err)' : failedIn > 0 ? 'var(--warn)' : 'var(--muted)'), strokeWidth: sw }} />
        {n.errors === 0 && <text x={x} y={y + 4} text-anchor="middle" style={{ fontSize: '10px', fill: 'var(--muted)', fontWeight: 600 }}>{n.system ?? 'db'}</text>}
      </>
    );
  }
  return (
    <circle cx={x} cy={y} r={r} style={{ fill, stroke, strokeWidth: sw, strokeDasharray: n.kind === 'external' || (n.kind === 'service' && !n.instrumented) ? '4 3' : undefined }} />
  );
}

function Stats({ requests, errors, latency }: { requests: number; errors: number; latency: MapNode['latency'] }) {
  return (
    <dl style={{ display: 'grid', gridTemplateColumns: 'auto 1fr', gap: '2px 10px', margin: '6px 0' }}>
      <dt class="muted">requests</dt><dd style={{ margin: 0 }}>{formatCount(requests)}</dd>
      <dt class="muted">errors</dt><dd style={{ margin: 0 }} class={errors > 0 ? 'err' : undefined}>{formatCount(errors)} ({pct(errors, requests)})</dd>
      <dt class="muted">p50 / p95 / p99</dt>
      <dd style={{ margin: 0 }}>{formatDuration(latency.p50)} / {formatDuration(latency.p95)} / {formatDuration(latency.p99)}</dd>
    </dl>
  );
}

function NodeDetail(p: { n: MapNode; edges: ReadonlyArray<MapEdge>; reach: { fails: string[]; mayFail: string[] } | undefined; byId: ReadonlyMap<string, MapNode>; ctx: Context; onSelect: (id: string) => void }) {
  const name = (id: string) => p.byId.get(id)?.name ?? id;
  const status = nodeStatus(p.n, p.edges, p.reach, name);
  const list = (ids: string[]) => (
    <ul style={{ margin: '4px 0', paddingLeft: '18px' }}>
      {ids.map((id) => <li key={id}><a href="#" onClick={(e) => { e.preventDefault(); p.onSelect(id); }}>{name(id)}</a></li>)}
    </ul>
  );
  return (
    <div>
      <h3>{p.n.kind}{p.n.system ? ` · ${p.n.system}` : ''}{p.n.kind === 'service' && !p.n.instrumented ? ' · not instrumented' : ''}</h3>
      <h2 style={{ margin: '2px 0', wordBreak: 'break-all' }}>{p.n.name}</h2>
      <Stats requests={p.n.requests} errors={p.n.errors} latency={p.n.latency} />
      {status.failedIn > p.n.errors && (
        <p class="muted" data-testid="map-failed-in">
          {status.failedIn === 1 ? '1 call' : `${formatCount(status.failedIn)} calls`} to it failed as its callers saw {status.failedIn === 1 ? 'it' : 'them'} ({pct(status.failedIn, status.callsIn)}): a caller counts a 4xx
          answer (or a lost connection) as failed, a server only a 5xx.
        </p>
      )}
      {/* The node's service replaces the bar's; the bar's window (and route, status) ride along. */}
      {p.n.kind === 'service' && <a href={linkWith({ view: 'traces', params: { service: p.n.name } }, p.ctx)} data-testid="map-node-traces">Traces of {p.n.name}</a>}
      <h3>If {p.n.name} fails</h3>
      <div data-testid="map-fails-with">
        <p class={status.tone === 'ok' ? 'muted' : status.tone === 'err' ? 'err' : undefined} data-tone={status.tone}>{status.text}</p>
        {p.reach && p.reach.fails.length > 0 && list(p.reach.fails)}
        {p.reach && p.reach.mayFail.length > 0 && <>These may fail too (their calls never failed while observed):{list(p.reach.mayFail)}</>}
      </div>
    </div>
  );
}

function EdgeDetail({ e, byId }: { e: MapEdge; byId: ReadonlyMap<string, MapNode> }) {
  const impact = e.impact === 'hard' ? 'hard: failed calls took the caller down' : e.impact === 'soft' ? 'soft: the caller recovered from failed calls' : 'unknown: no failed calls seen';
  return (
    <div>
      <h3>call</h3>
      <h2 style={{ margin: '2px 0', wordBreak: 'break-all' }}>{byId.get(e.source)?.name ?? e.source} → {byId.get(e.target)?.name ?? e.target}</h2>
      <Stats requests={e.requests} errors={e.errors} latency={e.latency} />
      <p>Impact: {impact}{e.failures.hard + e.failures.soft > 0 ? ` (${e.failures.hard} hard, ${e.failures.soft} soft)` : ''}</p>
      {e.callerNotSeen ? <p class="muted" data-testid="map-caller-not-seen">{userEdgeNote(e, (id) => byId.get(id)?.name ?? id)}</p> : null}
      <a href={edgeTracesHash(e, byId)} data-testid="map-edge-traces">Traces with these calls</a>
      {e.traceIds.length > 0 && (
        <>
          <h3>Recent traces</h3>
          <ul style={{ margin: 0, paddingLeft: '18px' }}>
            {e.traceIds.map((id) => <li key={id}><a href={formatHash({ view: 'trace', id })}><code>{id.slice(0, 16)}…</code></a></li>)}
          </ul>
        </>
      )}
    </div>
  );
}
