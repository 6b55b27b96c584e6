/**
 * The request checks behind the panel's access control (`access.ts`): loopback addresses and Host
 * names, forwarding headers, same-origin mutations, cookies, constant-time comparison.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

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

/** Headers a proxy adds; exact names (the `x-forwarded-` family is matched by prefix). */
const FORWARDING_HEADERS = ['via', 'forwarded', 'x-real-ip', 'x-client-ip', 'true-client-ip', 'cf-connecting-ip'];

/**
 * True when a proxy relayed the request: `Via`, `Forwarded`, any `X-Forwarded-*`, `X-Real-IP`,
 * `X-Client-IP`, `True-Client-IP` or `CF-Connecting-IP`. A proxy that adds none of them (nginx's
 * default `proxy_pass`) cannot be told apart from a local client: hence a token by default.
 */
export function hasForwardingHeader(headers: IncomingMessage['headers']): boolean {
  for (const h of FORWARDING_HEADERS) if (headers[h] !== undefined) return true;
  for (const k in headers) if (k.startsWith('x-forwarded-')) return true;
  return false;
}

/** A request from this machine, not relayed by a proxy that says so. */
export function isLocalRequest(req: Pick<IncomingMessage, 'headers' | 'socket'>): boolean {
  return !hasForwardingHeader(req.headers) && isLoopbackAddress(req.socket?.remoteAddress);
}

/** Compares secrets in constant time, whatever their lengths (hashing first equalizes them). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
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
