import { useMemo, useState } from 'preact/hooks';
import type { MergedFlameResponse, ProfileFlameResponse, ProfilesResponse, TracesResponse } from '@debugpanel/model';
import { tracesPath } from '../api.js';
import { useJson } from '../hooks.js';
import {
  mergedFlamePath,
  parseSeconds,
  profileDownloadPath,
  profileFlamePath,
  PROFILES_PATH,
  recordProfile,
  routesOf,
} from '../lib/analysis-api.js';
import { flameNodeMatches, unflattenFlame, withoutIdle, type FlameLike, type FlatFlameNode } from '../lib/flame-layout.js';
import { formatClock, formatCount, formatDuration } from '../lib/format.js';
import { formatHash, withParam } from '../lib/route.js';
import type { ViewProps } from '../view-props.js';
import { FlameCanvas } from './FlameCanvas.js';

const LIMITS = [50, 200, 1000];

/**
 * Two flame graphs: a route's recent traces merged (`#/flame?route=...&limit=...`: each node with
 * count, mean and p95, the typical shape of the endpoint) and CPU profiles of the process recorded
 * on demand (`#/flame?mode=cpu&profile=<id>`).
 */
export function FlameView(props: ViewProps) {
  const cpu = props.route.params.get('mode') === 'cpu';
  const to = (mode: string | undefined) =>
    props.navigate(formatHash({ view: 'flame', params: withParam(props.route.params, 'mode', mode) }), { replace: true });
  return (
    <section class="view" data-testid="view-flame" style={{ display: 'flex', flexDirection: 'column', minHeight: 0, flex: 1, padding: '8px 12px' }}>
      <div role="tablist" style={{ display: 'flex', gap: '4px', marginBottom: '6px' }}>
        <button type="button" role="tab" aria-selected={!cpu} class={`btn${cpu ? '' : ' on'}`} onClick={() => to(undefined)} data-testid="flame-mode-route">
          Route (merged traces)
        </button>
        <button type="button" role="tab" aria-selected={cpu} class={`btn${cpu ? ' on' : ''}`} onClick={() => to('cpu')} data-testid="flame-mode-cpu">
          CPU profiles
        </button>
      </div>
      {cpu ? <CpuProfiles {...props} /> : <RouteFlame {...props} />}
    </section>
  );
}

function RouteFlame({ route, navigate }: ViewProps) {
  const chosen = route.params.get('route') ?? '';
  const limit = Number(route.params.get('limit')) || 200;
  const [search, setSearch] = useState('');
  const recent = useJson<TracesResponse>(tracesPath({ limit: 1000 }));
  const routes = useMemo(() => routesOf(recent.data?.traces ?? []), [recent.data]);
  const merged = useJson<MergedFlameResponse>(chosen ? mergedFlamePath(chosen, limit) : undefined);
  const mergedRoot = useTree(merged.data?.flame);
  const isMatch = useMemo(() => (n: FlameLike) => flameNodeMatches(n, search), [search]);
  const set = (key: string, value: string | undefined) =>
    navigate(formatHash({ view: 'flame', params: withParam(route.params, key, value) }), { replace: true });

  return (
    <>
      <h1 style={{ margin: '4px 0 8px' }}>Flame graph of a route</h1>
      <div style={{ display: 'flex', gap: '8px', alignItems: 'center', flexWrap: 'wrap' }}>
        <label>
          Route{' '}
          <select value={chosen} onChange={(e) => set('route', (e.currentTarget as HTMLSelectElement).value)} data-testid="flame-route">
            <option value="">{routes.length ? 'choose a route…' : 'no routes seen yet'}</option>
            {chosen && !routes.includes(chosen) && <option value={chosen}>{chosen}</option>}
            {routes.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
        <label>
          Traces{' '}
          <select value={String(limit)} onChange={(e) => set('limit', (e.currentTarget as HTMLSelectElement).value)}>
            {LIMITS.map((l) => <option key={l} value={String(l)}>last {l}</option>)}
          </select>
        </label>
        <input type="search" placeholder="Highlight…" value={search} onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)} aria-label="Highlight nodes" />
        {merged.data && (
          <span class="muted" data-testid="flame-summary">
            {formatCount(merged.data.traces)}{merged.data.truncated ? ' newest' : ''} traces · mean {formatDuration(mergedRoot.root?.mean ?? 0)} · p95 {formatDuration(mergedRoot.root?.p95 ?? 0)}
          </span>
        )}
      </div>
      {recent.error && <div class="error">{recent.error}</div>}
      {(merged.error ?? mergedRoot.error) && <div class="error">{merged.error ?? mergedRoot.error}</div>}
      {!chosen && <p class="empty">Choose a route to see where its time goes across its recent traces.</p>}
      {merged.data && merged.data.traces === 0 && <p class="empty">No stored traces of {chosen}.</p>}
      {merged.data && merged.data.traces > 0 && mergedRoot.root && (
        <FlameCanvas
          root={mergedRoot.root}
          testId="merged-flame"
          label={`Merged flame graph of ${chosen}`}
          isMatch={isMatch}
          searching={search.trim() !== ''}
        />
      )}
      <p class="muted" style={{ marginTop: '6px' }}>Width is total time over the merged traces; hover a node for its count, mean and p95, click to zoom.</p>
    </>
  );
}

function CpuProfiles({ route, navigate }: ViewProps) {
  const chosen = route.params.get('profile') ?? undefined;
  const [secondsText, setSecondsText] = useState('5');
  const [recording, setRecording] = useState(false);
  const [recordError, setRecordError] = useState<string>();
  const [search, setSearch] = useState('');
  const list = useJson<ProfilesResponse>(PROFILES_PATH);
  const flame = useJson<ProfileFlameResponse>(chosen ? profileFlamePath(chosen) : undefined);
  const profileRoot = useTree(flame.data?.flame);
  // (idle) is the time the thread waited: most of a server's samples. Hidden unless `idle=1`.
  const showIdle = route.params.get('idle') === '1';
  const shown = useMemo(() => (profileRoot.root ? withoutIdle(profileRoot.root) : undefined), [profileRoot.root]);
  const isMatch = useMemo(() => (n: FlameLike) => flameNodeMatches(n, search), [search]);
  const choose = (id: string | undefined) =>
    navigate(formatHash({ view: 'flame', params: withParam(route.params, 'profile', id) }), { replace: true });
  const record = async () => {
    const parsed = parseSeconds(secondsText);
    if ('error' in parsed) return setRecordError(parsed.error);
    setRecordError(undefined);
    setRecording(true);
    try {
      const info = await recordProfile(parsed.seconds);
      list.reload();
      choose(info.id);
    } catch (err) {
      setRecordError((err as Error).message);
    } finally {
      setRecording(false);
    }
  };
  const busy = recording || list.data?.recording === true;

  return (
    <>
      <h1 style={{ margin: '4px 0 8px' }}>CPU profiles of this process</h1>
      <div style={{ display: 'flex', gap: '8px', alignItems: 'center', flexWrap: 'wrap' }}>
        <label>
          Record{' '}
          <input type="number" min="0.1" max="30" step="any" value={secondsText} style={{ width: '70px' }} aria-label="Seconds to record"
            onInput={(e) => setSecondsText((e.currentTarget as HTMLInputElement).value)} data-testid="profile-seconds" />{' '}
          seconds
        </label>
        <button type="button" class="btn primary" disabled={busy} onClick={() => void record()} data-testid="profile-record">
          {busy ? 'Recording…' : 'Record'}
        </button>
        <select value={chosen ?? ''} onChange={(e) => choose((e.currentTarget as HTMLSelectElement).value || undefined)} data-testid="profile-list" aria-label="Recorded profiles">
          <option value="">{list.data?.profiles.length ? 'choose a profile…' : 'no profiles yet'}</option>
          {list.data?.profiles.map((p) => (
            <option key={p.id} value={p.id}>{formatClock(p.startedAt)} · {p.seconds}s · {formatCount(p.samples)} samples</option>
          ))}
        </select>
        {chosen && <a class="btn" href={profileDownloadPath(chosen)} download={`debugpanel-${chosen}.cpuprofile`}>Download .cpuprofile</a>}
        <input type="search" placeholder="Highlight…" value={search} onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)} aria-label="Highlight functions" />
      </div>
      {recordError && <div class="error" role="alert">{recordError}</div>}
      {list.error && <div class="error">{list.error}</div>}
      {(flame.error ?? profileRoot.error) && <div class="error">{flame.error ?? profileRoot.error}</div>}
      {!chosen && <p class="empty">Record a few seconds of this process while it does the work you want to see; open the file in Chrome DevTools or speedscope too.</p>}
      {flame.data && profileRoot.root && shown && (
        <>
          <p class="muted cpu-idle" data-testid="cpu-idle" style={{ display: 'flex', alignItems: 'center', flexWrap: 'wrap', gap: '0 4px' }}>
            <label style={{ display: 'inline-flex', flexDirection: 'row', alignItems: 'center', gap: '4px' }}>
              <input
                type="checkbox"
                checked={showIdle}
                onChange={(e) => navigate(formatHash({ view: 'flame', params: withParam(route.params, 'idle', e.currentTarget.checked ? '1' : undefined) }), { replace: true })}
                data-testid="cpu-idle-toggle"
              />{' '}
              Show (idle)
            </label>{' '}
            {shown.idle > 0
              ? `— ${formatDuration(shown.idle)} of ${formatDuration(profileRoot.root.total)} (${Math.round((shown.idle / Math.max(profileRoot.root.total, 1e-9)) * 100)}%) the thread waited with no JavaScript to run${showIdle ? '' : ', hidden so the code that ran fills the width'}.`
              : '— the thread never idled.'}
          </p>
          <FlameCanvas root={showIdle ? profileRoot.root : shown.root} testId="cpu-flame" label={`CPU profile ${flame.data.id}`} isMatch={isMatch} searching={search.trim() !== ''} />
        </>
      )}
    </>
  );
}

/** The tree of a flat flame list, memoized per response; an error message for a malformed list. */
function useTree(flat: FlatFlameNode[] | undefined): { root?: FlameLike; error?: string } {
  return useMemo(() => {
    if (!flat) return {};
    try {
      return { root: unflattenFlame(flat) };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }, [flat]);
}
