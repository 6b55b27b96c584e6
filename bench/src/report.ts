/**
 * Rows of the results table, how an aim is judged, and the two outputs: `latest.json`
 * (machine-readable) and a markdown table.
 */
import type { Summary } from './stats.js';

/** An aim the project set itself, judged on the median of the value or of the ratio. */
export interface Aim {
  on: 'median' | 'ratio';
  op: '<' | '<=' | '>' | '>=';
  value: number;
  /** How the aim reads in the table, e.g. "≥ 0.85x plain" */
  text: string;
}

export type RowStatus = 'measured' | 'not available yet' | 'failed';

export interface Row {
  group: string;
  name: string;
  unit: string;
  status: RowStatus;
  median: number | null;
  min: number | null;
  max: number | null;
  samples: number;
  /** Median of the per-round ratios to `ratioTo`, with their min and max */
  ratio: number | null;
  ratioMin: number | null;
  ratioMax: number | null;
  ratioTo: string | null;
  aim: string | null;
  /** null when the row has no aim or was not measured */
  meets: boolean | null;
  /** Context: p50/RSS for HTTP rows, why a row is unavailable, what a figure includes */
  note: string | null;
}

export interface MeasuredInput {
  group: string;
  name: string;
  unit: string;
  value: Summary;
  ratio?: { summary: Summary; to: string };
  aim?: Aim;
  note?: string;
}

function compare(op: Aim['op'], a: number, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/** Whether a measured value (or ratio) meets its aim; null when there is nothing to judge. */
export function judge(aim: Aim | undefined, value: Summary, ratio: Summary | undefined): boolean | null {
  if (!aim) return null;
  const x = aim.on === 'median' ? value.median : ratio?.median;
  if (x === undefined) throw new Error(`aim "${aim.text}" is on the ratio but the row has none`);
  return compare(aim.op, x, aim.value);
}

export function measuredRow(input: MeasuredInput): Row {
  return {
    group: input.group,
    name: input.name,
    unit: input.unit,
    status: 'measured',
    median: input.value.median,
    min: input.value.min,
    max: input.value.max,
    samples: input.value.samples,
    ratio: input.ratio?.summary.median ?? null,
    ratioMin: input.ratio?.summary.min ?? null,
    ratioMax: input.ratio?.summary.max ?? null,
    ratioTo: input.ratio?.to ?? null,
    aim: input.aim?.text ?? null,
    meets: judge(input.aim, input.value, input.ratio?.summary),
    note: input.note ?? null,
  };
}

/** A row whose package (or export) has not landed: printed, never given a made-up number. */
export function missingRow(group: string, name: string, unit: string, aim: Aim | undefined, why: string, status: RowStatus = 'not available yet'): Row {
  return {
    group,
    name,
    unit,
    status,
    median: null,
    min: null,
    max: null,
    samples: 0,
    ratio: null,
    ratioMin: null,
    ratioMax: null,
    ratioTo: null,
    aim: aim?.text ?? null,
    meets: null,
    note: why,
  };
}

/** Three significant digits, thousands separated, no exponent for the sizes we print. */
export function fmt(x: number | null): string {
  if (x === null) return '—';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export interface RunInfo {
  node: string;
  cpu: string;
  cores: number;
  date: string;
  mode: 'quick' | 'full';
  only: string | null;
  seconds: number;
}

/** The markdown table printed at the end of a run and written to latest.md. */
export function markdown(info: RunInfo, rows: readonly Row[]): string {
  const out: string[] = [];
  out.push(`Measured ${info.date} (${info.mode} run, ${info.seconds.toFixed(0)} s) on Node ${info.node}, ${info.cpu} (${info.cores} cores).`);
  out.push('');
  out.push('| Group | Row | Median | Min – max | n | Ratio (min – max) | Aim | Meets | Note |');
  out.push('|---|---|---:|---:|---:|---:|---|---|---|');
  for (const r of rows) {
    if (r.status !== 'measured') {
      out.push(`| ${cell(r.group)} | ${cell(r.name)} | ${r.status} | | | | ${cell(r.aim ?? '')} | | ${cell(r.note ?? '')} |`);
      continue;
    }
    const value = `${fmt(r.median)} ${r.unit}`;
    const range = `${fmt(r.min)} – ${fmt(r.max)}`;
    const ratio = r.ratio === null ? '' : `${fmt(r.ratio)}x ${r.ratioTo ?? ''} (${fmt(r.ratioMin)} – ${fmt(r.ratioMax)})`;
    const meets = r.meets === null ? '' : r.meets ? 'yes' : '**no**';
    out.push(`| ${cell(r.group)} | ${cell(r.name)} | ${value} | ${range} | ${r.samples} | ${cell(ratio)} | ${cell(r.aim ?? '')} | ${meets} | ${cell(r.note ?? '')} |`);
  }
  return out.join('\n') + '\n';
}
