import type { RemoteObject, V8Session } from './session.js';

/** Why an evaluation gave no value: it threw, V8 refused a side effect, or the time limit cut it. */
export type EvalFailure = 'threw' | 'side effect' | 'timeout';

export type EvalResult = { result: RemoteObject } | { error: string; failure: EvalFailure };

export const SIDE_EFFECT_ERROR = 'refused: the expression may have side effects';

/**
 * Evaluates `expression` in a paused frame the way V8's debugger evaluates a watch in DevTools'
 * eager preview: with `throwOnSideEffect` (V8 checks every bytecode and builtin it runs and stops
 * at the first that could change state outside the evaluation's own temporary objects: a write to
 * an app object, a call into a native function not known to be pure, eval, import) and a `timeout`
 * (V8 terminates the evaluation; builtins that allocate run to their end first, which is why
 * expressions.ts keeps those out). Nothing here can change the app or hang it.
 *
 * @example
 * const r = evaluateOnFrame(session, frame.callFrameId, 'order.total > 100', 'group-1', 50);
 * if ('result' in r) console.log(r.result.value);
 */
export function evaluateOnFrame(session: Pick<V8Session, 'post'>, callFrameId: string, expression: string, objectGroup: string, timeoutMs: number): EvalResult {
  try {
    const r = session.post<{ result: RemoteObject; exceptionDetails?: { exception?: RemoteObject; text?: string } }>(
      'Debugger.evaluateOnCallFrame',
      { callFrameId, expression, objectGroup, throwOnSideEffect: true, timeout: timeoutMs, silent: true },
    );
    if (r.exceptionDetails) {
      const text = (r.exceptionDetails.exception?.description ?? r.exceptionDetails.text ?? 'error').split('\n')[0] ?? 'error';
      if (/possible side-effect/i.test(text)) return { error: SIDE_EFFECT_ERROR, failure: 'side effect' };
      return { error: text, failure: 'threw' };
    }
    return { result: r.result };
  } catch (err) {
    const msg = (err as Error).message;
    if (/terminated/i.test(msg)) return { error: `timed out after ${timeoutMs} ms`, failure: 'timeout' };
    return { error: msg, failure: 'threw' };
  }
}

/** JavaScript truthiness of a remote value, read from its serialisation (no call into the app). */
export function truthy(o: RemoteObject): boolean {
  switch (o.type) {
    case 'undefined':
      return false;
    case 'boolean':
      return o.value === true;
    case 'number':
      if (o.unserializableValue !== undefined) return o.unserializableValue !== 'NaN' && o.unserializableValue !== '-0';
      return o.value !== 0;
    case 'string':
      return o.value !== '';
    case 'bigint':
      return (o.unserializableValue ?? o.description) !== '0n';
    case 'object':
      return o.subtype !== 'null';
    default:
      return true; // functions, symbols
  }
}
