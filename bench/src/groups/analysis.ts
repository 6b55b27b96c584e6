/** Analysis rows: flame graph, critical path, merge, dependency map, metrics cost per span. */
import { runWorker } from '../child.js';
import type { Context, Group } from '../context.js';
import { measuredRow, missingRow, type Aim, type Row } from '../report.js';
import { summarize } from '../stats.js';
import type { AnalysisResult } from '../workers/analysis.js';

// Aims set for the flame graphs ("a few milliseconds", "well under 100 ms"); the others have
// none yet and are reported as figures.
const ROWS: Array<{ label: string; unit: string; aim?: Aim }> = [
  { label: 'flame graph of a 10,000-span trace', unit: 'ms', aim: { on: 'median', op: '<=', value: 5, text: '≤ 5 ms' } },
  { label: 'critical path of a 10,000-span trace', unit: 'ms', aim: { on: 'median', op: '<=', value: 5, text: '≤ 5 ms' } },
  { label: 'merge of 1,000 traces (20 spans each)', unit: 'ms', aim: { on: 'median', op: '<', value: 100, text: '< 100 ms' } },
  { label: 'dependency map of 100,000 spans', unit: 'ms' },
  { label: 'metrics: record one span', unit: 'ns' },
  { label: 'redaction: one span', unit: 'ns' },
  { label: 'errors: fingerprint and group one exception', unit: 'µs' },
];

interface SamplerResult {
  missing?: string;
  nsPerSpan: number[];
  heap: number[];
  pending: number;
  evictedEarly: number;
  kept: number;
  dropped: number;
}

async function samplerRows(ctx: Context, group: string): Promise<Row[]> {
  const cost = 'sampler: TailSampler cost per span (production policies)';
  const held = 'sampler: heap held with 5,000 traces in flight';
  const res = await runWorker<SamplerResult>('sampler', 'workers/sampler.js', { reps: ctx.quick ? 3 : 10 }, { execArgv: ['--expose-gc'] });
  if (res.missing) return [missingRow(group, cost, 'ns', undefined, res.missing), missingRow(group, held, 'MB', undefined, res.missing)];
  return [
    measuredRow({ group, name: cost, unit: 'ns', value: summarize(res.nsPerSpan), note: `100,000 spans in traces of 10, children before roots, decided on tick: ${res.kept} traces kept, ${res.dropped} dropped` }),
    measuredRow({ group, name: held, unit: 'MB', value: summarize(res.heap), note: `45,000 child spans whose roots have not ended, buffered spans included; ${res.pending} traces pending at the end (the bound), ${res.evictedEarly} decided early; heap delta after gc` }),
  ];
}

async function run(ctx: Context): Promise<Row[]> {
  const group = 'analysis';
  const res = await runWorker<AnalysisResult>('analysis', 'workers/analysis.js', { reps: ctx.quick ? 5 : 20 });
  const sampler = await samplerRows(ctx, group);
  return [...rowsOf(res, group), ...sampler];
}

function rowsOf(res: AnalysisResult, group: string): Row[] {
  return ROWS.map(({ label, unit, aim }) => {
    const r = res[label];
    if (!r) return missingRow(group, label, unit, aim, 'the analysis worker returned nothing for it', 'failed');
    if ('missing' in r) return missingRow(group, label, unit, aim, r.missing);
    return measuredRow({ group, name: label, unit, value: summarize(r.samples), ...(aim ? { aim } : {}), ...(r.note ? { note: r.note } : {}) });
  });
}

export const analysisGroup: Group = {
  name: 'analysis',
  about: 'flame graph, critical path, merged flames, dependency map, metrics, redaction, error grouping and sampler cost per span',
  run,
};
