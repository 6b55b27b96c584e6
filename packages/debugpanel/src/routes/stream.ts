/** `GET {path}/api/stream`: Server-Sent Events; `event: trace` carries a TraceSummary. */
import type { PanelFeature } from './registry.js';

export const stream: PanelFeature = ({ sse, options, version }) => [
  {
    method: 'GET',
    path: '/api/stream',
    handle({ res }) {
      sse.attach(res, { service: options.service, version });
    },
  },
];
