/**
 * Three Express apps in separate processes, each with debugPanel(): A calls B with fetch, B calls
 * C with node:http. Seen through each panel's own API, the client span in one process and the
 * server span in the next share the trace id, and the server span's parent is that client span.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { SpanRecord, TraceResponse, TracesResponse } from '@debugpanel/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('../test-fixtures/hop-service.mjs', import.meta.url));
const children: ChildProcess[] = [];

async function start(service: string, env: Record<string, string> = {}): Promise<string> {
  const child = fork(FIXTURE, [], {
    env: { ...process.env, SERVICE: service, NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  const [msg] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => { throw new Error(`${service} exited with ${String(code)}`); }),
  ])) as [{ port: number }];
  return `http://127.0.0.1:${msg.port}`;
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const r = await fetch(url);
  return { status: r.status, body: (await r.json()) as T };
}

/** The spans of one trace in one process, waiting until `ready` holds (spans end after responses). */
async function spansIn(base: string, traceId: string | undefined, ready: (spans: SpanRecord[]) => boolean): Promise<SpanRecord[]> {
  const end = Date.now() + 5000;
  for (;;) {
    const r = await getJson<TraceResponse>(`${base}/_debug/api/traces/${traceId}`);
    if (r.status === 200 && ready(r.body.spans)) return r.body.spans;
    if (Date.now() > end) throw new Error(`trace ${traceId} not complete in ${base}: ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

let a: string;
let b: string;
let c: string;

beforeAll(async () => {
  c = await start('svc-c');
  b = await start('svc-b', { NEXT_URL: c, CALL: 'http' });
  a = await start('svc-a', { NEXT_URL: b, CALL: 'fetch' });
}, 30_000);

afterAll(async () => {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill();
      await exited;
    }),
  );
});

describe('a trace across three processes', () => {
  it('links client spans to the next server span, as each panel reports it', async () => {
    const res = await getJson<{ path: string[] }>(`${a}/hop`);
    expect(res.body.path).toEqual(['svc-a', 'svc-b', 'svc-c']);

    const isServer = (s: SpanRecord) => s.kind === 'server';
    const isClient = (s: SpanRecord) => s.kind === 'client';
    let traceId: string | undefined;
    for (let i = 0; i < 200 && !traceId; i++) {
      const list = await getJson<TracesResponse>(`${a}/_debug/api/traces?service=svc-a`);
      expect(list.status).toBe(200);
      traceId = list.body.traces[0]?.traceId;
      if (!traceId) await new Promise((r) => setTimeout(r, 25));
    }
    if (!traceId) throw new Error('svc-a recorded no trace');

    const inA = await spansIn(a, traceId, (s) => s.some(isServer) && s.some(isClient));
    const inB = await spansIn(b, traceId, (s) => s.some(isServer) && s.some(isClient));
    const inC = await spansIn(c, traceId, (s) => s.some(isServer));

    const serverA = inA.find(isServer)!;
    const clientA = inA.find(isClient)!;
    const serverB = inB.find(isServer)!;
    const clientB = inB.find(isClient)!;
    const serverC = inC.find(isServer)!;

    expect(serverA.parentSpanId).toBeUndefined();
    expect(serverA.service).toBe('svc-a');
    expect(clientA.parentSpanId).toBe(serverA.spanId);
    expect(clientA.attributes['url.full']).toBe(`${b}/hop`);

    expect(serverB.traceId).toBe(traceId);
    expect(serverB.parentSpanId).toBe(clientA.spanId);
    expect(serverB.service).toBe('svc-b');
    expect(clientB.parentSpanId).toBe(serverB.spanId);

    expect(serverC.traceId).toBe(traceId);
    expect(serverC.parentSpanId).toBe(clientB.spanId);
    expect(serverC.name).toBe('GET /hop');

    // each panel lists the trace under its own service too
    const inBList = await getJson<TracesResponse>(`${b}/_debug/api/traces?service=svc-b`);
    expect(inBList.body.traces.map((t) => t.traceId)).toContain(traceId);
  });
});
