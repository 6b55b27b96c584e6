import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { SpanRecord } from '@debugpanel/model';
import { createOtlpSender } from './sender.js';
import { decodeOtlpJson, decodeOtlpProtobuf } from './decode.js';

const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

/** A stand-in collector: decodes every request with our own decoder, answers `status`. */
async function collector(status = 200) {
  const received: { contentType: string; spans: SpanRecord[] }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const ct = req.headers['content-type'] ?? '';
      const r = ct.includes('json') ? decodeOtlpJson(body) : decodeOtlpProtobuf(body);
      received.push({ contentType: ct, spans: r.spans });
      res.writeHead(status, { 'content-type': ct });
      res.end(ct.includes('json') ? '{}' : undefined);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, received };
}

const span = (i: number, over: Partial<SpanRecord> = {}): SpanRecord => ({
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: (0x1000 + i).toString(16).padStart(16, '0'),
  ...(i > 0 ? { parentSpanId: '0000000000001000' } : {}),
  name: `op ${i}`,
  kind: i === 0 ? 'server' : 'client',
  service: 'orders',
  startTime: 1_700_000_000_000.25 + i,
  duration: 12.5,
  status: i === 2 ? { code: 'error', message: 'boom' } : { code: 'unset' },
  attributes: { 'http.route': '/o/:id', n: i, ok: true, list: ['a', 'b'] },
  events: [{ name: 'e', time: 1_700_000_000_001, attributes: { k: 'v' } }],
  resource: { 'service.instance.id': 'abc' },
  ...over,
});

describe('createOtlpSender', () => {
  it.each(['protobuf', 'json'] as const)('sends spans that decode back to the same records (%s)', async (protocol) => {
    const c = await collector();
    const sender = createOtlpSender({ url: c.url, protocol, intervalMs: 60_000 });
    const sent = [span(0), span(1), span(2)];
    sent.forEach((s) => sender.push(s));
    await sender.flush();
    expect(sender.stats()).toMatchObject({ sent: 3, dropped: 0, failed: 0, queued: 0 });
    const got = c.received.flatMap((r) => r.spans);
    expect(c.received[0]!.contentType).toContain(protocol === 'json' ? 'application/json' : 'application/x-protobuf');
    for (const s of sent) {
      const g = got.find((x) => x.spanId === s.spanId)!;
      expect(g).toMatchObject({
        traceId: s.traceId, name: s.name, kind: s.kind, service: 'orders', status: s.status,
        resource: { 'service.instance.id': 'abc' }, events: [{ name: 'e', attributes: { k: 'v' } }],
      });
      expect(g.parentSpanId).toBe(s.parentSpanId);
      expect(g.attributes).toMatchObject(s.attributes);
      expect(g.startTime).toBeCloseTo(s.startTime, 3);
      expect(g.duration).toBeCloseTo(s.duration, 3);
    }
    await sender.shutdown();
  });

  it('drops and counts beyond its queue bound instead of growing', async () => {
    const c = await collector();
    const sender = createOtlpSender({ url: c.url, maxQueue: 5, batchSize: 100, intervalMs: 60_000 });
    for (let i = 0; i < 12; i++) sender.push(span(i));
    expect(sender.stats()).toMatchObject({ queued: 5, dropped: 7 });
    await sender.shutdown();
    expect(sender.stats().sent).toBe(5);
  });

  it('counts batches the far side refuses', async () => {
    const c = await collector(400);
    const sender = createOtlpSender({ url: c.url, intervalMs: 60_000 });
    sender.push(span(0));
    await sender.flush();
    expect(sender.stats().failed).toBe(1);
    expect(sender.stats().lastError).toBeTruthy();
    await sender.shutdown();
  });

  it('refuses a bad URL at creation with a clear message', () => {
    expect(() => createOtlpSender({ url: 'collector:4318' })).toThrow(/must be http: or https:/);
    expect(() => createOtlpSender({ url: 'not a url' })).toThrow(/not a valid URL/);
  });
});
