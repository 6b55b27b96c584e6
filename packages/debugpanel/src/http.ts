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
  // A refused body (too slow, too large) may still be arriving: close the connection after the answer.
  if (status === 408 || status === 413) res.setHeader('Connection', 'close');
  sendJson<ApiError>(res, status, { error: message });
}

/** Longest a panel route waits for a request body before answering 408 (slow or stalled clients). */
export const BODY_TIMEOUT_MS = 10_000;

/** A request body the panel refuses: 408 (too slow), 413 (too large). The answer closes the connection. */
export class BodyError extends Error {
  constructor(
    readonly status: 408 | 413,
    message: string,
  ) {
    super(message);
  }
}

interface ParsedRequest extends IncomingMessage {
  body?: unknown;
}

/**
 * The body a parser mounted before the panel already read (`express.json()`, `express.raw()`,
 * `express.text()`, `express.urlencoded()`, ...), as bytes; undefined when the stream is unread.
 * A parsed object is written back in the request's own content type (JSON, or form fields), so
 * routes parse one thing whoever read the stream. Parsers that inflate gzip hand over plain bytes.
 */
export function consumedBody(req: IncomingMessage): Buffer | undefined {
  // body-parser's own test (on-finished): the stream is done, so nothing more will arrive.
  if (!req.readableEnded && !(req.complete && !req.readable)) return undefined;
  const body = (req as ParsedRequest).body;
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded' && typeof body === 'object') {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (typeof v === 'string') form.append(k, v);
    return Buffer.from(form.toString(), 'utf8');
  }
  try {
    return Buffer.from(JSON.stringify(body) ?? '', 'utf8');
  } catch {
    return Buffer.alloc(0); // a parser's object that cannot be written back: the route says "bad body"
  }
}

/**
 * Reads a request body of at most `limit` bytes within `timeoutMs`. Uses the body a parser before
 * the panel already read (see `consumedBody`): waiting for a consumed stream would never end.
 * Over the limit (by Content-Length, by the bytes read, or a parsed body) it rejects with a
 * `BodyError` 413 and drains the rest without keeping it, so the 413 reaches the client instead of
 * a reset connection; a body that does not arrive in time rejects with a `BodyError` 408.
 */
export function readBodyBytes(req: IncomingMessage, limit: number, timeoutMs = BODY_TIMEOUT_MS): Promise<Buffer> {
  const tooLarge = () => new BodyError(413, `request body over the limit of ${limit} bytes`);
  const consumed = consumedBody(req);
  if (consumed !== undefined) return consumed.length > limit ? Promise.reject(tooLarge()) : Promise.resolve(consumed);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // drain; the answer closes the connection
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        done();
        req.resume(); // keep draining without keeping anything
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const timer = setTimeout(() => {
      done();
      req.resume();
      reject(new BodyError(408, `request body not received within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** `readBodyBytes` as UTF-8 text: what the JSON and form routes read. */
export async function readBody(req: IncomingMessage, limit: number, timeoutMs = BODY_TIMEOUT_MS): Promise<string> {
  return (await readBodyBytes(req, limit, timeoutMs)).toString('utf8');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
