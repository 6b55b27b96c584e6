/** `GET {path}/api/stats`: the panel's counters, so every drop is visible (DESIGN principle 5). */
import type { FeatureStats, StatsResponse } from '@debugpanel/model';
import { sendJson } from '../http.js';
import type { PanelFeature } from './registry.js';

export const stats: PanelFeature = (ctx) => [
  {
    method: 'GET',
    path: '/api/stats',
    handle({ res }) {
      // Each registered section reads its part: the entries keep FeatureStats' key-to-type pairing.
      const sections = Object.fromEntries(Object.entries(ctx.stats).map(([k, read]) => [k, read()])) as Partial<FeatureStats>;
      sendJson<StatsResponse>(res, 200, {
        service: ctx.options.service,
        version: ctx.version,
        node: process.version,
        pid: process.pid,
        startedAt: ctx.startedAt,
        uptimeMs: Date.now() - ctx.startedAt,
        store: ctx.store.stats(),
        tracing: { active: ctx.tracing.active, ...ctx.tracing.stats() },
        stream: ctx.sse.stats(),
        panel: { ...ctx.counters },
        ...sections,
      });
    },
  },
];
