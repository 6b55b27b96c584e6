/**
 * Hub ingest: spans per second a `debugPanel({ hub: true })` process accepts over OTLP/HTTP,
 * protobuf and JSON, from a second process. Encodings alternate by round.
 */
import { startChild, type Child } from '../child.js';
import type { Context, Group } from '../context.js';
import { measuredRow, missingRow, type Row } from '../report.js';
import { ratioSummary, summarize } from '../stats.js';

interface LoadOut {
  spansPerSecond: number;
  throttled: number;
  refused: number;
  failed: number;
  bodyBytes: number;
}

const NAMES = { protobuf: 'hub ingest over OTLP/HTTP protobuf', json: 'hub ingest over OTLP/HTTP JSON' };

async function run(ctx: Context): Promise<Row[]> {
  const group = 'hub';
  let hub: Child;
  let port: number;
  try {
    const started = await startChild('hub', 'servers/hub.js', { env: { NODE_ENV: 'development' } });
    hub = started.child;
    port = Number(started.ready.port);
  } catch (err) {
    const why = /unknown option|did you mean|hub/i.test(String(err)) ? 'debugPanel() does not take the hub option yet' : `hub did not start: ${String(err).split('\n')[0]}`;
    return [missingRow(group, NAMES.protobuf, 'spans/s', undefined, why), missingRow(group, NAMES.json, 'spans/s', undefined, why)];
  }
  const { child: load } = await startChild('otlp-load', 'workers/otlp-load.js');
  try {
    const rounds = ctx.quick ? 2 : 5;
    const seconds = ctx.quick ? 1.5 : 4;
    const url = `http://127.0.0.1:${port}/_debug/v1/traces`;
    const res: Record<'protobuf' | 'json', LoadOut[]> = { protobuf: [], json: [] };
    for (const enc of ['protobuf', 'json'] as const) await load.request({ type: 'run', encoding: enc, url, seconds: 0.5, concurrency: 4 });
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? (['protobuf', 'json'] as const) : (['json', 'protobuf'] as const);
      for (const enc of order) res[enc].push(await load.request<LoadOut>({ type: 'run', encoding: enc, url, seconds, concurrency: 4 }));
    }
    const info = await hub.request<{ setup: string; stats?: { store?: { spans?: number } } }>({ type: 'info' });
    const held = info.stats?.store?.spans;
    const rows: Row[] = [];
    for (const enc of ['protobuf', 'json'] as const) {
      const xs = res[enc];
      const bad = xs.reduce((n, x) => n + x.refused + x.failed, 0);
      const throttled = xs.reduce((n, x) => n + x.throttled, 0);
      if (xs.every((x) => x.spansPerSecond === 0)) {
        rows.push(missingRow(group, NAMES[enc], 'spans/s', undefined, `no batch accepted (${bad} refused or failed, ${throttled} answered 429)`, 'failed'));
        continue;
      }
      rows.push(
        measuredRow({
          group,
          name: NAMES[enc],
          unit: 'spans/s',
          value: summarize(xs.map((x) => x.spansPerSecond)),
          ...(enc === 'json' ? { ratio: { summary: ratioSummary(xs.map((x) => x.spansPerSecond), res.protobuf.map((x) => x.spansPerSecond)), to: 'protobuf' } } : {}),
          note: `batches of 512 spans (${(xs[0]!.bodyBytes / 1024).toFixed(0)} KiB) from the official serializers, 4 concurrent senders; ${info.setup}; ${throttled} answered 429, ${bad} refused or failed; the hub's store holds ${held ?? '?'} spans at the end`,
        }),
      );
    }
    return rows;
  } finally {
    await Promise.all([load.stop(), hub.stop()]);
  }
}

export const hubGroup: Group = {
  name: 'hub',
  about: 'spans per second the hub ingests over OTLP/HTTP protobuf and JSON from a second process',
  run,
};
