import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Breakpoint, BreakpointsResponse, LogEntry, LogpointsResponse, SnapshotsResponse, SourceEntry, SourceFileResponse, SourcesResponse } from '@debugpanel/model';
import { apiPath, getJson, isAbort, send } from '../../api.js';
import { useJson } from '../../hooks.js';
import { formatClock } from '../../lib/format.js';
import { formatHash } from '../../lib/route.js';
import {
  breakpointInput,
  breakpointsByLine,
  expiresIn,
  EMPTY_FORM,
  filterFiles,
  formatBreakpointsHash,
  parseBreakpointsHash,
  relativeTo,
  sourceFilePath,
  splitLines,
  stateLabel,
  targetService,
  type BreakpointForm,
  type BreakpointsLocation,
} from '../../lib/breakpoints-api.js';
import type { ViewProps } from '../../view-props.js';
import { SnapshotDetail } from './SnapshotDetail.js';
import { SourceCode } from './SourceCode.js';
import './breakpoints.css';

/** Breakpoint states change when the app runs the line: poll while the view is open. */
const POLL_MS = 1500;
/** Logpoint lines kept in the page (the server keeps its own bounded list). */
const MAX_LOGS = 500;
/** File rows rendered; a narrower filter shows the rest. */
const MAX_FILES = 400;

/**
 * Live breakpoints: sources on the left, the chosen file in the middle (click a line number to set
 * a snapshot breakpoint), breakpoints, snapshots and logpoint output on the right. The address holds
 * the file, line, filter and open snapshot (`#/breakpoints?file=src/a.ts&line=12`,
 * `#/breakpoints/snapshot/<id>`).
 */
export function BreakpointsPanel({ route, navigate }: ViewProps) {
  // route.id only carries the first segment; the snapshot id is the second, so read the hash.
  const loc = useMemo(() => parseBreakpointsHash(location.hash), [route]);
  const go = (next: BreakpointsLocation, replace = false) => navigate(formatBreakpointsHash(next), { replace });

  const sources = useJson<SourcesResponse>('api/sources');
  const root = sources.data?.root ?? '';
  // A hub asks its services for their lists: ask again until none is still on its way.
  const waiting = sources.data?.waiting.length ?? 0;
  useEffect(() => {
    if (!waiting) return;
    const t = setTimeout(() => sources.reload(), 1500);
    return () => clearTimeout(t);
  }, [sources.data]);
  const own = sources.data?.services[0] ?? '';
  const multi = (sources.data?.services.length ?? 0) > 1;
  const entries = useMemo(() => new Map((sources.data?.entries ?? []).map((e) => [e.path, e])), [sources.data]);
  const entry = loc.file ? entries.get(loc.file) : undefined;
  const [picked, setPicked] = useState<string>();
  const service = targetService(entry, own, picked);
  const bps = usePolled<BreakpointsResponse>('api/breakpoints', POLL_MS);
  // A stack frame linked from a span carries its absolute path: shown once it is made relative to the root (below).
  const absolute = !!loc.file && /^(\/|[A-Za-z]:[\\/])/.test(loc.file);
  const file = useJson<SourceFileResponse>(loc.file && !absolute ? sourceFilePath(loc.file, service !== own ? service : undefined) : undefined);
  const lines = useMemo(() => (file.data ? splitLines(file.data.text) : []), [file.data]);
  const list = bps.data?.breakpoints ?? [];
  // The marks of the service the form sets breakpoints in (a file two services run has two sets).
  const marks = useMemo(
    () => (loc.file && root ? breakpointsByLine(list.filter((b) => (b.service ?? own) === service), root, loc.file) : new Map<number, Breakpoint>()),
    [bps.data, root, loc.file, service],
  );

  // Snapshots are large (frames and values): refetch only when a snapshot breakpoint's hits change.
  const snapKey = list.filter((b) => b.kind === 'snapshot').reduce((n, b) => n + b.hits, 0) + ':' + list.length;
  const snaps = useJson<SnapshotsResponse>(`api/snapshots`);
  const lastSnapKey = useRef(snapKey);
  useEffect(() => {
    if (lastSnapKey.current !== snapKey) snaps.reload();
    lastSnapKey.current = snapKey;
  }, [snapKey]);

  const logs = useLogs(list.filter((b) => b.kind === 'logpoint').reduce((n, b) => n + b.hits, 0));

  const [form, setForm] = useState<BreakpointForm>(EMPTY_FORM);
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const setAt = async (line: number, f: BreakpointForm) => {
    if (!loc.file) return;
    const built = breakpointInput(loc.file, line, f, service !== own ? service : undefined);
    if ('error' in built) return setFormError(built.error);
    setBusy(true);
    setFormError(undefined);
    try {
      // One breakpoint per line: setting again replaces the old one.
      const old = marks.get(line);
      if (old) await send('DELETE', `api/breakpoints/${encodeURIComponent(old.id)}`);
      await send<Breakpoint>('POST', 'api/breakpoints', built.input);
    } catch (err) {
      setFormError(String((err as Error).message ?? err));
    } finally {
      setBusy(false);
      bps.reload();
    }
  };
  const remove = async (b: Breakpoint) => {
    try {
      await send('DELETE', `api/breakpoints/${encodeURIComponent(b.id)}`);
    } catch (err) {
      setFormError(String((err as Error).message ?? err));
    }
    bps.reload();
  };
  const selectLine = (line: number) => go({ ...loc, line }, true);
  // The gutter sets a breakpoint with the form's current settings; on a line that has one it only selects it.
  const toggle = (line: number) => {
    selectLine(line);
    if (!marks.has(line)) void setAt(line, form);
  };

  const openFile = (f: string, line?: number) => go({ ...loc, file: f, line });
  const stopped = loc.snapshot && snaps.data ? snaps.data.snapshots.find((s) => s.id === loc.snapshot) : undefined;
  const selectedBp = loc.line ? marks.get(loc.line) : undefined;
  // A snapshot opened from a link (e.g. the trace's span event) shows its own file and line.
  useEffect(() => {
    if (!stopped || loc.file || !root) return;
    const rel = relativeTo(root, stopped.file);
    if (!rel.startsWith('/')) go({ ...loc, file: rel, line: stopped.line }, true);
  }, [stopped, loc.file, root]);
  useEffect(() => {
    if (!absolute || !root) return;
    const rel = relativeTo(root, loc.file!);
    if (!/^(\/|[A-Za-z]:[\\/])/.test(rel)) go({ ...loc, file: rel }, true);
  }, [absolute, root, loc.file]);
  const stats = bps.data?.stats;

  return (
    <section class="bp-view" aria-label="Live breakpoints" data-testid="view-breakpoints">
      <FileList files={sources.data?.files ?? []} entries={entries} multi={multi} hiddenByServer={sources.data?.hidden ?? 0} waiting={sources.data?.waiting ?? []} truncated={!!sources.data?.truncated} error={sources.error} current={loc.file} q={loc.q ?? ''} onQ={(q) => go({ ...loc, q }, true)} loc={loc} />

      <div class="bp-main">
        <div class="bp-bar">
          <h1 class="mono bp-file">{loc.file ?? 'Pick a source file'}</h1>
          {stats && !stats.available && <span class="err">breakpoints unavailable: {stats.reason}</span>}
          {stats?.available && (
            <span class="muted bp-stats" data-testid="bp-stats">
              {multi && `${own}: `}
              {stats.armed} armed · debugger {stats.debuggerEnabled ? 'on' : 'off'}
            </span>
          )}
        </div>
        {loc.file && (
          <form
            class="bp-form"
            data-testid="bp-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (loc.line) void setAt(loc.line, form);
            }}
          >
            {multi && (
              <label>
                <span>Service</span>
                <select value={service} onChange={(e) => setPicked(e.currentTarget.value)} data-testid="bp-service" title="The process the breakpoint is set in: a hub sends it to that service over its connection">
                  {[...new Set([...(entry?.services ?? []), own])].map((s) => (
                    <option key={s} value={s}>
                      {s}
                      {entry && !entry.services.includes(s) ? ' (does not run it)' : ''}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <label>
              <span>Kind</span>
              <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.currentTarget.value as BreakpointForm['kind'] })} data-testid="bp-kind">
                <option value="snapshot">snapshot</option>
                <option value="logpoint">logpoint</option>
              </select>
            </label>
            <label class="grow">
              <span>Condition</span>
              <input value={form.condition} placeholder="order.total > 100" onInput={(e) => setForm({ ...form, condition: e.currentTarget.value })} data-testid="bp-condition" />
            </label>
            {form.kind === 'logpoint' ? (
              <label class="grow2">
                <span>Message</span>
                <input value={form.message} placeholder="cart {cart.id} has {cart.lines.length} lines" onInput={(e) => setForm({ ...form, message: e.currentTarget.value })} data-testid="bp-message" />
              </label>
            ) : (
              <label class="grow2">
                <span>Watch (one per line)</span>
                <textarea rows={Math.min(4, form.watch.split('\n').length)} value={form.watch} placeholder="order.items.length" onInput={(e) => setForm({ ...form, watch: e.currentTarget.value })} data-testid="bp-watch" />
              </label>
            )}
            <label class="narrow">
              <span>Max hits</span>
              <input value={form.maxHits} inputMode="numeric" placeholder={form.kind === 'snapshot' ? '1' : '∞'} onInput={(e) => setForm({ ...form, maxHits: e.currentTarget.value })} data-testid="bp-maxhits" />
            </label>
            <button type="submit" class="btn primary" disabled={!loc.line || busy} data-testid="bp-set">
              {selectedBp ? 'Replace' : 'Set'} on line {loc.line ?? '–'}
            </button>
            {formError && (
              <p class="bp-form-error" role="alert" data-testid="bp-error">
                {formError}
              </p>
            )}
          </form>
        )}
        {file.error && <p class="error" role="alert">{file.error}</p>}
        {loc.file && file.data && (
          <SourceCode lines={lines} marks={marks} selected={loc.line ?? 0} stopped={stopped && relativeTo(root, stopped.file) === loc.file ? stopped.line : 0} onSelect={selectLine} onToggle={toggle} />
        )}
        {absolute && root && /^(\/|[A-Za-z]:[\\/])/.test(relativeTo(root, loc.file!)) && <p class="empty" data-testid="bp-outside-root">{loc.file} is not under the app&apos;s source root ({root}), so it cannot be shown here.</p>}
        {!loc.file && <p class="empty">Pick a file on the left, then click a line number to capture a snapshot the next time that line runs.</p>}
      </div>

      {loc.snapshot ? (
        <SnapshotDetail id={loc.snapshot} root={root} onClose={() => go({ ...loc, snapshot: undefined })} onFrame={(f, line) => go({ ...loc, file: f, line }, true)} />
      ) : (
        <aside class="bp-side" aria-label="Breakpoints, snapshots and logs">
          {bps.error && <p class="error" role="alert">{bps.error}</p>}
          <h3>Breakpoints ({list.length})</h3>
          {list.length === 0 && <p class="muted bp-none">None set.</p>}
          <ul class="bp-list">
            {list.map((b) => {
              const rel = relativeTo(root, b.file);
              return (
                <li key={b.id} class={`bp-item st-${b.state}`} data-testid="bp-item" data-state={b.state} data-id={b.id}>
                  <span class={`bp-dot st-${b.state}`} aria-hidden="true" />
                  <div class="bp-item-main">
                    <a href={formatBreakpointsHash({ ...loc, file: rel, line: b.line, snapshot: undefined })} class="mono">
                      {rel.split('/').pop()}:{b.line}
                    </a>{' '}
                    <span class="bp-kind">{b.kind}</span>
                    {multi && b.service && <span class="bp-svc" data-testid="bp-item-service">{b.service}</span>}
                    <div class={`bp-state ${b.state === 'error' ? 'err' : 'muted'}`} data-testid="bp-state">
                      {stateLabel(b)}
                      {(b.state === 'active' || b.state === 'pending') && ` · expires in ${expiresIn(b.expiresAt, Date.now())}`}
                    </div>
                    {b.condition && <div class="mono muted bp-cond">if {b.condition}</div>}
                    {b.message && <div class="mono muted bp-cond">“{b.message}”</div>}
                  </div>
                  <button type="button" class="btn ghost small" onClick={() => void remove(b)} aria-label={`Delete breakpoint at ${rel}:${b.line}`} data-testid="bp-delete">
                    ✕
                  </button>
                </li>
              );
            })}
          </ul>
          <h3>Snapshots ({snaps.data?.snapshots.length ?? 0})</h3>
          {snaps.error && <p class="error" role="alert">{snaps.error}</p>}
          <ul class="bp-list">
            {snaps.data?.snapshots.map((s) => {
              const rel = relativeTo(root, s.file);
              return (
                <li key={s.id} class="bp-item">
                  <a class="bp-snap" href={formatBreakpointsHash({ ...loc, file: rel, line: s.line, snapshot: s.id })} data-testid="bp-snapshot">
                    <span class="mono">{formatClock(s.time)}</span> <span class="mono">{rel.split('/').pop()}:{s.line}</span>
                    {multi && s.service && <span class="bp-svc">{s.service}</span>}
                    <span class="muted bp-pause" title="How long the capture paused that process">{(s.captureUs / 1000).toFixed(1)} ms</span>
                  </a>
                  {s.traceId && (
                    <a class="mono small-link" href={formatHash({ view: 'trace', id: s.traceId, params: { span: s.spanId } })} title="Open the request's trace">
                      trace ↗
                    </a>
                  )}
                </li>
              );
            })}
          </ul>
          <h3>Logpoint output ({logs.length})</h3>
          <ol class="bp-logs mono" data-testid="bp-logs">
            {logs.map((l) => (
              <li key={l.seq}>
                <span class="muted">{formatClock(l.time)}</span> {multi && l.service && <span class="bp-svc">{l.service}</span>} {l.message}
                {l.traceId && (
                  <>
                    {' '}
                    <a href={formatHash({ view: 'trace', id: l.traceId, params: { span: l.spanId } })}>↗</a>
                  </>
                )}
              </li>
            ))}
          </ol>
        </aside>
      )}
    </section>
  );
}

function FileList(p: {
  files: string[];
  entries: Map<string, SourceEntry>;
  /** More than one service in the list: show which runs each file */
  multi: boolean;
  hiddenByServer: number;
  waiting: string[];
  truncated: boolean;
  error: string | undefined;
  current: string | undefined;
  q: string;
  onQ: (q: string) => void;
  loc: BreakpointsLocation;
}) {
  const [q, setQ] = useState(p.q);
  const shown = useMemo(() => filterFiles(p.files, q, MAX_FILES), [p.files, q]);
  return (
    <nav class="bp-files" aria-label="Source files">
      <input type="search" value={q} placeholder="Filter files  /" aria-label="Filter files" data-search data-testid="bp-file-filter" onInput={(e) => setQ(e.currentTarget.value)} onChange={(e) => p.onQ(e.currentTarget.value)} />
      {p.error && <p class="error" role="alert">{p.error}</p>}
      <ul>
        {shown.files.map((f) => (
          <li key={f}>
            <a href={formatBreakpointsHash({ q: p.loc.q, file: f })} aria-current={f === p.current ? 'page' : undefined} data-testid="bp-file" title={f}>
              <span class="bp-path">
                <span class="muted">{f.slice(0, f.lastIndexOf('/') + 1)}</span>
                {f.slice(f.lastIndexOf('/') + 1)}
              </span>
              <Runs services={p.entries.get(f)?.services ?? []} multi={p.multi} />
            </a>
          </li>
        ))}
      </ul>
      {p.waiting.length > 0 && <p class="muted bp-more" data-testid="bp-waiting">waiting for the lists of {p.waiting.join(', ')}…</p>}
      {p.hiddenByServer > 0 && (
        <p class="muted bp-more" data-testid="bp-hidden-server">
          {p.hiddenByServer} tests and build files with a source-mapped original not listed
        </p>
      )}
      {shown.hidden > 0 && (
        <p class="muted bp-more" data-testid="bp-hidden">
          {shown.hidden} tests and build copies of listed sources left out; type test or dist to list them
        </p>
      )}
      {(shown.more > 0 || p.truncated) && <p class="muted bp-more">{shown.more > 0 ? `${shown.more} more: narrow the filter` : 'listing stopped at the server limit'}</p>}
    </nav>
  );
}

/**
 * Which services run a file (a static import walk from each one's entry), on a hub. A lone panel
 * shows nothing: one process, and a walk that misses a dynamic import must not call a file dead.
 */
function Runs({ services, multi }: { services: string[]; multi: boolean }) {
  if (!multi) return null;
  if (!services.length) return <span class="bp-runs none" title="No service's entry imports it">not run</span>;
  return (
    <span class="bp-runs" data-testid="bp-file-services" title={`Run by ${services.join(', ')}`}>
      {services.join(' · ')}
    </span>
  );
}

/**
 * `useJson` with a poll that pauses while the tab is hidden (and fetches at once when it shows
 * again), so a forgotten background tab costs the app nothing.
 */
function usePolled<T>(path: string, ms: number): { data: T | undefined; error: string | undefined; reload: () => void } {
  const [state, setState] = useState<{ data: T | undefined; error: string | undefined }>({ data: undefined, error: undefined });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const again = () => (timer = setTimeout(() => setTick((t) => t + 1), ms));
    const onShow = () => {
      if (!document.hidden) setTick((t) => t + 1);
    };
    if (document.hidden) document.addEventListener('visibilitychange', onShow);
    else
      getJson<T>(path, ctl.signal).then(
        (data) => {
          setState({ data, error: undefined });
          again();
        },
        (err: unknown) => {
          if (isAbort(err)) return;
          setState((s) => ({ data: s.data, error: String((err as Error).message ?? err) }));
          again();
        },
      );
    return () => {
      ctl.abort();
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onShow);
    };
  }, [path, ms, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

/** Logpoint output, fetched incrementally (`after=` the last seq) when logpoint hits change. */
function useLogs(hits: number): LogEntry[] {
  const [logs, setLogs] = useState<LogEntry[]>([]);
  // This panel's lines and (on a hub) other services' lines are numbered apart: one cursor each.
  const last = useRef<{ after?: number; hubAfter?: number }>({});
  useEffect(() => {
    const ctl = new AbortController();
    getJson<LogpointsResponse>(apiPath('api/logpoints', last.current), ctl.signal).then(
      (res) => {
        if (!res.logs.length) return;
        for (const l of res.logs) {
          if (l.service) last.current.hubAfter = Math.max(last.current.hubAfter ?? 0, l.seq);
          else last.current.after = Math.max(last.current.after ?? 0, l.seq);
        }
        setLogs((prev) => [...res.logs.slice().reverse(), ...prev].slice(0, MAX_LOGS));
      },
      (err: unknown) => {
        if (!isAbort(err)) console.warn('logpoints:', err);
      },
    );
    return () => ctl.abort();
  }, [hits]);
  return logs;
}
