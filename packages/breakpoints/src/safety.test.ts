import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, lineOf } from '../test-fixtures/compile.js';
import { evaluateOnFrame } from './evaluate.js';
import { createBreakpointAgent, DebugPanelInspectorError, type BreakpointAgent } from './index.js';
import { inspectorSession } from './session.js';

// The bypass table: every way we know to make a condition or a logpoint part run code the panel
// did not allow. Each must be refused when the breakpoint is set, or cut at run time by V8's
// side-effect check or the time limit, with no file written, the loop going on and the host alive.
const nativeRequire = createRequire(import.meta.url);
const nativeImport = nativeRequire('../test-fixtures/native-import.cjs') as (u: string) => Promise<any>;
const appFile = path.join(fixtures, 'safety-app.mjs');
const line = lineOf('safety-app.mjs', 'BP-PROBE');
const dir = mkdtempSync(path.join(tmpdir(), 'dp-bp-safety-'));
const target = path.join(dir, 'pwned.txt');
const T = JSON.stringify(target);
const write = `process.getBuiltinModule('fs').writeFileSync(${T}, 'y')`;
// Catastrophic backtracking for /(a+)+$/ (about 2^40 steps).
const text = 'a'.repeat(40) + '!';

let app: any;
let agent: BreakpointAgent | undefined;
beforeAll(async () => {
  app = await nativeImport(pathToFileURL(appFile).href);
});
afterEach(async () => {
  await agent?.close();
  agent = undefined;
  expect(existsSync(target), 'a bypass wrote the file').toBe(false);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Refused when set: the static allow-list names the reason. */
const REFUSED: Array<[string, string, RegExp]> = [
  ['eval through a property', `({get: eval}).get("${write.replace(/"/g, '\\"')}, false")`, /object literal/],
  ['endless eval through a property', `({get: eval}).get('for(;;){}')`, /object literal/],
  ['toString of a native function', `'' + {toString: process.getuid}`, /object literal/],
  ['Symbol.toPrimitive in a literal', `({[Symbol.toPrimitive]: process.getuid}) > 0`, /object literal/],
  ['constructor chain', `''.constructor.constructor('return process')()`, /constructor/],
  ['computed constructor chain', `''['constr' + 'uctor']['constr' + 'uctor']('return 1')()`, /only a named built-in/],
  ['eval called directly', `eval('1')`, /eval/],
  ['eval through a comma', `(0, eval)('1')`, /comma|sequence/],
  ['eval through an array', `[eval][0]('1')`, /eval/],
  ['Function constructor', `Function('return 1')()`, /Function/],
  ['Reflect.apply', `Reflect.apply(process.getuid, process, [])`, /Reflect/],
  ['call on a built-in', `''.includes.call(evil, 'x')`, /call/],
  ['getter lookup', `evil.__lookupGetter__('sneaky')`, /__lookupGetter__/],
  ['prototype walk', `evil.__proto__`, /__proto__/],
  ['tagged template', 'String.raw`x`', /tagged template/],
  ['spread into a call', `Math.max(...list)`, /spread/],
  ['spread into an array', `[...list].length`, /spread/],
  ['dynamic import', `import('node:fs')`, /import/],
  ['import.meta', `import.meta.url`, /import/],
  ['with statement', `with (evil) sneaky`, /syntax error/],
  ['assignment', `runs.n = 0`, /assigns/],
  ['update', `runs.n++`, /changes a variable/],
  ['delete', `delete runs.n`, /deletes/],
  ['new', `new Array(2 ** 30)`, /new/],
  ['arrow function', `(() => { for (;;) {} })()`, /function/],
  ['function expression', `(function () { return 1; })()`, /function/],
  ['class expression', `class {}`, /class/],
  ['process', `process.env.HOME.length > 0`, /process/],
  ['globalThis', `globalThis.process`, /globalThis/],
  ['huge string', `'x'.padStart(2 ** 29 - 24).includes('y')`, /padStart/],
  ['huge repeat', `'x'.repeat(2 ** 28).length`, /repeat/],
  ['huge array', `Array(2 ** 30).fill(1).length`, /Array|fill/],
  ['app function call', `probe('x', 'y')`, /only a named built-in|probe/],
];

/** Allowed by the static check, cut at run time: V8 refuses the side effect or the time limit ends it. */
const CUT: Array<[string, string, 'side effect' | 'timeout']> = [
  ['app method named like a built-in', `evil.includes('x')`, 'side effect'],
  ['getter with a side effect', `evil.sneaky > 0`, 'side effect'],
  ['toString on concatenation', `'' + evil === 'x'`, 'side effect'],
  ['toString in a template literal', '`${evil}` === "x"', 'side effect'],
  ['Symbol.toPrimitive', `prim > 0`, 'side effect'],
  ['valueOf', `vof > 0`, 'side effect'],
  ['Proxy get trap', `prox.x === 1`, 'side effect'],
  ['Proxy has trap', `'x' in prox`, 'side effect'],
  ['endless getter', `evil.spin`, 'timeout'],
  ['catastrophic regex backtracking', `/(a+)+$/.test(text)`, 'timeout'],
];

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof DebugPanelInspectorError ? `${e.code}: ${e.message}` : String(e);
  }
  return 'accepted';
}

/** Runs the line `n` times in one synchronous loop and returns how many runs completed. */
function loop(n: number): number {
  let done = 0;
  for (let i = 0; i < n; i++) {
    app.probe(target, text);
    done++;
  }
  return done;
}

describe('bypass table: refused when set', () => {
  it.each(REFUSED)('%s: condition `%s`', (_, expr, reason) => {
    agent = createBreakpointAgent({ dataDir: false });
    const r = refusal(() => agent!.set({ file: appFile, line, condition: expr }));
    expect(r).toMatch(/^BAD_INPUT: condition .* refused|^BAD_INPUT: condition .*syntax error/);
    expect(r).toMatch(reason);
    expect(refusal(() => agent!.set({ file: appFile, line, message: `v={${expr}}` }))).toMatch(/^BAD_INPUT: message part/);
    expect(agent.list()).toEqual([]);
    expect(agent.stats().debuggerEnabled).toBe(false);
  });
});

describe('bypass table: cut at run time', () => {
  it.each(CUT)('%s: condition `%s` (%s)', async (_, expr, how) => {
    agent = createBreakpointAgent({ dataDir: false, evalTimeoutMs: 50 });
    const bp = agent.set({ file: appFile, line, condition: expr });
    expect(bp.state).toBe('active');
    expect(loop(20)).toBe(20); // the loop keeps going
    await new Promise((r) => setImmediate(r)); // and so does the event loop
    const after = agent.get(bp.id)!;
    expect(agent.snapshots()).toEqual([]); // a failing condition counts as false
    // Three unsafe failures in a row disarm the breakpoint, with the reason.
    expect(after.state).toBe('error');
    expect(after.error).toMatch(how === 'timeout' ? /timed out after 50 ms/ : /side effect/);
    expect(after.conditionErrors).toBe(3);
    expect(agent.stats().pauses).toBe(3); // disarmed from inside the third pause
  });

  it.each(CUT)('%s: logpoint part `%s` (%s)', (_, expr, how) => {
    agent = createBreakpointAgent({ dataDir: false, evalTimeoutMs: 50 });
    const bp = agent.set({ file: appFile, line, message: `v={${expr}} n={runs.n}` });
    expect(loop(20)).toBe(20);
    const logs = agent.logs().map((l) => l.message);
    expect(logs).toHaveLength(3);
    expect(logs[0]).toMatch(how === 'timeout' ? /^v=<timed out after 50 ms> n=\d+$/ : /^v=<refused: the expression may have side effects> n=\d+$/);
    expect(agent.get(bp.id)).toMatchObject({ state: 'error', error: expect.stringMatching(/disarmed/) });
  });
});

describe('the runtime half alone: what V8 does with the table when no static check ran', () => {
  // Every expression of the table that the static check refuses, given straight to V8's
  // side-effect-free evaluation inside a pause. Huge allocations are not in this list: V8 cannot
  // stop a builtin that allocates (Array(2**30).fill(1) ends the process out of memory), so they
  // rely on the static check (see expressions.ts).
  const ALLOCATING = /huge/;
  it('refuses the side effects, cuts the endless ones, and writes nothing', () => {
    const session = inspectorSession();
    session.connect();
    const results: Record<string, string> = {};
    try {
      session.post('Debugger.enable');
      session.on('Debugger.paused', (m) => {
        const frame = (m as { callFrames: Array<{ callFrameId: string }> }).callFrames[0]!;
        try {
          for (const [name, expr] of REFUSED) {
            if (ALLOCATING.test(name)) continue;
            const r = evaluateOnFrame(session, frame.callFrameId, expr, 'dp-test', 50);
            results[name] = 'error' in r ? r.failure : 'value';
          }
        } finally {
          session.post('Runtime.releaseObjectGroup', { objectGroup: 'dp-test' });
          session.post('Debugger.resume');
        }
      });
      app.pauseHere(target, text);
    } finally {
      session.disconnect();
    }
    expect(existsSync(target)).toBe(false);
    expect(results['eval through a property']).toBe('side effect');
    expect(results['endless eval through a property']).toBe('side effect');
    expect(results['constructor chain']).toBe('side effect');
    expect(results['computed constructor chain']).toBe('side effect');
    expect(results['Function constructor']).toBe('side effect');
    expect(results['dynamic import']).toBe('side effect');
    expect(results['tagged template']).toBe('side effect');
    expect(results['arrow function']).toBe('timeout');
    // Reads V8 proves harmless still run (process.getuid reads the uid): nothing is written.
    expect(results['toString of a native function']).toBe('value');
    expect(Object.keys(results).length).toBeGreaterThan(25);
  });
});

describe('a forbidden condition saved on disk', () => {
  it('is not armed again after a restart (the saved endless loop would hang the first hit)', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dp-bp-saved-'));
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(dataDir, { recursive: true });
    const now = Date.now();
    const saved = {
      id: 'bp_000000000001', file: appFile, line, kind: 'snapshot', watch: [], maxHits: 1, hits: 0, state: 'active',
      createdAt: now, expiresAt: now + 60_000, condition: `({get: eval}).get('for(;;){}')`,
    };
    writeFileSync(path.join(dataDir, 'breakpoints.json'), JSON.stringify({ version: 1, breakpoints: [saved], snapshots: [] }));
    const warnings: string[] = [];
    agent = createBreakpointAgent({ dataDir, onWarning: (m) => warnings.push(m) });
    expect(agent.get(saved.id)).toMatchObject({ state: 'error', error: expect.stringMatching(/^not restored: condition .* refused/) });
    expect(agent.stats()).toMatchObject({ armed: 0, debuggerEnabled: false });
    expect(warnings.join('\n')).toMatch(/breakpoint bp_000000000001 .* not restored: condition/);
    expect(loop(3)).toBe(3);
    await agent.close();
    agent = undefined;
    expect(JSON.parse(readFileSync(path.join(dataDir, 'breakpoints.json'), 'utf8')).breakpoints[0].state).toBe('error');
    rmSync(dataDir, { recursive: true, force: true });
  });
});
