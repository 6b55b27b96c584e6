/**
 * Who is logged in (`api/session`: role, token id, expiry), asked once per page: the header shows
 * the role, and views that need the debugger role say so to a viewer instead of failing.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Role, SessionResponse } from '@debugpanel/model';
import { getJson } from './api.js';

let asked: Promise<SessionResponse | undefined> | undefined;

/** The session, or undefined while it loads (or on an older server without the route). */
export function useSession(): SessionResponse | undefined {
  const [session, setSession] = useState<SessionResponse>();
  useEffect(() => {
    let live = true;
    void (asked ??= getJson<SessionResponse>('api/session').catch(() => undefined)).then((s) => live && setSession(s));
    return () => {
      live = false;
    };
  }, []);
  return session;
}

/** Why a viewer cannot use a debugger feature; undefined when the role allows it (or is not known yet). */
export function needsDebugger(session: SessionResponse | undefined, what: string): string | undefined {
  const role: Role | undefined = session?.role;
  if (role !== 'viewer') return undefined;
  return `${what} need the debugger role. You are logged in with the viewer token (id ${session!.tokenId}): it shows traces, metrics and stats only. Log in with the debugger token to use them.`;
}
