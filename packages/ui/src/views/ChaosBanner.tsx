import { useEffect, useState } from 'preact/hooks';
import type { ChaosRulesResponse } from '@debugpanel/model';
import { getJson, send } from '../api.js';
import { formatHash } from '../lib/route.js';

const POLL_MS = 3000;

/**
 * A banner on every view while any fault rule is active, with a one-click stop. Polls only while
 * chaos is on (a panel without `chaos: true` answers `enabled: false` once, and is left alone).
 */
export function ChaosBanner({ view }: { view: string }) {
  const [state, setState] = useState<{ count: number; enabled: boolean }>({ count: 0, enabled: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!state.enabled) return;
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    getJson<ChaosRulesResponse>('api/chaos/rules', ctl.signal).then(
      (r) => {
        setState({ count: r.rules.length, enabled: r.enabled });
        if (r.enabled) timer = setTimeout(() => setTick((t) => t + 1), POLL_MS);
      },
      () => {
        timer = setTimeout(() => setTick((t) => t + 1), POLL_MS * 3);
      },
    );
    return () => {
      ctl.abort();
      clearTimeout(timer);
    };
  }, [tick, view, state.enabled]);
  if (state.count === 0) return null;
  const stopAll = async () => {
    await send('DELETE', 'api/chaos/rules').catch(() => undefined);
    setTick((t) => t + 1);
  };
  return (
    <div class="chaos-banner" role="status" data-testid="chaos-banner">
      <strong>Chaos:</strong> {state.count} fault rule{state.count === 1 ? ' is' : 's are'} active in this app.
      {view !== 'chaos' && <a href={formatHash({ view: 'chaos' })}>See them</a>}
      <button type="button" class="btn danger" onClick={stopAll} data-testid="chaos-banner-stop">Stop all</button>
    </div>
  );
}
