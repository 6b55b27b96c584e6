/**
 * @debugpanel/metrics: golden signals (latency, traffic, errors, saturation) per route and per
 * outgoing dependency, from spans, in fixed-size rings, with Prometheus text output.
 *
 * @example
 * import { GoldenSignals } from '@debugpanel/metrics';
 * const signals = new GoldenSignals({ maxSeries: 200 });
 * signals.start();
 * signals.record(span);                      // every server/client span, before sampling
 * signals.query({ service: 'orders', window: 300 });
 */
export { GoldenSignals, dependencyOf } from './golden-signals.js';
export type { GoldenSignalsOptions, GoldenSignalsStats, MetricsQuery, MetricsResponse, RouteRow, SeriesPoints } from './golden-signals.js';
export type { SeriesLabels, SeriesKind } from './series.js';
export type { ProcessSample } from './process.js';
export { BUCKET_BOUNDS_MS } from './latency.js';
