import { useEffect, useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import { useRoute, typingIn } from './hooks.js';
import { formatHash, type ViewName } from './lib/route.js';
import { applyTheme, currentTheme, type Theme } from './theme.js';
import type { ViewProps } from './view-props.js';
import { TracesView } from './views/TracesView.js';
import { TraceView } from './views/TraceView.js';
import { StatsView } from './views/StatsView.js';
import { lazyView } from './views/lazy-view.js';
import { MetricsView } from './views/MetricsView.js';
import { BreakpointsView } from './views/BreakpointsView.js';
import { ChaosBanner } from './views/ChaosBanner.js';

const NAV: Array<{ view: ViewName; label: string }> = [
  { view: 'traces', label: 'Traces' },
  { view: 'map', label: 'Map' },
  { view: 'flame', label: 'Flame' },
  { view: 'metrics', label: 'Metrics' },
  { view: 'breakpoints', label: 'Breakpoints' },
  { view: 'chaos', label: 'Chaos' },
  { view: 'stats', label: 'Stats' },
];

const VIEWS: Record<ViewName, ComponentType<ViewProps>> = {
  traces: TracesView,
  trace: TraceView,
  // dagre (~25 KB gzip) loads with the map only.
  map: lazyView(() => import('./views/MapView.js').then((m) => m.MapView), 'view-map', 'map'),
  // Merged route flames and CPU profiles: a view of its own, loaded on the first visit.
  flame: lazyView(() => import('./views/FlameView.js').then((m) => m.FlameView), 'view-flame', 'flame'),
  metrics: MetricsView,
  breakpoints: BreakpointsView,
  // Fault rules and experiments: loaded on the first visit.
  chaos: lazyView(() => import('./views/chaos/ChaosPanel.js').then((m) => m.ChaosPanel), 'view-chaos', 'chaos'),
  stats: StatsView,
};

export function App() {
  const [route, navigate] = useRoute();
  const [theme, setTheme] = useState<Theme>(currentTheme);
  useEffect(() => {
    // `/` focuses the current view's search field, wherever focus is (except in another field).
    const on = (e: KeyboardEvent) => {
      if (e.key !== '/' || typingIn(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      const field = document.querySelector<HTMLInputElement>('[data-search]');
      if (!field) return;
      e.preventDefault();
      field.focus();
      field.select();
    };
    addEventListener('keydown', on);
    return () => removeEventListener('keydown', on);
  }, []);
  const toggleTheme = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    applyTheme(next, true);
    setTheme(next);
  };
  const View = VIEWS[route.view];
  const active = route.view === 'trace' ? 'traces' : route.view;
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href="#/traces" aria-label="debugpanel home">
          <span class="brand-mark" aria-hidden="true" />
          debugpanel
        </a>
        <nav aria-label="Views">
          <ul class="nav">
            {NAV.map((n) => (
              <li key={n.view}>
                <a href={formatHash({ view: n.view })} aria-current={active === n.view ? 'page' : undefined} data-testid={`nav-${n.view}`}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="spacer" />
        <button type="button" class="btn ghost" onClick={toggleTheme} data-testid="theme-toggle" aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`} title="Toggle theme">
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </header>
      <ChaosBanner view={route.view} />
      <main class="content" id="main">
        <View route={route} navigate={navigate} />
      </main>
    </div>
  );
}
