import { useEffect, useRef, useState } from 'preact/hooks';
import { getJson, isAbort } from './api.js';
import { parseHash, type Route } from './lib/route.js';

export function useRoute(): [Route, (hash: string, options?: { replace?: boolean }) => void] {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  // the address the route state was parsed from: a route is parsed again only for a new address
  const shown = useRef(location.hash);
  useEffect(() => {
    const on = () => {
      if (location.hash === shown.current) return;
      shown.current = location.hash;
      setRoute(parseHash(location.hash));
    };
    addEventListener('hashchange', on);
    // The listener comes after the first paint: an address changed in between (a link opened while
    // the app was starting, e.g. `#/chaos` right after the login page) fired no event it heard.
    on();
    return () => removeEventListener('hashchange', on);
  }, []);
  const navigate = (hash: string, options?: { replace?: boolean }) => {
    if (hash === location.hash) return;
    if (options?.replace) {
      history.replaceState(history.state, '', hash);
      shown.current = location.hash;
      setRoute(parseHash(hash));
    } else location.hash = hash;
  };
  return [route, navigate];
}

export interface Fetched<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
}

/** Fetches `path` (again whenever it changes, and every `pollMs` when given); aborts stale requests. */
export function useJson<T>(path: string | undefined, pollMs?: number): Fetched<T> & { reload: () => void } {
  const [state, setState] = useState<Fetched<T>>({ data: undefined, error: undefined, loading: !!path });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return;
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    getJson<T>(path, ctl.signal).then(
      (data) => setState({ data, error: undefined, loading: false }),
      (err: unknown) => {
        if (!isAbort(err)) setState((s) => ({ data: s.data, error: String((err as Error).message ?? err), loading: false }));
      },
    );
    const timer = pollMs ? setTimeout(() => setTick((t) => t + 1), pollMs) : undefined;
    return () => {
      ctl.abort();
      clearTimeout(timer);
    };
  }, [path, tick, pollMs]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

/** True when the keystroke is meant for a text field, so single-key shortcuts stay out of the way. */
export function typingIn(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  return t.isContentEditable || t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT';
}

/** Binds page-level keys (j, k, Enter, Escape, ...) while the view is mounted. */
export function useKeys(handler: (e: KeyboardEvent) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      if (typingIn(e)) {
        // Esc in a field leaves the field (a second Esc then closes panels), nothing more.
        if (e.key === 'Escape') (e.target as HTMLElement).blur();
        return;
      }
      ref.current(e);
    };
    addEventListener('keydown', on);
    return () => removeEventListener('keydown', on);
  }, []);
}
