import { useEffect, useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import { useRoute, typingIn } from './hooks.js';
import { formatHash, type ViewName } from './lib/route.js';
import { CONTEXT_USE, navLink, readContext, replaceContext, type Context } from './lib/context.js';
import { activeNav, navGroups } from './lib/nav.js';
import { applyTheme, currentTheme, type Theme } from './theme.js';
import type { ViewProps } from './view-props.js';
import { TracesView } from './views/TracesView.js';
import { StatsView } from './views/StatsView.js';
import { lazyView } from './views/lazy-view.js';
import { MetricsView } from './views/MetricsView.js';
import { BreakpointsView } from './views/BreakpointsView.js';
import { useSession } from './session.js';
import { KeyHelpDialog } from './views/KeyHelp.js';
import { AlertBadge } from './views/AlertBadge.js';
import { ChaosBanner } from './views/ChaosBanner.js';
import { ContextBar } from './views/ContextBar.js';

const VIEWS: Record<ViewName, ComponentType<ViewProps>> = {
  traces: TracesView,
  // The trace view (waterfall, span details, logs) loads on the first opened trace: the list opens without it.
  trace: lazyView(() => import('./views/TraceView.js').then((m) => m.TraceView), 'view-trace', 'trace'),
  // dagre (~25 KB gzip) loads with the map only.
  map: lazyView(() => import('./views/MapView.js').then((m) => m.MapView), 'view-map', 'map'),
  // Merged route flames and CPU profiles: a view of its own, loaded on the first visit.
  flame: lazyView(() => import('./views/FlameView.js').then((m) => m.FlameView), 'view-flame', 'flame'),
  metrics: MetricsView,
  // Error groups: loaded on the first visit.
  errors: lazyView(() => import('./views/ErrorsView.js').then((m) => m.ErrorsView), 'view-errors', 'errors'),
  // Log records with a live tail: loaded on the first visit.
  logs: lazyView(() => import('./views/logs/LogsView.js').then((m) => m.LogsView), 'view-logs', 'logs'),
  // Database queries and findings: loaded on the first visit.
  queries: lazyView(() => import('./views/QueriesView.js').then((m) => m.QueriesView), 'view-queries', 'queries'),
  // Incidents and their suspects: loaded on the first visit.
  insights: lazyView(() => import('./views/InsightsView.js').then((m) => m.InsightsView), 'view-insights', 'insights'),
  // Two cohorts of traces side by side, with the diff flame graph: loaded on the first visit.
  compare: lazyView(() => import('./views/CompareView.js').then((m) => m.CompareView), 'view-compare', 'compare'),
  breakpoints: BreakpointsView,
  // Fault rules and experiments: loaded on the first visit.
  chaos: lazyView(() => import('./views/chaos/ChaosPanel.js').then((m) => m.ChaosPanel), 'view-chaos', 'chaos'),
  stats: StatsView,
  // Debugger role only; a view of its own, loaded on the first visit.
  audit: lazyView(() => import('./views/AuditView.js').then((m) => m.AuditView), 'view-audit', 'audit'),
};

export function App() {
  const [route, navigate] = useRoute();
  const [theme, setTheme] = useState<Theme>(currentTheme);
  const [help, setHelp] = useState(false);
  useEffect(() => {
    // `/` focuses the current view's search field, wherever focus is (except in another field);
    // `?` shows the key help; Esc closes it before any view sees the key.
    const on = (e: KeyboardEvent) => {
      if (typingIn(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === '?') {
        e.preventDefault();
        setHelp((h) => !h);
        return;
      }
      if (e.key === 'Escape' && document.querySelector('[data-testid="key-help"]')) {
        e.preventDefault();
        setHelp(false);
        return;
      }
      if (e.key !== '/') return;
      const field = document.querySelector<HTMLInputElement>('[data-search]');
      if (!field) return;
      e.preventDefault();
      field.focus();
      field.select();
    };
    // Capture: the help's Esc is handled before the views' own Esc (close details, back to list).
    addEventListener('keydown', on, true);
    return () => removeEventListener('keydown', on, true);
  }, []);
  const toggleTheme = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    applyTheme(next, true);
    setTheme(next);
  };
  const session = useSession();
  const groups = navGroups(session?.role);
  const View = VIEWS[route.view];
  const active = activeNav(route.view);
  // The shared context (service, route, status, time): in the hash of the views that carry it; the
  // others (Map, Stats...) keep the last one for the next view, so no hop through them loses it.
  const carries = CONTEXT_USE[route.view].carries;
  const [kept, setKept] = useState<Context>(() => readContext(route.view, route.params));
  const ctx = carries ? readContext(route.view, route.params) : kept;
  // Once per address (not per render: a Metrics chart window is "the last 15 min", a moving start).
  useEffect(() => {
    if (carries) setKept(ctx);
  }, [route]);
  const setContext = (next: Context) => {
    if (!carries) return setKept(next);
    navigate(formatHash({ view: route.view, id: route.id, params: replaceContext(route.view, route.params, next) }));
  };
  return (
    <div class="shell">
      <a class="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to the view</a>
      <header class="topbar">
        <a class="brand" href="#/traces" aria-label="debugpanel home">
          <span class="brand-mark" aria-hidden="true" />
          debugpanel
        </a>
        <nav aria-label="Views" class="navwrap">
          <ul class="nav">
            {groups.map((g) => (
              <li key={g.label} class="nav-group">
                <span class="nav-group-label" id={`nav-g-${g.label}`}>{g.label}</span>
                <ul aria-labelledby={`nav-g-${g.label}`}>
                  {g.items.map((n) => (
                    <li key={n.view}>
                      <a href={navLink(n.view, ctx)} aria-current={active === n.view ? 'page' : undefined} data-testid={`nav-${n.view}`}>
                        {n.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </nav>
        <span class="spacer" />
        {session && (
          <span class="role-badge" data-testid="role" title={`Logged in ${session.via === 'cookie' ? 'with a session' : session.via === 'bearer' ? 'with a Bearer token' : 'from this machine (auth: loopback)'}; token id ${session.tokenId}`}>
            {session.role}
          </span>
        )}
        {session?.via === 'cookie' && (
          <form method="post" action="logout" class="logout">
            <button type="submit" class="btn ghost small" data-testid="logout">Log out</button>
          </form>
        )}
        <button type="button" class="btn ghost" onClick={() => setHelp(true)} data-testid="key-help-open" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">
          ?
        </button>
        <AlertBadge />
        <button type="button" class="btn ghost" onClick={toggleTheme} data-testid="theme-toggle" aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`} title="Toggle theme">
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </header>
      <ContextBar view={route.view} ctx={ctx} params={route.params} onChange={setContext} />
      <ChaosBanner view={route.view} />
      <main class="content" id="main" tabIndex={-1}>
        <View route={route} navigate={navigate} ctx={ctx} />
      </main>
      {help && <KeyHelpDialog onClose={() => setHelp(false)} />}
    </div>
  );
}
