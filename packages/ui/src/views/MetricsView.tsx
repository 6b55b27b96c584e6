import { lazyView } from './lazy-view.js';

/** Golden signals (latency, traffic, errors, saturation) per service and route: see metrics/MetricsPanel.tsx. */
export const MetricsView = lazyView(() => import('./metrics/MetricsPanel.js').then((m) => m.MetricsPanel), 'view-metrics', 'metrics');
