/**
 * `npm run bench` (all groups, a full run) and `npm run bench -- --quick` (fewer, shorter rounds;
 * the whole bench in under two minutes, still every row). `--only <group>` runs one group.
 * Writes bench/results/latest.json and latest.md and prints the table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Context, Group } from './context.js';
import { httpGroup } from './groups/http.js';
import { memoryGroup } from './groups/memory.js';
import { storeGroup } from './groups/store.js';
import { analysisGroup } from './groups/analysis.js';
import { uiGroup } from './groups/ui.js';
import { breakpointsGroup } from './groups/breakpoints.js';
import { hubGroup } from './groups/hub.js';
import { logsGroup } from './groups/logs.js';
import { queriesGroup } from './groups/queries.js';
import { chaosGroup } from './groups/chaos.js';
import { insightsGroup } from './groups/insights.js';
import { markdown, missingRow, type Row, type RunInfo } from './report.js';

const GROUPS: Group[] = [httpGroup, memoryGroup, storeGroup, analysisGroup, breakpointsGroup, hubGroup, logsGroup, queriesGroup, chaosGroup, insightsGroup, uiGroup];

function usage(): string {
  return [
    'usage: npm run bench -- [--quick] [--only <group>]',
    '',
    'groups:',
    ...GROUPS.map((g) => `  ${g.name.padEnd(10)} ${g.about}`),
  ].join('\n');
}

async function main(): Promise<void> {
  let values: { quick?: boolean; only?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { quick: { type: 'boolean' }, only: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage()}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage());
    return;
  }
  const selected = values.only ? GROUPS.filter((g) => g.name === values.only) : GROUPS;
  if (selected.length === 0) {
    console.error(`unknown group "${values.only}"\n\n${usage()}`);
    process.exit(2);
  }

  const started = Date.now();
  const ctx: Context = {
    quick: values.quick === true,
    log: (line) => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`),
  };
  const rows: Row[] = [];
  for (const g of selected) {
    ctx.log(`group ${g.name}`);
    try {
      rows.push(...(await g.run(ctx)));
    } catch (err) {
      // One broken group must not hide the others' figures; its failure is a row of its own.
      const msg = err instanceof Error ? err.message.split('\n')[0]! : String(err);
      ctx.log(`group ${g.name} failed: ${err instanceof Error ? err.stack : msg}`);
      rows.push(missingRow(g.name, '(group)', '', undefined, `failed: ${msg}`, 'failed'));
    }
  }

  const info: RunInfo = {
    node: process.version,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    date: new Date().toISOString(),
    mode: ctx.quick ? 'quick' : 'full',
    only: values.only ?? null,
    seconds: (Date.now() - started) / 1000,
  };
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const md = markdown(info, rows);
  writeFileSync(dir + 'latest.json', JSON.stringify({ ...info, rows }, null, 2) + '\n');
  writeFileSync(dir + 'latest.md', md);
  console.log(md);
}

await main();
