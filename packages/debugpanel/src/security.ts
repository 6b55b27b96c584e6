/**
 * Who may use the panel (DESIGN.md, security model):
 * - no token: loopback clients only, and only under a loopback Host name (DNS-rebinding guard), and
 *   never through a proxy (a request carrying forwarding headers is treated as remote);
 * - with a token: everyone must present it, as `Authorization: Bearer <token>` or as the HttpOnly,
 *   SameSite=Strict cookie that the login page sets;
 * - mutating methods also need a same-origin browser request (or a non-browser client).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const COOKIE_NAME = 'debugpanel_session';

export type AccessDecision =
  | { ok: true; via: 'loopback' | 'bearer' | 'cookie' }
  | { ok: false; status: 401 | 403; reason: string };

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (`::ffff:127.x.y.z`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  if (address === '::1' || address === '0:0:0:0:0:0:0:1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Host names a browser only reaches on this machine: localhost, *.localhost and loopback IPs. */
export function isLoopbackHost(hostHeader: string | undefined): boolean {
  if (!hostHeader) return true; // HTTP/1.0 clients without Host are not browsers
  let host = hostHeader.toLowerCase();
  if (host.startsWith('[')) host = host.slice(1, host.indexOf(']'));
  else if (host.lastIndexOf(':') > -1) host = host.slice(0, host.lastIndexOf(':'));
  return host === 'localhost' || host.endsWith('.localhost') || isLoopbackAddress(host);
}

/**
 * A request from this machine, not relayed by a proxy. A reverse proxy on the same machine would
 * make every visitor look local, so forwarding headers make a request count as remote.
 */
export function isLocalRequest(req: Pick<IncomingMessage, 'headers' | 'socket'>): boolean {
  const h = req.headers;
  if (h['x-forwarded-for'] !== undefined || h.forwarded !== undefined || h['x-real-ip'] !== undefined) return false;
  return isLoopbackAddress(req.socket?.remoteAddress);
}

/** Compares secrets in constant time, whatever their lengths (hashing first equalizes them). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Checks access to a panel route. Prepared once per panel; `check(req)` runs per panel request. */
export class AccessControl {
  readonly #token: string | undefined;
  readonly #session: string | undefined;

  constructor(token: string | undefined) {
    this.#token = token;
    // The cookie holds a value derived from the token, not the token itself, so a leaked cookie
    // does not reveal the token (which may be reused for the Bearer header or elsewhere).
    this.#session = token === undefined ? undefined : createHmac('sha256', token).update('debugpanel session v1').digest('base64url');
  }

  get hasToken(): boolean {
    return this.#token !== undefined;
  }

  /** The cookie value the login page sets after a correct token. */
  sessionValue(): string | undefined {
    return this.#session;
  }

  tokenMatches(candidate: string): boolean {
    return this.#token !== undefined && safeEqual(candidate, this.#token);
  }

  check(req: Pick<IncomingMessage, 'headers' | 'socket'>): AccessDecision {
    if (this.#token === undefined) {
      if (!isLocalRequest(req)) {
        return { ok: false, status: 403, reason: 'the debug panel only answers loopback clients unless a token is configured' };
      }
      if (!isLoopbackHost(req.headers.host)) {
        return { ok: false, status: 403, reason: 'the debug panel only answers under a loopback host name (localhost, 127.0.0.1, [::1]) unless a token is configured' };
      }
      return { ok: true, via: 'loopback' };
    }
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer[ ]+(\S+)\s*$/i.exec(auth);
      if (m && this.tokenMatches(m[1]!)) return { ok: true, via: 'bearer' };
      return { ok: false, status: 401, reason: 'invalid token' };
    }
    const cookie = readCookie(req.headers.cookie, COOKIE_NAME);
    if (cookie !== undefined) {
      if (safeEqual(cookie, this.#session!)) return { ok: true, via: 'cookie' };
      return { ok: false, status: 401, reason: 'invalid or expired session; log in again' };
    }
    return { ok: false, status: 401, reason: 'a token is required: send "Authorization: Bearer <token>" or log in' };
  }
}

/**
 * Cross-site request guard for mutating routes. Browsers send `Sec-Fetch-Site` (and `Origin` on
 * POST/DELETE); a client that sends neither is not a browser, so a malicious page cannot be behind it.
 */
export function isSameOrigin(req: Pick<IncomingMessage, 'headers'>): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (origin === 'null') return false;
  const host = req.headers.host;
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** The value of one cookie, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
