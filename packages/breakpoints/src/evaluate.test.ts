import { describe, expect, it } from 'vitest';
import { evaluateOnFrame, SIDE_EFFECT_ERROR, truthy } from './evaluate.js';
import { FakeSession } from './fake-session.js';

describe('evaluateOnFrame', () => {
  it('asks V8 for a side-effect-free evaluation with a time limit and sorts the failures', () => {
    const fake = new FakeSession();
    const answers: unknown[] = [
      { result: { type: 'number', value: 3 } },
      { result: { type: 'object' }, exceptionDetails: { exception: { type: 'object', description: 'EvalError: Possible side-effect in debug-evaluate\n    at x' } } },
      { result: { type: 'object' }, exceptionDetails: { exception: { type: 'object', description: 'ReferenceError: nope is not defined' } } },
      new Error('Inspector error -32000: Execution was terminated'),
    ];
    fake.answer('Debugger.evaluateOnCallFrame', () => {
      const a = answers.shift();
      if (a instanceof Error) throw a;
      return a;
    });
    const run = () => evaluateOnFrame(fake, 'f1', 'x', 'g', 25);
    expect(run()).toEqual({ result: { type: 'number', value: 3 } });
    expect(run()).toEqual({ error: SIDE_EFFECT_ERROR, failure: 'side effect' });
    expect(run()).toEqual({ error: 'ReferenceError: nope is not defined', failure: 'threw' });
    expect(run()).toEqual({ error: 'timed out after 25 ms', failure: 'timeout' });
    expect(fake.posts[0]!.params).toEqual({ callFrameId: 'f1', expression: 'x', objectGroup: 'g', throwOnSideEffect: true, timeout: 25, silent: true });
  });
});

describe('truthy', () => {
  it.each([
    [{ type: 'boolean', value: true }, true], [{ type: 'boolean', value: false }, false], [{ type: 'number', value: 0 }, false],
    [{ type: 'number', value: 2 }, true], [{ type: 'number', unserializableValue: 'NaN' }, false], [{ type: 'number', unserializableValue: '-0' }, false],
    [{ type: 'number', unserializableValue: 'Infinity' }, true], [{ type: 'string', value: '' }, false], [{ type: 'string', value: 'a' }, true],
    [{ type: 'undefined' }, false], [{ type: 'object', subtype: 'null' }, false], [{ type: 'object', objectId: '1' }, true],
    [{ type: 'bigint', unserializableValue: '0n' }, false], [{ type: 'bigint', unserializableValue: '5n' }, true], [{ type: 'function' }, true],
  ])('%j is %s', (o, want) => {
    expect(truthy(o)).toBe(want);
  });
});
