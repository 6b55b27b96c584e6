import type { InsightsResponse } from '@debugpanel/model';
import { useJson } from '../hooks.js';
import { formatHash } from '../lib/route.js';

/** The header's alert badge: open, unacknowledged incidents; absent when insights are off. */
export function AlertBadge() {
  const { data } = useJson<InsightsResponse>('api/insights?state=open&limit=1', 5000);
  if (!data || data.firing === 0) return null;
  return (
    <a class="alert-badge" href={formatHash({ view: 'insights' })} data-testid="alert-badge" title="open incidents">
      {data.firing} {data.firing === 1 ? 'incident' : 'incidents'}
    </a>
  );
}
