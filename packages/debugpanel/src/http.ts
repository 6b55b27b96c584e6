/** Small response helpers for the panel's own routes (never used on the app's requests). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiError } from '@debugpanel/model';

/** Headers on every panel response: nothing the panel serves may be sniffed, framed or cached by others. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/**
 * CSP of the UI and the login page. Vite emits external module scripts and stylesheets only;
 * inline styles set through the CSSOM (Preact's `style` prop, uPlot) are not subject to style-src.
 * Small assets may be inlined by Vite as data: URIs, hence `data:` for images and fonts.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function setSecurityHeaders(res: ServerResponse): void {
  for (const k in SECURITY_HEADERS) res.setHeader(k, SECURITY_HEADERS[k]!);
}

/**
 * Sends `body` as JSON. Routes name the body's type from `@debugpanel/model`, so what they send is
 * checked against the API contract: `sendJson<TracesResponse>(res, 200, result)`.
 */
export function sendJson<T>(res: ServerResponse, status: number, body: T): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson<ApiError>(res, status, { error: message });
}

/** Reads a small request body; refuses (and reports) anything over `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(Object.assign(new Error(`request body larger than ${limit} bytes`), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
