/**
 * The two ways the demo's services call each other. The gateway uses `fetch` (undici) and orders
 * uses `node:http`, so both client paths of the tracing are exercised.
 */
import http from 'node:http';
import { HttpError } from './service-kit.js';

export interface JsonResponse {
  status: number;
  body: unknown;
}

const MAX_BODY = 1024 * 1024;

/**
 * `fetch` with a timeout; returns the status and the parsed JSON body (or `{ error: text }`).
 * @example const { status, body } = await fetchJson('http://127.0.0.1:3001/orders/1');
 */
export async function fetchJson(
  url: string,
  init: { method?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<JsonResponse> {
  const { method = 'GET', body, timeoutMs = 5000 } = init;
  let res: globalThis.Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new HttpError(502, `${method} ${url} failed: ${causeOf(err)}`);
  }
  const text = await res.text();
  return { status: res.status, body: parseBody(text) };
}

// One keep-alive pool per process, bounded, like any real service client.
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

/**
 * `node:http` with a timeout and a bounded body; same result shape as `fetchJson`.
 * @example const { status, body } = await httpJson('POST', 'http://127.0.0.1:3002/reservations', { items });
 */
export function httpJson(method: string, url: string, body?: unknown, timeoutMs = 5000): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      url,
      {
        method,
        agent,
        timeout: timeoutMs,
        headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY) {
            req.destroy(new Error(`response larger than ${MAX_BODY} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: parseBody(Buffer.concat(chunks).toString('utf8')) }));
        res.on('error', fail);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', fail);
    req.end(payload);
    function fail(err: Error): void {
      reject(new HttpError(502, `${method} ${url} failed: ${causeOf(err)}`));
    }
  });
}

/**
 * Relays a downstream answer: 2xx returns the body, 4xx keeps its status and message (the caller's
 * mistake), 5xx becomes 502 naming the service that failed.
 */
export function unwrap<T>(service: string, res: JsonResponse): T {
  if (res.status >= 200 && res.status < 300) return res.body as T;
  const message = errorMessage(res.body) ?? `status ${res.status}`;
  if (res.status >= 400 && res.status < 500) throw new HttpError(res.status, message);
  throw new HttpError(502, `${service} failed: ${message}`);
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return { error: text.slice(0, 200) };
  }
}

function errorMessage(body: unknown): string | undefined {
  const e = (body as { error?: unknown } | null)?.error;
  return typeof e === 'string' ? e : undefined;
}

function causeOf(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
