/**
 * Checks who a panel request is from (DESIGN.md, security model), once per panel request:
 * - a token always guards the panel: `Authorization: Bearer <token>`, or the HttpOnly,
 *   SameSite=Strict cookie of a login session (a random id with a server-side expiry);
 * - `token` gives the debugger role, `viewerToken` the viewer role;
 * - `auth: 'loopback'` (opt-in) also lets in token-less clients on this machine, but never a
 *   request relayed by a proxy (any forwarding header) or one under a non-loopback Host;
 * - wrong tokens are throttled per client (`FailureThrottle`): 429 with Retry-After.
 */
import type { IncomingMessage } from 'node:http';
import type { AuthVia, Role } from '@debugpanel/model';
import { hasForwardingHeader, isLoopbackAddress, isLoopbackHost, readCookie, safeEqual } from './security.js';
import type { Session, SessionStore } from './sessions.js';
import { clientKey, type FailureThrottle } from './throttle.js';
import { tokenId } from './tokens.js';

export const COOKIE_NAME = 'debugpanel_session';

export interface Identity {
  role: Role;
  tokenId: string;
  via: AuthVia;
  /** The cookie's session, for `GET /api/session` */
  session?: Session;
}

export type AccessDecision =
  | ({ ok: true } & Identity)
  | { ok: false; status: 401 | 403 | 429; reason: string; retryAfter?: number };

export interface AccessOptions {
  /** The debugger token; undefined only with `loopback` and no token configured */
  token: string | undefined;
  viewerToken: string | undefined;
  loopback: boolean;
  sessions: SessionStore;
  throttle: FailureThrottle;
}

type Req = Pick<IncomingMessage, 'headers' | 'socket'>;

export class AccessControl {
  readonly loopback: boolean;
  readonly sessions: SessionStore;
  readonly throttle: FailureThrottle;
  failedLogins = 0;
  failedBearer = 0;
  readonly #tokens: Array<{ token: string; role: Role; id: string }> = [];

  constructor(o: AccessOptions) {
    this.loopback = o.loopback;
    this.sessions = o.sessions;
    this.throttle = o.throttle;
    if (o.token !== undefined) this.#tokens.push({ token: o.token, role: 'debugger', id: tokenId(o.token) });
    if (o.viewerToken !== undefined) this.#tokens.push({ token: o.viewerToken, role: 'viewer', id: tokenId(o.viewerToken) });
  }

  get hasToken(): boolean {
    return this.#tokens.length > 0;
  }

  /** Ids of the tokens in force (sessions of others are void). */
  tokenIds(): Set<string> {
    return new Set(this.#tokens.map((t) => t.id));
  }

  /** The role of a token, comparing with every configured token in constant time. */
  roleOf(candidate: string): { role: Role; tokenId: string } | undefined {
    let found: { role: Role; tokenId: string } | undefined;
    for (const t of this.#tokens) if (safeEqual(candidate, t.token) && !found) found = { role: t.role, tokenId: t.id };
    return found;
  }

  /**
   * A login attempt with `candidate` from the client of `req`: a new session, or why not (429
   * while the client is throttled, before the token is even compared; 401 for a wrong one).
   */
  login(req: Req, candidate: string): { ok: true; id: string; session: Session } | { ok: false; status: 401 | 429; retryAfter?: number } {
    const key = clientKey(req.socket?.remoteAddress);
    const wait = this.throttle.retryAfter(key);
    if (wait > 0) return { ok: false, status: 429, retryAfter: wait };
    const who = this.roleOf(candidate);
    if (!who) {
      this.failedLogins++;
      this.throttle.fail(key);
      return { ok: false, status: 401 };
    }
    const { id, session } = this.sessions.create(who.role, who.tokenId);
    return { ok: true, id, session };
  }

  check(req: Req): AccessDecision {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const key = clientKey(req.socket?.remoteAddress);
      const wait = this.throttle.retryAfter(key);
      if (wait > 0) return { ok: false, status: 429, reason: `too many wrong tokens from this client; retry in ${wait} s`, retryAfter: wait };
      const m = /^Bearer[ ]+(\S+)\s*$/i.exec(auth);
      const who = m ? this.roleOf(m[1]!) : undefined;
      if (who) return { ok: true, via: 'bearer', ...who };
      this.failedBearer++;
      this.throttle.fail(key);
      return { ok: false, status: 401, reason: 'invalid token' };
    }
    const cookie = readCookie(req.headers.cookie, cookieName(req));
    if (cookie !== undefined) {
      const session = this.sessions.get(cookie);
      if (session) return { ok: true, via: 'cookie', role: session.role, tokenId: session.tokenId, session };
      if (!this.loopback) return { ok: false, status: 401, reason: 'invalid or expired session; log in again' };
    }
    if (this.loopback) {
      if (hasForwardingHeader(req.headers)) {
        return { ok: false, status: 403, reason: "auth: 'loopback' refuses requests relayed by a proxy (a Via, Forwarded, X-Forwarded-*, X-Real-IP or similar header): send the token" };
      }
      if (!isLoopbackAddress(req.socket?.remoteAddress)) {
        return { ok: false, status: 403, reason: "auth: 'loopback' only lets in clients on this machine without a token: send the token" };
      }
      if (!isLoopbackHost(req.headers.host)) {
        return { ok: false, status: 403, reason: "auth: 'loopback' only answers under a loopback host name (localhost, 127.0.0.1, [::1]): send the token" };
      }
      return { ok: true, via: 'loopback', role: 'debugger', tokenId: 'loopback' };
    }
    return { ok: false, status: 401, reason: 'a token is required: send "Authorization: Bearer <token>" or log in at the URL the panel printed at start' };
  }
}

/**
 * The session cookie's name for the panel this request reached. Cookies ignore ports, so two
 * panels on one host (the demo's three services) would overwrite each other's cookie under one
 * name: the local port tells them apart.
 */
export function cookieName(req: Pick<IncomingMessage, 'socket'>): string {
  const port = req.socket?.localPort;
  return port ? `${COOKIE_NAME}_${port}` : COOKIE_NAME;
}
