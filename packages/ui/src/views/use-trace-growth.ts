import { useEffect, useRef } from 'preact/hooks';
import type { StreamEvents } from '@debugpanel/model';

/** While a trace is incomplete, it is fetched again this often even when the stream is quiet. */
export const INCOMPLETE_POLL_MS = 2000;
/** ... for at most this long after it last grew (a service that never answers stops the polling). */
export const INCOMPLETE_POLL_FOR_MS = 60_000;

/**
 * Calls `onGrow` whenever the live stream (`GET api/stream`) reports that trace `traceId` has
 * spans the view does not show (`shown` of them), and, while `incomplete`, every
 * INCOMPLETE_POLL_MS for up to INCOMPLETE_POLL_FOR_MS after the last growth: the stream speaks
 * when a process's part of the trace lands, but a late span without a local root lands quietly.
 * `onLogs` is called when a `log` event carries a record of the trace (its logs grew).
 */
export function useTraceGrowth(traceId: string, shown: number, incomplete: boolean, onGrow: () => void, onLogs?: () => void): void {
  const state = useRef({ shown, onGrow, onLogs, grewAt: Date.now() });
  if (shown !== state.current.shown) state.current.grewAt = Date.now();
  state.current.shown = shown;
  state.current.onGrow = onGrow;
  state.current.onLogs = onLogs;

  useEffect(() => {
    const es = new EventSource('api/stream');
    es.addEventListener('trace', (ev) => {
      let t: StreamEvents['trace'];
      try {
        t = JSON.parse((ev as MessageEvent<string>).data) as StreamEvents['trace'];
      } catch {
        return; // not JSON: skip it
      }
      if (t.traceId === traceId && t.spanCount > state.current.shown) state.current.onGrow();
    });
    es.addEventListener('log', (ev) => {
      try {
        if ((JSON.parse((ev as MessageEvent<string>).data) as StreamEvents['log']).some((r) => r.traceId === traceId)) state.current.onLogs?.();
      } catch {
        /* not JSON: skip it */
      }
    });
    return () => es.close();
  }, [traceId]);

  useEffect(() => {
    if (!incomplete) return;
    const timer = setInterval(() => {
      if (Date.now() - state.current.grewAt <= INCOMPLETE_POLL_FOR_MS) state.current.onGrow();
    }, INCOMPLETE_POLL_MS);
    return () => clearInterval(timer);
  }, [traceId, incomplete]);
}
