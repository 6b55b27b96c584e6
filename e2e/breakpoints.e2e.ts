/**
 * Live breakpoints from the UI: a TypeScript app built with source maps runs in its own
 * Node process (so V8 runs the real compiled scripts); in Chromium we pick its .ts file, click a
 * line inside the handler, send a request, watch the breakpoint turn to "hit", open the snapshot,
 * read the locals and follow the trace link. Screenshot: e2e/screenshots/breakpoints.png.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_TOKEN, login, openPage } from './src/browser.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SHOTS = join(HERE, 'screenshots');
const TS_FILE = 'src/breakpoints-app/pricing.ts';
const LONG_LINES = 20_000;

let root: string;
let child: ChildProcess;
let base: string;
let closeBrowser: () => Promise<void>;
let page: Page;
const pageErrors: string[] = [];

/** The 1-based line of the first line of a .ts source containing `text` (not hard-coded). */
const lineOf = (text: string, file = join(HERE, TS_FILE)) => readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;

/** Starts `node <script>` in `cwd` and resolves with the URL it prints once it listens. */
async function start(cwd: string, script: string, env: Record<string, string>): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [script], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'development', ...env } });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (?:on )?(\S+)/.exec(out);
      if (m) resolve(/^\d+$/.test(m[1]!) ? `http://127.0.0.1:${m[1]}` : m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`${script} exited (${code}): ${stderr}`)));
  });
  return { proc, url };
}

async function stop(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // The app's root is a fresh folder with the sources and the compiled output side by side (the
  // source maps point from dist/ back to src/), so the file list is short and no saved breakpoint
  // (.debugpanel/) of an earlier run comes back.
  root = realpathSync(mkdtempSync(join(tmpdir(), 'dp-bp-e2e-')));
  cpSync(join(HERE, 'src', 'breakpoints-app'), join(root, 'src', 'breakpoints-app'), { recursive: true });
  cpSync(join(HERE, 'dist', 'breakpoints-app'), join(root, 'dist', 'breakpoints-app'), { recursive: true });
  // A long source file (never loaded), for the virtualized code view.
  writeFileSync(join(root, 'src', 'long.ts'), Array.from({ length: LONG_LINES }, (_, i) => `export const v${i + 1} = ${i + 1};`).join('\n') + '\n');
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'pricing', private: true, type: 'module' }));
  symlinkSync(join(HERE, '..', 'node_modules'), join(root, 'node_modules'), 'dir');

  const app = await start(root, 'dist/breakpoints-app/server.js', { PORT: '0', DEBUGPANEL_TOKEN: E2E_TOKEN });
  child = app.proc;
  base = app.url;

  ({ page, close: closeBrowser } = await openPage({ width: 1400, height: 820 }, pageErrors));
  await login(page, base);
});

afterAll(async () => {
  await closeBrowser?.();
  await stop(child);
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('breakpoints view in Chromium', () => {
  it('sets a snapshot breakpoint on a TypeScript line, sees it hit, opens the snapshot and its trace', async () => {
    const line = lineOf('return { customer');
    expect(line).toBeGreaterThan(1);

    await page.goto(`${base}/_debug/#/breakpoints`);
    await page.waitForSelector('[data-testid="view-breakpoints"] [data-testid="bp-file"]');
    // Filter the sources, then pick the .ts file.
    await page.fill('[data-testid="bp-file-filter"]', 'pricing');
    const files = await page.locator('[data-testid="bp-file"]').allTextContents();
    expect(files[0]).toBe(TS_FILE); // sources before build output
    // The build copy of a listed source (its source map names it) is left out by the server (issue 19, item 6), and said so.
    expect(files).not.toContain('dist/breakpoints-app/pricing.js');
    expect(await page.locator('[data-testid="bp-hidden-server"]').textContent()).toMatch(/tests and build files with a source-mapped original not listed/);
    await page.click(`[data-testid="bp-file"][title="${TS_FILE}"]`);
    await page.waitForSelector(`[data-testid="bp-gutter"][data-line="${line}"]`);
    expect(await page.evaluate(() => location.hash)).toContain(`file=${encodeURIComponent(TS_FILE)}`);

    // A bad condition is refused by the server; its reason shows next to the form.
    await page.fill('[data-testid="bp-condition"]', 'total = 1');
    await page.click(`[data-testid="bp-gutter"][data-line="${line}"]`);
    await expect.poll(() => page.locator('[data-testid="bp-error"]').textContent()).toMatch(/side effect|assign/i);
    expect(await page.locator('[data-testid="bp-item"]').count()).toBe(0);

    // A good one, with a watch, set from the gutter of the line inside the handler.
    await page.fill('[data-testid="bp-condition"]', 'subtotal > 100');
    await page.fill('[data-testid="bp-watch"]', 'lines.length * 2\ncustomer.toUpperCase()');
    await page.click(`[data-testid="bp-gutter"][data-line="${line}"]`);
    const item = page.locator('[data-testid="bp-item"]');
    await expect.poll(() => item.getAttribute('data-state')).toMatch(/^(pending|active)$/);
    expect(await page.locator('[data-testid="bp-error"]').count()).toBe(0);
    expect(await page.locator(`[data-testid="bp-gutter"][data-line="${line}"]`).getAttribute('class')).toContain('has-bp');

    // The request runs the line: the app answers as usual, the breakpoint turns to hit.
    const res = await fetch(`${base}/api/quote?customer=ada`);
    expect(await res.json()).toEqual({ customer: 'ada', items: 2, subtotal: 110, discount: 0.1, total: 99 });
    await expect.poll(() => item.getAttribute('data-state'), { timeout: 10_000 }).toBe('hit');
    expect(await item.locator('[data-testid="bp-state"]').textContent()).toBe('hit · 1/1 hit');
    await expect.poll(() => page.locator('[data-testid="bp-snapshot"]').count()).toBe(1);

    // A logpoint from the keyboard: ↑ selects the line above in the code view, Enter sets it.
    await page.selectOption('[data-testid="bp-kind"]', 'logpoint');
    await page.fill('[data-testid="bp-condition"]', '');
    await page.fill('[data-testid="bp-message"]', 'subtotal={subtotal} discount={discount}');
    await page.focus('[data-testid="bp-code"]');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => page.evaluate(() => location.hash)).toContain(`line=${line - 1}`);
    await page.keyboard.press('Enter');
    await expect.poll(() => item.count()).toBe(2);
    await fetch(`${base}/api/quote?customer=bob`).then((r) => r.arrayBuffer());
    await expect.poll(() => page.locator('[data-testid="bp-logs"]').textContent(), { timeout: 10_000 }).toContain('subtotal=110 discount=0.1');
    expect(await page.locator(`[data-testid="bp-gutter"][data-line="${line - 1}"]`).getAttribute('class')).toContain('st-active');
    await page.screenshot({ path: join(SHOTS, 'breakpoints-list.png') });

    // Open the snapshot: the top frame is pricing.ts at the line, with the locals.
    await page.locator('[data-testid="bp-snapshot"]').first().click();
    await page.waitForSelector('[data-testid="snapshot-detail"] [data-testid="snapshot-frame"]');
    expect(await page.evaluate(() => location.hash)).toMatch(/^#\/breakpoints\/snapshot\/[^?]+\?file=/);
    const detail = page.locator('[data-testid="snapshot-detail"]');
    expect(await detail.textContent()).toContain(`${TS_FILE}:${line}`);
    expect(await detail.locator('[data-testid="snapshot-frame"]').first().textContent()).toContain(`pricing.ts:${line}`);
    const value = (name: string) => detail.locator(`[data-testid="snapshot-frames"] [data-testid="snapshot-var"][data-name="${name}"] [data-testid="snapshot-value"]`).first().textContent();
    expect(await value('subtotal')).toBe('110');
    expect(await value('discount')).toBe('0.1');
    expect(await value('total')).toBe('99');
    expect(await value('customer')).toBe('"ada"');
    const watches = await detail.locator('[data-testid="snapshot-watches"] [data-testid="snapshot-var"]').allTextContents();
    // Its value, or the agent's 50 ms watch budget running out on a busy shared machine (shown as the row's error).
    expect(watches[0]).toMatch(/^lines\.length \* 2(4|timed out after \d+ ms)$/);
    // A method call with no side effect is allowed by V8's check; whatever V8 decides, the row says it.
    expect(watches[1]).toMatch(/customer\.toUpperCase\(\)/);
    // Lazily expanded: the lines array's items appear only when opened.
    const linesVar = detail.locator('[data-testid="snapshot-frames"] [data-testid="snapshot-var"][data-name="lines"]').first();
    expect(await linesVar.locator('[data-testid="snapshot-var"]').count()).toBe(0);
    await linesVar.locator('button.toggle').first().click();
    expect(await linesVar.locator('[data-testid="snapshot-var"]').count()).toBeGreaterThan(0);
    // The snapshot's line is marked in the source view.
    expect(await page.locator(`[data-testid="src-line"][data-line="${line}"]`).getAttribute('class')).toContain('stopped');

    await page.screenshot({ path: join(SHOTS, 'breakpoints.png') });
    // The dark theme, for a look at both.
    await page.click('[data-testid="theme-toggle"]');
    await page.screenshot({ path: join(SHOTS, 'breakpoints-dark.png') });
    await page.click('[data-testid="theme-toggle"]');

    // Follow the trace link: the request's trace with the span that ran the line.
    const href = await detail.locator('[data-testid="snapshot-trace"]').getAttribute('href');
    expect(href).toMatch(/^#\/trace\/[0-9a-f]{32}\?span=[0-9a-f]{16}$/);
    await detail.locator('[data-testid="snapshot-trace"]').click();
    await page.waitForSelector('[data-testid="waterfall"] .wf-row', { timeout: 10_000 });
    expect(await page.locator('[data-testid="waterfall"]').textContent()).toContain('/api/quote');
    // The span that ran the line carries the snapshot as an event, linked back to it.
    const back = page.locator('[data-testid="span-detail"] [data-testid="span-snapshot-link"]');
    await back.waitFor();
    await back.click();
    await page.waitForSelector('[data-testid="snapshot-detail"] [data-testid="snapshot-frame"]');
    // Opened from a bare snapshot link, the view finds the snapshot's file and line itself.
    await expect.poll(() => page.evaluate(() => location.hash)).toContain(`line=${line}`);
    expect(await page.locator(`[data-testid="src-line"][data-line="${line}"]`).getAttribute('class')).toContain('stopped');

  });

  it('keeps only the lines in view in the DOM for a long file, and opens a shared link at its line', async () => {
    await page.goto(`${base}/_debug/#/breakpoints?file=src%2Flong.ts&line=15000`);
    const target = page.locator('[data-testid="src-line"][data-line="15000"]');
    await target.waitFor();
    expect(await target.getAttribute('class')).toContain('selected');
    expect(await target.textContent()).toContain('export const v15000 = 15000;');
    const rendered = await page.locator('[data-testid="src-line"]').count();
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(150);
    // End moves the selection to the last line and scrolls it in.
    await page.focus('[data-testid="bp-code"]');
    await page.keyboard.press('End');
    await page.locator(`[data-testid="src-line"][data-line="${LONG_LINES}"]`).waitFor();
    expect(await page.evaluate(() => location.hash)).toContain(`line=${LONG_LINES}`);
    expect(await page.locator('[data-testid="src-line"]').count()).toBeLessThan(150);
  });

  it('raised no page errors but the refused condition', () => {
    // The only error is the refused condition's 400, which Chromium logs for any failed fetch.
    expect(pageErrors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });
});

// The demo's inventory service (TypeScript in apps/demo, built by tsc with source maps), run alone
// from its own folder as its README describes: a breakpoint set from the UI on the demo.
describe('breakpoints on the demo in Chromium', () => {
  const DEMO = join(HERE, '..', 'apps', 'demo');
  const DEMO_FILE = 'src/services/inventory.ts';
  // Saved breakpoints live in .debugpanel/breakpoints/inventory/; the test removes the first
  // folder of that path it created, and nothing that was there before.
  const dirs = ['.debugpanel', '.debugpanel/breakpoints', '.debugpanel/breakpoints/inventory'].map((d) => join(DEMO, d));
  let created: string | undefined;
  let demo: ChildProcess | undefined;
  let demoBase: string;

  beforeAll(async () => {
    created = dirs.find((d) => !existsSync(d));
    const started = await start(DEMO, 'dist/services/inventory.js', { DEMO_HUB: '0', INVENTORY_PORT: '0', DEMO_HOST: '127.0.0.1', DEBUGPANEL_TOKEN: E2E_TOKEN });
    demo = started.proc;
    demoBase = started.url;
    await login(page, demoBase);
  });
  afterAll(async () => {
    await stop(demo);
    if (created) rmSync(created, { recursive: true, force: true });
  });

  it('stops in the product route of inventory.ts and shows the product it loaded', async () => {
    const line = lineOf('if (!product) throw', join(DEMO, DEMO_FILE));
    expect(line).toBeGreaterThan(1);
    await page.goto(`${demoBase}/_debug/#/breakpoints?file=${encodeURIComponent(DEMO_FILE)}`);
    await page.click(`[data-testid="bp-gutter"][data-line="${line}"]`);
    const item = page.locator('[data-testid="bp-item"]');
    await expect.poll(() => item.getAttribute('data-state')).toMatch(/^(pending|active|hit)$/);

    // The demo's own load may reach the line before this request does: either way one request
    // stops there, and the snapshot must hold the product that request loaded.
    const res = await fetch(`${demoBase}/products/1`);
    expect(res.status).toBe(200);
    await expect.poll(() => item.getAttribute('data-state'), { timeout: 10_000 }).toBe('hit');

    await page.locator('[data-testid="bp-snapshot"]').first().click();
    const detail = page.locator('[data-testid="snapshot-detail"]');
    await detail.locator('[data-testid="snapshot-frame"]').first().waitFor();
    expect(await detail.locator('[data-testid="snapshot-frame"]').first().textContent()).toContain(`inventory.ts:${line}`);
    const productVar = detail.locator('[data-testid="snapshot-frames"] [data-testid="snapshot-var"][data-name="product"]').first();
    await productVar.locator('button.toggle').first().click();
    const member = (name: string) => productVar.locator(`[data-testid="snapshot-var"][data-name="${name}"] [data-testid="snapshot-value"]`).first().textContent();
    const id = Number(await member('id'));
    expect(id).toBeGreaterThan(0);
    const product = (await (await fetch(`${demoBase}/products/${id}`)).json()) as { id: number; name: string };
    expect(product.id).toBe(id);
    expect(await member('name')).toBe(JSON.stringify(product.name));
    await page.screenshot({ path: join(SHOTS, 'breakpoints-demo.png') });

    await detail.locator('[data-testid="snapshot-trace"]').click();
    await page.waitForSelector('[data-testid="waterfall"] .wf-row', { timeout: 10_000 });
    expect(await page.locator('[data-testid="waterfall"]').textContent()).toContain('/products/');

    // Leave the demo as it was: delete the breakpoint from the list.
    await page.goto(`${demoBase}/_debug/#/breakpoints`);
    await page.click('[data-testid="bp-delete"]');
    await expect.poll(() => item.count()).toBe(0);
  });
});
