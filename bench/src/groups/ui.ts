/**
 * UI rows: the shipped JS + CSS gzip size, and a 10,000-span trace opened in headless Chromium
 * against a real `debugPanel()` app: first render, rows in the DOM, longest task while scrolling.
 * Timings come from the UI's own performance marks (`trace-fetch-start`, `trace-loaded`,
 * `waterfall-rendered`) and the browser's Long Tasks API.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startChild } from '../child.js';
import { exported, type Context, type Group } from '../context.js';
import { measuredRow, missingRow, type Aim, type Row } from '../report.js';
import { summarize } from '../stats.js';
import { FIRST_LOAD_BUDGET_KB, firstOpen, gzipBytes } from '../ui-size.js';

const SIZE_AIM: Aim = { on: 'median', op: '<=', value: 60, text: '≤ 60 KB' };
const FIRST_LOAD_AIM: Aim = { on: 'median', op: '<=', value: FIRST_LOAD_BUDGET_KB, text: `≤ ${FIRST_LOAD_BUDGET_KB} KB` };
const RENDER_AIM: Aim = { on: 'median', op: '<', value: 300, text: '< 300 ms' };
const ROWS_AIM: Aim = { on: 'median', op: '<', value: 200, text: '< 200' };
const TASK_AIM: Aim = { on: 'median', op: '<', value: 50, text: '< 50 ms' };
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const NAMES = {
  size: 'UI JS + CSS, gzip, every file shipped',
  render: 'first render of a 10,000-span trace (fetch + build + paint)',
  renderOnly: 'waterfall render after the data arrived',
  rows: 'row elements in the DOM (10,000-span trace)',
  task: 'longest task while scrolling it',
};

function uiDist(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('@debugpanel/ui/package.json');
    return join(dirname(pkg), 'dist');
  } catch {
    return null;
  }
}

/** What the browser loads on first open: index.html's files, their static imports, the landing view's chunks. */
function firstLoadRow(): Row {
  const name = 'UI JS + CSS loaded on first open, gzip';
  const dist = uiDist();
  const open = dist ? firstOpen(dist) : null;
  if (!open || open.files.length === 0) return missingRow('ui', name, 'KB', FIRST_LOAD_AIM, 'packages/ui/dist/index.html names no JS or CSS yet');
  const parts = open.files.map((f) => `${f.replace(/^assets\//, '').replace(/-[A-Za-z0-9_-]{8}\./, '.')} ${(open.gzip[f]! / 1000).toFixed(1)}`);
  return measuredRow({ group: 'ui', name, unit: 'KB', value: summarize([open.total / 1000]), aim: FIRST_LOAD_AIM, note: `gzip -9: ${parts.join(', ')}; the other lazily loaded views are in the every-file row` });
}

function sizeRow(): Row {
  const dist = uiDist();
  const assets = dist ? join(dist, 'assets') : null;
  let files: string[] = [];
  try {
    files = assets ? readdirSync(assets).filter((f) => /\.(js|css)$/.test(f)) : [];
  } catch {
    files = [];
  }
  if (!assets || files.length === 0) return missingRow('ui', NAMES.size, 'KB', SIZE_AIM, 'packages/ui/dist/assets has no JS or CSS yet');
  let total = 0;
  const parts: string[] = [];
  for (const f of files) {
    const gz = gzipBytes(join(assets, f));
    total += gz;
    parts.push(`${f.replace(/-[A-Za-z0-9_-]{8}\./, '.')} ${(gz / 1000).toFixed(1)}`);
  }
  const kb = total / 1000;
  return measuredRow({ group: 'ui', name: NAMES.size, unit: 'KB', value: summarize([kb]), aim: SIZE_AIM, note: `gzip -9, 1 KB = 1,000 bytes: ${parts.join(', ')}` });
}

interface PageFigures {
  fetchToRender: number;
  renderOnly: number | null;
  rows: number;
  rowsAfterScroll: number;
  longTasks: number[];
  maxFrameGap: number;
}

async function run(ctx: Context): Promise<Row[]> {
  const rows: Row[] = [sizeRow(), firstLoadRow()];
  const browserNames: Array<[string, string, Aim | undefined]> = [
    [NAMES.render, 'ms', RENDER_AIM],
    [NAMES.renderOnly, 'ms', undefined],
    [NAMES.rows, 'rows', ROWS_AIM],
    [NAMES.task, 'ms', TASK_AIM],
  ];
  const missing = (why: string, status: 'not available yet' | 'failed' = 'not available yet'): Row[] =>
    browserNames.map(([n, u, a]) => missingRow('ui', n, u, a, why, status));

  if (!(await exported('debugpanel', 'debugPanel'))) return [...rows, ...missing('debugpanel does not export debugPanel() yet')];
  if (!uiDist()) return [...rows, ...missing('@debugpanel/ui is not built yet')];
  if (!existsSync(CHROMIUM)) return [...rows, ...missing(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`, 'failed')];
  try {
    return [...rows, ...(await browserRows(ctx))];
  } catch (err) {
    return [...rows, ...missing(`failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, 'failed')];
  }
}

async function browserRows(ctx: Context): Promise<Row[]> {
  const rows: Row[] = [];
  const missing = (why: string): Row[] =>
    [[NAMES.render, 'ms', RENDER_AIM], [NAMES.renderOnly, 'ms', undefined], [NAMES.rows, 'rows', ROWS_AIM], [NAMES.task, 'ms', TASK_AIM]].map(([n, u, a]) =>
      missingRow('ui', n as string, u as string, a as Aim | undefined, why, 'failed'),
    );
  const { chromium } = await import('playwright-core');
  const { child: server, ready } = await startChild('ui-app', 'servers/ui-app.js', { env: { NODE_ENV: 'development' } });
  const base = `http://127.0.0.1:${String(ready.port)}`;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    const made = (await (await fetch(`${base}/big`)).json()) as { spans: number };
    let traceId: string | undefined;
    for (let i = 0; i < 50 && !traceId; i++) {
      const list = (await (await fetch(`${base}/_debug/api/traces?name=${encodeURIComponent('GET /big')}`)).json()) as { traces?: Array<{ traceId: string; spanCount: number }> };
      const t = list.traces?.find((x) => x.spanCount >= made.spans);
      if (t) traceId = t.traceId;
      else await new Promise((r) => setTimeout(r, 100));
    }
    if (!traceId) return missing(`the ${made.spans}-span trace never appeared in /_debug/api/traces`);

    const samples: PageFigures[] = [];
    const n = ctx.quick ? 3 : 10;
    for (let s = 0; s < n; s++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
      try {
        await page.goto(`${base}/_debug/#/traces`);
        await page.waitForSelector('[data-testid="trace-row"]', { timeout: 30_000 });
        await page.evaluate(() => {
          const w = window as unknown as { longTasks: number[] };
          w.longTasks = [];
          new PerformanceObserver((l) => {
            for (const e of l.getEntries()) w.longTasks.push(e.duration);
          }).observe({ type: 'longtask' });
          performance.clearMarks();
          performance.clearMeasures();
        });
        await page.evaluate((id) => (location.hash = `#/trace/${id}`), traceId);
        await page.waitForFunction(() => performance.getEntriesByName('waterfall-rendered').length > 0, undefined, { timeout: 30_000 });
        const marks = await page.evaluate(() => {
          const start = performance.getEntriesByName('trace-fetch-start')[0]?.startTime;
          const done = performance.getEntriesByName('waterfall-rendered')[0]?.startTime;
          const measure = performance.getEntriesByName('waterfall-render')[0]?.duration;
          return { start, done, measure };
        });
        if (marks.start === undefined || marks.done === undefined) throw new Error('the UI set no trace-fetch-start / waterfall-rendered marks');
        const domRows = await page.locator('[data-testid="wf-row"]').count();
        // Open everything so there is a long list to scroll, then scroll it with the wheel.
        const expand = page.locator('[data-testid="expand-all"]');
        if ((await expand.count()) > 0) await expand.first().click();
        // Let the expand re-render finish: its cost is not part of scrolling.
        await page.waitForTimeout(300);
        await page.evaluate(() => {
          (window as unknown as { longTasks: number[] }).longTasks = [];
          const w = window as unknown as { gaps: number[] };
          w.gaps = [];
          let last = performance.now();
          const tick = (): void => {
            const now = performance.now();
            w.gaps.push(now - last);
            last = now;
            if (w.gaps.length < 2000) requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
        });
        await page.hover('[data-testid="waterfall-scroll"]');
        for (let i = 0; i < 40; i++) {
          await page.mouse.wheel(0, 600);
          await page.waitForTimeout(16);
        }
        await page.waitForTimeout(200);
        const after = await page.evaluate(() => {
          const w = window as unknown as { longTasks: number[]; gaps: number[] };
          return { longTasks: w.longTasks, maxGap: Math.max(0, ...w.gaps.slice(1)) };
        });
        samples.push({
          fetchToRender: marks.done - marks.start,
          renderOnly: marks.measure ?? null,
          rows: domRows,
          rowsAfterScroll: await page.locator('[data-testid="wf-row"]').count(),
          longTasks: after.longTasks,
          maxFrameGap: after.maxGap,
        });
      } finally {
        await page.close();
      }
    }
    ctx.log(`ui: first render ${summarize(samples.map((s) => s.fetchToRender)).median.toFixed(0)} ms`);
    rows.push(measuredRow({ group: 'ui', name: NAMES.render, unit: 'ms', value: summarize(samples.map((s) => s.fetchToRender)), aim: RENDER_AIM, note: `performance marks trace-fetch-start → waterfall-rendered, fresh page each time, ${made.spans} spans` }));
    const renderOnly = samples.map((s) => s.renderOnly).filter((x): x is number => x !== null);
    rows.push(renderOnly.length ? measuredRow({ group: 'ui', name: NAMES.renderOnly, unit: 'ms', value: summarize(renderOnly), note: 'measure waterfall-render (trace-loaded → waterfall-rendered)' }) : missingRow('ui', NAMES.renderOnly, 'ms', undefined, 'the UI set no waterfall-render measure', 'failed'));
    rows.push(measuredRow({ group: 'ui', name: NAMES.rows, unit: 'rows', value: summarize(samples.flatMap((s) => [s.rows, s.rowsAfterScroll])), aim: ROWS_AIM, note: 'wf-row elements after the first render and after expanding all and scrolling' }));
    const longest = samples.map((s) => Math.max(0, ...s.longTasks));
    const longTaskCount = samples.reduce((k, s) => k + s.longTasks.length, 0);
    rows.push(
      measuredRow({
        group: 'ui',
        name: NAMES.task,
        unit: 'ms',
        value: summarize(longest),
        aim: TASK_AIM,
        note: `Long Tasks API over 40 wheel steps of 600 px after expand-all (it reports tasks over 50 ms only: 0 = none); ${longTaskCount} long tasks in all; longest frame gap ${summarize(samples.map((s) => s.maxFrameGap)).median.toFixed(0)} ms (median)`,
      }),
    );
  } finally {
    await browser?.close();
    await server.stop();
  }
  return rows;
}

export const uiGroup: Group = {
  name: 'ui',
  about: 'UI gzip size; 10,000-span trace in headless Chromium: first render, DOM rows, longest task while scrolling',
  run,
};
