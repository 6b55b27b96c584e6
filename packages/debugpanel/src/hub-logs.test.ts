import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogsResponse, StatsResponse } from '@debugpanel/model';
import { ExportLogsServiceRequest, ExportLogsServiceResponse } from '@debugpanel/tracing/otlp';
import { debugPanel, type DebugPanelMiddleware } from './index.js';

const run = promisify(execFile);
const fixtures = fileURLToPath(new URL('../test-fixtures/', import.meta.url));
const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };
let server: Server;
let base: string;
let panel: DebugPanelMiddleware;

beforeAll(async () => {
  const app = express();
  panel = debugPanel({ service: 'hub', token: TOKEN, hub: { maxBodyBytes: 64 * 1024 } });
  app.use(panel);
  server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/_debug`;
});
afterAll(async () => {
  await panel.panel.close();
  server.close();
});

const logsOf = async (q: string) => ((await (await fetch(`${base}/api/logs?${q}`, { headers: AUTH })).json()) as LogsResponse).logs;

describe('hub: OTLP logs at {path}/v1/logs', () => {
  it('receives the official OTLP/HTTP log exporter (child process): ids, severity, body, attributes, redaction', async () => {
    const { stdout } = await run(process.execPath, [`${fixtures}otel-logs-sender.mjs`, `${base}/v1/logs`, TOKEN]);
    const ids = JSON.parse(stdout.trim().split('\n').pop()!) as { traceId: string; spanId: string };
    const [declined] = await logsOf(`traceId=${ids.traceId}`);
    expect(declined).toMatchObject({
      traceId: ids.traceId,
      spanId: ids.spanId,
      service: 'sdk-logs',
      severityNumber: 17,
      severityText: 'ERROR',
      body: 'payment declined',
      source: 'otlp',
      attributes: { 'user.id': 'u-7', amount: 30, password: '[REDACTED]', 'otel.scope.name': 'interop-fixture' },
    });
    const [warm] = await logsOf('text=warm-up');
    expect(warm).toMatchObject({ service: 'sdk-logs', severityNumber: 9, body: 'warm-up done' });
    expect(warm!.traceId).toBeUndefined();
    const stats = (await (await fetch(`${base}/api/stats`, { headers: AUTH })).json()) as StatsResponse;
    expect(stats.hub!.acceptedLogRecords).toBe(2);
    expect(stats.logs!.capture.otlp).toBe(2);
  });

  it('protobuf with partial success for a bad record', async () => {
    const rec = (spanId: unknown) => ({ timeUnixNano: 1_700_000_000_000_000_000, severityNumber: 13, body: { stringValue: 'proto line' }, traceId: Buffer.alloc(16, 7), spanId });
    const body = ExportLogsServiceRequest.encode(
      ExportLogsServiceRequest.fromObject({
        resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'proto-svc' } }] }, scopeLogs: [{ logRecords: [rec(Buffer.alloc(8, 1)), rec(Buffer.alloc(3, 1))] }] }],
      }),
    ).finish();
    const res = await fetch(`${base}/v1/logs`, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/x-protobuf' }, body });
    expect(res.status).toBe(200);
    const answer = ExportLogsServiceResponse.decode(new Uint8Array(await res.arrayBuffer())) as unknown as { partialSuccess?: { rejectedLogRecords?: unknown } };
    expect(String(answer.partialSuccess?.rejectedLogRecords)).toBe('1');
    const [r] = await logsOf('service=proto-svc');
    expect(r).toMatchObject({ body: 'proto line', severityNumber: 13, traceId: '07'.repeat(16), spanId: '01'.repeat(8), time: 1_700_000_000_000 });
  });

  it('answers 400, 415 and 413 like trace ingest', async () => {
    const post = (body: string | Buffer, type = 'application/json') => fetch(`${base}/v1/logs`, { method: 'POST', headers: { ...AUTH, 'content-type': type }, body });
    const bad = await post('{"resourceLogs": 5}');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/resourceLogs must be an array/);
    expect((await post('hello', 'text/plain')).status).toBe(415);
    expect((await post('not json')).status).toBe(400);
    expect((await post(Buffer.alloc(70 * 1024, 32))).status).toBe(413);
    const partial = await post(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'ok' } }, { traceId: 'zz', body: { stringValue: 'bad' } }] }] }] }));
    expect(await partial.json()).toMatchObject({ partialSuccess: { rejectedLogRecords: '1' } });
  });
});

describe('sendTo and exportTo carry logs too', () => {
  it.each(['sendTo', 'exportTo'] as const)('%s: a service\'s request logs reach the hub under the same trace id', async (option) => {
    const app = express();
    const service = debugPanel({ service: `svc-${option}`, token: TOKEN, [option]: { url: base, headers: AUTH, protocol: option === 'sendTo' ? 'protobuf' : 'json' } });
    app.use(service);
    app.get('/pay', (_req, res) => {
      console.info(`paying via ${option}`);
      res.end('ok');
    });
    const s: Server = await new Promise((r) => {
      const x = app.listen(0, '127.0.0.1', () => r(x));
    });
    await (await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/pay`)).text();
    await new Promise((r) => setImmediate(r));
    const [local] = service.panel.logs!.query({ text: `paying via ${option}` }).logs;
    expect(local!.traceId).toBeTruthy();
    await service.panel.close(); // flushes the senders
    s.close();
    const [remote] = await logsOf(`traceId=${local!.traceId}`);
    expect(remote).toMatchObject({ body: `paying via ${option}`, service: `svc-${option}`, spanId: local!.spanId, severityNumber: 9, source: 'otlp' });
  });
});
