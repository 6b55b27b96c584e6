/**
 * What the default set-up leaves unloaded (issue 14, non-store heap): the OTLP codec and exporters
 * without hub or export, the pg / mysql2 / pino / winston / better-sqlite3 instrumentations' libraries
 * while the app has not required them (all installed in this workspace, resolvable from the child's
 * working directory, as they were loaded before), acorn until a breakpoint expression is checked,
 * hdr-histogram-js's index (WebAssembly build, pako). And the lazily loaded parts still work:
 * export reaches a collector, the hub decodes OTLP/protobuf. Each case in a fresh process.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeOtlpProtobuf } from '@debugpanel/tracing/otlp';

const fixture = fileURLToPath(new URL('../test-fixtures/lazy-modules.mjs', import.meta.url));
const run = (...args: string[]) =>
  JSON.parse(execFileSync(process.execPath, [fixture, ...args], { encoding: 'utf8', timeout: 30_000 })) as {
    loadedAtSetup: string[];
    loaded: string[];
    received: string[];
    status?: number;
    contentType?: string;
    spans?: string[];
  };

describe('lazily loaded modules', () => {
  it("app.use(debugPanel()) and one request load none of the codec, exporters, instrumented libraries, acorn or hdr-histogram-js's WebAssembly build", () => {
    const r = run('default');
    expect(r.loadedAtSetup).toEqual([]);
    expect(r.loaded).toEqual([]);
  });

  it('exportTo loads the exporter on its own and the spans reach the collector as protobuf', () => {
    const r = run('export');
    expect(r.received.length).toBeGreaterThan(0);
    expect(r.received[0]).toBe('application/x-protobuf');
    expect(r.loaded).toContain('@opentelemetry/otlp-transformer');
    expect(r.loaded).not.toContain('pg');
  });

  it('the hub decodes an OTLP/protobuf request with the codec it loaded itself', () => {
    const traceId = 'ab'.repeat(16);
    const now = BigInt(Date.now()) * 1_000_000n;
    const body = encodeOtlpProtobuf({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'remote' } }] },
          scopeSpans: [
            {
              scope: { name: 'test' },
              spans: [{ traceId, spanId: 'cd'.repeat(8), name: 'GET /remote', kind: 2, startTimeUnixNano: String(now - 5_000_000n), endTimeUnixNano: String(now) }],
            },
          ],
        },
      ],
    });
    const r = run('hub', Buffer.from(body).toString('hex'), traceId);
    expect(r.status).toBe(200);
    expect(r.contentType).toBe('application/x-protobuf');
    expect(r.spans).toEqual(['remote GET /remote']);
    expect(r.loaded).toContain('protobufjs');
  });
});
