/** Logs: LogStore queries over 100,000 records, and what pino and console calls cost with capture on. */
import { runWorker } from '../child.js';
import type { Context, Group } from '../context.js';
import { tryImport } from '../context.js';
import { measuredRow, missingRow, type Aim, type Row } from '../report.js';
import { ratioSummary, summarize } from '../stats.js';

const TRACE_AIM: Aim = { on: 'median', op: '<', value: 1, text: '< 1 ms' };
const TEXT_AIM: Aim = { on: 'median', op: '<', value: 20, text: '< 20 ms' };
const PINO_AIM: Aim = { on: 'ratio', op: '<=', value: 1.25, text: '≤ 1.25x capture off' };
const CONSOLE_AIM: Aim = { on: 'ratio', op: '<=', value: 1.5, text: '≤ 1.5x capture off' };

async function run(ctx: Context): Promise<Row[]> {
  const group = 'logs';
  if (!(await tryImport('@debugpanel/logs'))) return [missingRow(group, 'log store', 'ms', TRACE_AIM, '@debugpanel/logs is not built')];
  const rows: Row[] = [];
  const s = await runWorker<{ ingest: number[]; results: Record<string, { times: number[]; found: number }>; records: number; bytes: number }>(
    'logs store', 'workers/logs.js', { mode: 'store', reps: ctx.quick ? 20 : 100 },
  );
  rows.push(measuredRow({ group, name: 'ingest 100,000 records', unit: 'records/s', value: summarize(s.ingest), note: `${s.records} held, ${(s.bytes / 2 ** 20).toFixed(1)} MiB estimated` }));
  for (const [label, r] of Object.entries(s.results)) {
    const aim = label.startsWith('traceId') ? TRACE_AIM : label.startsWith('text') ? TEXT_AIM : undefined;
    rows.push(measuredRow({ group, name: `query over 100,000 records: ${label}`, unit: 'ms', value: summarize(r.times), ...(aim ? { aim } : {}), note: `${r.found} records on the page (limit 100)` }));
  }
  ctx.log(`logs: by trace ${summarize(s.results['traceId (a trace of 5)']!.times).median.toFixed(3)} ms`);

  type Capture = Record<'pinoOff' | 'pinoOn' | 'consoleOff' | 'consoleOn' | 'pinoOffTotal' | 'pinoOnTotal' | 'consoleOffTotal' | 'consoleOnTotal', number[]> & { stored: number };
  const c = await runWorker<Capture>('logs capture', 'workers/logs.js', { mode: 'capture', rounds: ctx.quick ? 6 : 20, bursts: ctx.quick ? 100 : 300 });
  // The aims are on the call the app makes; the "with batch work" rows add what capture does after
  // the tick (formatting, redacting, storing), which also runs on the app's thread.
  rows.push(measuredRow({ group, name: 'pino info, capture off', unit: 'ns/call', value: summarize(c.pinoOff), note: 'inside a request span; null stream' }));
  rows.push(measuredRow({ group, name: 'pino info, capture on', unit: 'ns/call', value: summarize(c.pinoOn), aim: PINO_AIM, ratio: { summary: ratioSummary(c.pinoOn, c.pinoOff), to: 'capture off' }, note: 'the call: trace ids injected, line queued' }));
  rows.push(measuredRow({ group, name: 'pino info, capture on, with batch work', unit: 'ns/call', value: summarize(c.pinoOnTotal), ratio: { summary: ratioSummary(c.pinoOnTotal, c.pinoOffTotal), to: 'capture off' }, note: `+ fields read, redacted, stored (${c.stored} held)` }));
  rows.push(measuredRow({ group, name: 'console.log, capture off', unit: 'ns/call', value: summarize(c.consoleOff), note: 'format string + 2 args; stdout writes discarded' }));
  rows.push(measuredRow({ group, name: 'console.log, capture on', unit: 'ns/call', value: summarize(c.consoleOn), aim: CONSOLE_AIM, ratio: { summary: ratioSummary(c.consoleOn, c.consoleOff), to: 'capture off' }, note: 'the call: arguments queued' }));
  rows.push(measuredRow({ group, name: 'console.log, capture on, with batch work', unit: 'ns/call', value: summarize(c.consoleOnTotal), ratio: { summary: ratioSummary(c.consoleOnTotal, c.consoleOffTotal), to: 'capture off' }, note: '+ formatted, redacted, stored' }));
  return rows;
}

export const logsGroup: Group = {
  name: 'logs',
  about: 'LogStore queries over 100,000 records; pino and console cost with capture on vs off',
  run,
};
