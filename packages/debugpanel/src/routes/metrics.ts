/**
 * Golden signals: `GET {path}/api/metrics` (chart series), `GET {path}/api/metrics/table` (one row
 * per route or dependency) and `GET {path}/metrics` (Prometheus text format, for scraping).
 */
import { METRICS_PARAMS, type MetricsResponse, type MetricsTableResponse, type SeriesKind } from '@debugpanel/model';
import { sendError, sendJson } from '../http.js';
import type { PanelFeature } from './registry.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** `300`, `90s`, `5m`, `6h` -> seconds; undefined when absent; a string when invalid. */
export function parseWindow(v: string | null, max: number): number | undefined | { error: string } {
  if (v === null || v === '') return undefined;
  const m = /^(\d+(?:\.\d+)?)([smh]?)$/.exec(v);
  const seconds = m ? Number(m[1]) * UNITS[m[2] || 's']! : NaN;
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > max) {
    return { error: `window must be seconds or a duration like 5m or 1h, from 1s to ${max}s; got "${v.slice(0, 40)}"` };
  }
  return Math.round(seconds);
}

function parseKind(v: string | null): SeriesKind | undefined | { error: string } {
  if (v === null || v === '') return undefined;
  if (v === 'server' || v === 'client') return v;
  return { error: `kind must be "server" (routes) or "client" (dependencies), got "${v.slice(0, 40)}"` };
}

const KNOWN = new Set<string>(METRICS_PARAMS);

export const metrics: PanelFeature = (ctx) => {
  const signals = ctx.metrics;
  const off = (res: Parameters<typeof sendError>[0]) => sendError(res, 404, 'golden signals are off (debugPanel({ metrics: false }))');
  const maxWindow = ctx.options.metrics?.coarseWindow ?? 21_600;
  return [
    {
      method: 'GET',
      path: '/api/metrics',
      handle({ res, query }) {
        if (!signals) return off(res);
        for (const k of query.keys()) if (!KNOWN.has(k)) return sendError(res, 400, `unknown query parameter "${k}"; known: ${[...KNOWN].join(', ')}`);
        const window = parseWindow(query.get('window'), maxWindow);
        const kind = parseKind(query.get('kind'));
        if (typeof window === 'object') return sendError(res, 400, window.error);
        if (typeof kind === 'object') return sendError(res, 400, kind.error);
        sendJson<MetricsResponse>(res, 200, signals.query({
          kind,
          service: query.get('service') || undefined,
          route: query.get('route') || undefined,
          dependency: query.get('dependency') || undefined,
          window,
        }));
      },
    },
    {
      method: 'GET',
      path: '/api/metrics/table',
      handle({ res, query }) {
        if (!signals) return off(res);
        const window = parseWindow(query.get('window'), maxWindow);
        const kind = parseKind(query.get('kind'));
        if (typeof window === 'object') return sendError(res, 400, window.error);
        if (typeof kind === 'object') return sendError(res, 400, kind.error);
        const k = kind ?? 'server';
        const service = query.get('service');
        const untilText = query.get('until');
        const until = untilText === null || untilText === '' ? undefined : Number(untilText);
        if (until !== undefined && !(Number.isFinite(until) && until > 0)) return sendError(res, 400, `until must be a time in ms since the epoch, got "${String(untilText).slice(0, 40)}"`);
        const rows = signals.table(k, window, until).filter((r) => !service || r.labels.service === service);
        sendJson<MetricsTableResponse>(res, 200, { kind: k, window: window ?? 300, rows });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handle({ res }) {
        if (!signals) return off(res);
        const body = signals.prometheus();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
        res.end(body);
      },
    },
  ];
};
