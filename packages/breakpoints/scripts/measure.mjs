// Figures for the report and the benchmark: cost per hit, cost on unrelated code while a breakpoint
// is armed, Debugger.enable time. Run after `npm run build`: node packages/breakpoints/scripts/measure.mjs
// Ratios are measured within one run; the absolute numbers depend on the machine's load.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createBreakpointAgent } from '../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '../test-fixtures');
const gen = mkdtempSync(path.join(tmpdir(), 'dp-bp-measure-'));
// The fixture is compiled in a child process: TypeScript's 9 MB compiler loaded here would make
// Debugger.enable (which lists every loaded script) look far slower than in an app.
const { readFileSync } = await import('node:fs');
const { execFileSync } = await import('node:child_process');
const src = path.join(fixtures, 'esm-app.ts');
execFileSync(process.execPath, ['--input-type=module', '-e', `
  import ts from 'typescript';
  import { readFileSync, writeFileSync } from 'node:fs';
  import path from 'node:path';
  const [src, gen] = ${JSON.stringify([src, gen])};
  const out = ts.transpileModule(readFileSync(src, 'utf8'), { fileName: src, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: true } });
  const map = JSON.parse(out.sourceMapText);
  map.sources = [path.relative(gen, src)];
  writeFileSync(path.join(gen, 'esm-app.mjs'), out.outputText.replace(/\\/\\/# sourceMappingURL=.*$/m, '//# sourceMappingURL=esm-app.mjs.map'));
  writeFileSync(path.join(gen, 'esm-app.mjs.map'), JSON.stringify(map));
`], { cwd: path.join(here, '..') });
const app = await import(pathToFileURL(path.join(gen, 'esm-app.mjs')).href);
const lineOf = (text) => readFileSync(src, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;

const median = (fn, runs = 7) => {
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[runs >> 1];
};
const perCall = (fn, n) => median(() => { for (let i = 0; i < n; i++) fn(i); }, 3) / n * 1000; // µs

const results = {};
const hot = () => app.hot(200_000);
median(hot);
const base = median(hot);

const agent = createBreakpointAgent({ dataDir: false, logRateLimit: 1e6, maxLogs: 100, maxSnapshots: 10 });
const plainLine = agent.set({ file: path.join(fixtures, 'many-lines.mjs'), line: 3 });
results.debuggerEnableMs = +agent.stats().enableMs.toFixed(1);
results.scriptsLoaded = agent.stats().scripts;
results.unrelatedWhileArmedRatio = +(median(hot) / base).toFixed(3);
agent.remove(plainLine.id);
results.afterRemovalRatio = +(median(hot) / base).toFixed(3);

const loopBase = perCall((i) => app.loopBody(i), 2000);
// Logpoints never pause (a V8 condition calls the panel's hook): the cost is V8 evaluating it.
// A snapshot-style pause with an empty handler is measured for comparison.
{
  const inspector = (await import('node:inspector')).default;
  const s = new inspector.Session();
  s.connect();
  const post = (m, p) => { let r; s.post(m, p, (e, res) => { if (e) throw e; r = res; }); return r; };
  post('Debugger.enable');
  s.on('Debugger.paused', () => post('Debugger.resume'));
  const url = pathToFileURL(path.join(gen, 'esm-app.mjs')).href;
  const line0 = readFileSync(path.join(gen, 'esm-app.mjs'), 'utf8').split('\n').findIndex((l) => l.includes('return doubled'));
  const { breakpointId } = post('Debugger.setBreakpointByUrl', { url, lineNumber: line0 });
  results.barePauseUs = +(perCall((i) => app.loopBody(i), 300) - loopBase).toFixed(0);
  post('Debugger.removeBreakpoint', { breakpointId });
  post('Debugger.disable');
  s.disconnect();
}
const logLine = lineOf('return doubled');
for (const [name, message] of [['logpointTextUs', 'tick'], ['logpointOneExprUs', 'i={i}'], ['logpointTwoExprUs', 'i={i} d={doubled}']]) {
  const bp = agent.set({ file: src, line: logLine, message });
  results[name] = +(perCall((i) => app.loopBody(i), 300) - loopBase).toFixed(0);
  agent.remove(bp.id);
}
const snapLine = lineOf('const result = sum - discount');
const order = { id: 'o1', items: Array.from({ length: 50 }, (_, i) => i), apiKey: 'k' };
const totalBase = perCall(() => app.total(order, 1), 2000);
const bp = agent.set({ file: src, line: snapLine, maxHits: 1_000_000, watch: ['sum', 'order.items.length'] });
results.snapshotUs = +(perCall(() => app.total(order, 1), 100) - totalBase).toFixed(0);
results.snapshotCaptureUs = agent.snapshots()[0].captureUs;
results.snapshotBytes = agent.snapshots()[0].bytes;
agent.remove(bp.id);
await agent.close();
rmSync(gen, { recursive: true, force: true });
console.log(JSON.stringify(results, null, 2));
