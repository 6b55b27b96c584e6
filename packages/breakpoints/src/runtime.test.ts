import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixtures } from '../test-fixtures/compile.js';
import { createAgent, type BreakpointAgent, type BreakpointAgentOptions } from './agent.js';
import { FakeSession } from './fake-session.js';

// The pause handler's logic against a fake V8 (fake-session.ts) and a frozen clock: what V8 is
// given, what one pause does, and when a breakpoint leaves V8. No inspector, no timing.
const file = path.join(fixtures, 'many-lines.mjs');
let agent: BreakpointAgent | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await agent?.close();
  agent = undefined;
});

function setup(options: BreakpointAgentOptions = {}, t = 1_000_000) {
  const fake = new FakeSession();
  const clock = { t };
  agent = createAgent({ dataDir: false, root: fixtures, ...options }, { session: fake, now: () => clock.t, unavailable: undefined });
  return { fake, clock, agent };
}
const evalAnswer = (fake: FakeSession, value: unknown) =>
  fake.answer('Debugger.evaluateOnCallFrame', (p) => (typeof value === 'function' ? value(p) : { result: value }));
/** The protocol calls made during the last pause, from its first evaluation to its resume. */
const calls = (fake: FakeSession) => fake.posts.map((p) => p.method);

describe('the pause handler', () => {
  it('never gives V8 a condition: it sets a plain breakpoint and evaluates the condition itself, side-effect free', () => {
    const { fake } = setup({ evalTimeoutMs: 40 });
    const seen: Array<Record<string, unknown>> = [];
    evalAnswer(fake, (p: Record<string, unknown>) => (seen.push(p), { result: { type: 'boolean', value: false } }));
    agent!.set({ file, line: 3, condition: 'a > 1' });
    agent!.set({ file, line: 4, message: 'a={a}' });
    for (const p of fake.posts.filter((x) => x.method === 'Debugger.setBreakpointByUrl')) expect(p.params).not.toHaveProperty('condition');
    fake.run();
    expect(seen).toMatchObject([
      { expression: 'a > 1', throwOnSideEffect: true, timeout: 40, callFrameId: 'frame-0' },
      { expression: 'a', throwOnSideEffect: true, timeout: 40, callFrameId: 'frame-0' },
    ]);
    expect(agent!.stats()).toMatchObject({ pauses: 2, conditionFalse: 1, hits: 1 });
    expect(calls(fake).at(-1)).toBe('Debugger.resume');
  });

  it('takes a logpoint out of V8 inside the pause that spends its budget (a synchronous loop never yields)', () => {
    const { fake } = setup({ logRateLimit: 5 });
    evalAnswer(fake, { type: 'number', value: 7 });
    const bp = agent!.set({ file, line: 3, message: 'a={a}' });
    let pauses = 0;
    for (let i = 0; i < 1000; i++) if (fake.run()) pauses++;
    expect(pauses).toBe(5);
    expect(agent!.logs().map((l) => l.message)).toEqual(['a=7', 'a=7', 'a=7', 'a=7', 'a=7']);
    const m = calls(fake);
    // Removed before the fifth pause resumed, not on a later turn of the event loop.
    expect(m.lastIndexOf('Debugger.removeBreakpoint')).toBeLessThan(m.lastIndexOf('Debugger.resume'));
    expect(agent!.get(bp.id)).toMatchObject({ state: 'active', coolDowns: 1, hits: 5 });
    expect(agent!.stats()).toMatchObject({ pauses: 5, coolDowns: 1, debuggerEnabled: true });
  });

  it('comes back after the cool-down with a fresh budget', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { fake, clock } = setup({ logRateLimit: 2 });
    agent!.set({ file, line: 3, message: 'x' });
    while (fake.run());
    expect(fake.breakpoints.size).toBe(0);
    clock.t += 1000;
    vi.advanceTimersByTime(1000);
    expect(fake.breakpoints.size).toBe(1);
    while (fake.run());
    expect(agent!.logs()).toHaveLength(4);
    expect(agent!.stats().coolDowns).toBe(2);
  });

  it('limits snapshots per second (maxHits 1,000,000 cannot make every run a capture)', () => {
    const { fake } = setup({ snapshotRateLimit: 3 });
    const bp = agent!.set({ file, line: 3, maxHits: 1_000_000 });
    let pauses = 0;
    while (fake.run()) pauses++;
    expect(pauses).toBe(3);
    expect(agent!.snapshots()).toHaveLength(3);
    expect(agent!.get(bp.id)).toMatchObject({ state: 'active', hits: 3, coolDowns: 1 });
  });

  it('limits pauses per second when the condition is false (each run of the line still pauses)', () => {
    const { fake } = setup({ pauseRateLimit: 20 });
    evalAnswer(fake, { type: 'boolean', value: false });
    agent!.set({ file, line: 3, condition: 'a === 99' });
    let pauses = 0;
    while (fake.run()) pauses++;
    expect(pauses).toBe(20);
    expect(agent!.stats()).toMatchObject({ pauses: 20, conditionFalse: 20, coolDowns: 1, hits: 0 });
  });

  it('counts a throwing condition as false and keeps the breakpoint; shows the last error', () => {
    const { fake } = setup();
    evalAnswer(fake, () => ({ result: { type: 'object' }, exceptionDetails: { exception: { type: 'object', description: "TypeError: Cannot read properties of undefined (reading 'id')\n    at <anonymous>" } } }));
    const bp = agent!.set({ file, line: 3, condition: 'user.id === 3' });
    for (let i = 0; i < 10; i++) fake.run();
    expect(agent!.get(bp.id)).toMatchObject({ state: 'active', conditionErrors: 10, lastConditionError: "TypeError: Cannot read properties of undefined (reading 'id')" });
    expect(agent!.snapshots()).toEqual([]);
  });

  it('disarms after three side-effect refusals or timeouts in a row, with the reason', () => {
    const { fake } = setup();
    let n = 0;
    evalAnswer(fake, () => {
      n++;
      if (n === 2) return { result: { type: 'boolean', value: false } }; // a success breaks the streak
      throw new Error('Inspector error -32000: Execution was terminated');
    });
    const bp = agent!.set({ file, line: 3, condition: 'a > 1' });
    let pauses = 0;
    while (fake.run()) pauses++;
    expect(pauses).toBe(5);
    expect(agent!.get(bp.id)).toMatchObject({ state: 'error', error: 'disarmed: the condition timed out after 50 ms 3 times in a row', conditionErrors: 4 });
    expect(agent!.stats()).toMatchObject({ debuggerEnabled: false, armed: 0 });
  });

  it('resumes a pause that is not its own (a debugger statement) and touches nothing else', () => {
    const { fake } = setup();
    agent!.set({ file, line: 3 });
    const before = fake.posts.length;
    fake.emit('Debugger.paused', { hitBreakpoints: [], callFrames: [] });
    expect(fake.posts.slice(before).map((p) => p.method)).toEqual(['Debugger.resume']);
    expect(agent!.stats().pauses).toBe(0);
  });

  it('expires a breakpoint on the first pause after its time, and by its timer', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { fake, clock } = setup();
    const a = agent!.set({ file, line: 3, expiresInMs: 100 });
    const b = agent!.set({ file, line: 5, expiresInMs: 300 });
    clock.t += 150;
    fake.emit('Debugger.paused', { hitBreakpoints: [...fake.breakpoints.keys()].slice(0, 1), callFrames: [] });
    expect(agent!.get(a.id)!.state).toBe('expired');
    expect(agent!.get(b.id)!.state).toBe('active');
    clock.t += 150;
    vi.advanceTimersByTime(300);
    expect(agent!.get(b.id)!.state).toBe('expired');
    expect(agent!.snapshots()).toEqual([]);
    expect(agent!.stats().debuggerEnabled).toBe(false);
  });
});
