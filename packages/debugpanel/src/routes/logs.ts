/** `GET {path}/api/logs`: log records, newest first, filtered and paged (a `LogQuery` in the URL). */
import { parseLogQuery, type LogsResponse } from '@debugpanel/model';
import { sendError, sendJson } from '../http.js';
import type { PanelFeature } from './registry.js';

export const logs: PanelFeature = ({ logs: panelLogs }) => [
  {
    method: 'GET',
    path: '/api/logs',
    handle({ res, query }) {
      if (!panelLogs) return sendError(res, 404, 'logs are off in this panel (debugPanel({ logs: false }))');
      const parsed = parseLogQuery(query);
      if ('error' in parsed) return sendError(res, 400, parsed.error);
      let result: LogsResponse;
      try {
        result = panelLogs.store.query(parsed.query);
      } catch (err) {
        // A cursor from another process or an older store: the client's input, not a server fault.
        return sendError(res, 400, err instanceof Error ? err.message : String(err));
      }
      sendJson<LogsResponse>(res, 200, result);
    },
  },
];
