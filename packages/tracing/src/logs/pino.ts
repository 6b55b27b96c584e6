/**
 * pino capture, by the technique of @opentelemetry/instrumentation-pino (trace context in every
 * line) but at a cheaper point: instead of a `mixin` (an object built and merged on every call)
 * and a second stream, the prototype all pino loggers share gets a wrapper around its JSON
 * serializer (`pino.symbols.asJsonSym`). The wrapper takes the finished line, adds
 * `"trace_id","span_id","trace_flags"` before its end when a span is active (the same keys as the
 * instrumentation), and queues the line; it is parsed with the batch, off the caller's path.
 * Because the prototype is shared, loggers and child loggers made before `debugPanel()` are covered
 * as well as later ones. Severity per the OTel mapping of pino levels: 10 TRACE, 20 DEBUG, 30
 * INFO, 40 WARN, 50 ERROR, 60 FATAL (custom levels fall into the range below them).
 */
import { SEVERITY, type Attributes } from '@debugpanel/model';
import { activeIds, captureState, enqueue, nowMs, Pending, type CaptureState, type Formatted } from './capture.js';
import { flattenInto, isError, safeJson } from './fields.js';
import { exceptionAttributes } from '../exception.js';
import { findModule, loadModule } from './modules.js';

interface PinoSymbols {
  asJsonSym: symbol;
  messageKeySym: symbol;
  errorKeySym: symbol;
  endSym: symbol;
}

interface PinoModule {
  (options?: object, stream?: { write(s: string): void }): object;
  symbols: PinoSymbols;
}

type Logger = Record<symbol, unknown> & { levels?: { labels?: Record<number, string> } };

/** The logger (for its message key and level names) and, when the call carried one, the Error. */
class PinoCall {
  constructor(
    readonly logger: Logger,
    readonly error: Error | undefined,
    readonly symbols: PinoSymbols,
  ) {}
}

/** pino's own keys of a line, which are not attributes. */
const OWN_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'trace_id', 'span_id', 'trace_flags']);

export function pinoSeverity(level: number): number {
  if (level >= 60) return SEVERITY.FATAL;
  if (level >= 50) return SEVERITY.ERROR;
  if (level >= 40) return SEVERITY.WARN;
  if (level >= 30) return SEVERITY.INFO;
  if (level >= 20) return SEVERITY.DEBUG;
  return SEVERITY.TRACE;
}

const DEFAULT_LABELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function formatPino(p: Pending, out: Formatted): void {
  const call = p.extra as PinoCall;
  const line = JSON.parse(p.data as string) as Record<string, unknown>;
  const messageKey = (call.logger[call.symbols.messageKeySym] as string | undefined) ?? 'msg';
  const errorKey = (call.logger[call.symbols.errorKeySym] as string | undefined) ?? 'err';
  out.severityNumber = pinoSeverity(p.level);
  out.severityText = call.logger.levels?.labels?.[p.level] ?? DEFAULT_LABELS[p.level] ?? String(p.level);
  const msg = line[messageKey];
  out.body = msg === undefined ? '' : typeof msg === 'string' ? msg : safeJson(msg);
  const skip = new Set(OWN_KEYS);
  skip.add(messageKey);
  const attributes: Attributes = out.attributes;
  const err = line[errorKey] as { type?: unknown; message?: unknown; stack?: unknown } | undefined;
  if (call.error !== undefined) {
    Object.assign(attributes, exceptionAttributes(call.error));
    out.error = call.error;
    skip.add(errorKey);
  } else if (err !== null && typeof err === 'object' && typeof err.message === 'string') {
    // pino's std serializer: { type, message, stack }
    attributes['exception.type'] = typeof err.type === 'string' ? err.type : 'Error';
    attributes['exception.message'] = err.message;
    if (typeof err.stack === 'string') attributes['exception.stacktrace'] = err.stack;
    skip.add(errorKey);
  }
  flattenInto(attributes, line, skip);
}

/** Wraps the shared prototype's serializer of one pino module; returns the undo. */
function patchPinoModule(state: CaptureState, pino: PinoModule): (() => void) | undefined {
  const symbols = pino.symbols;
  if (!symbols?.asJsonSym) return undefined;
  // A throwaway silent logger into a dummy stream (no file, no worker) to reach the prototype.
  let proto: Record<symbol, unknown> | null = Object.getPrototypeOf(pino({ level: 'silent' }, { write() {} }));
  while (proto !== null && !Object.hasOwn(proto, symbols.asJsonSym)) proto = Object.getPrototypeOf(proto);
  if (proto === null) return undefined;
  const target = proto;
  const original = target[symbols.asJsonSym] as (this: Logger, obj: unknown, msg: unknown, num: number, time: string) => string;
  if ((original as { __debugpanel?: boolean }).__debugpanel) return undefined;
  const { errorKeySym, endSym } = symbols;
  let on = true;
  const wrapper = function (this: Logger, obj: unknown, msg: unknown, num: number, time: string): string {
    let line = original.call(this, obj, msg, num, time);
    if (!on || state.guard.depth !== 0 || state.on.pino === 0) return line;
    state.guard.depth++;
    try {
      const id = activeIds();
      if (id.traceId !== undefined) {
        const end = this[endSym] as string;
        if (typeof line === 'string' && typeof end === 'string' && line.endsWith(end)) {
          line =
            line.slice(0, line.length - end.length) +
            `,"trace_id":"${id.traceId}","span_id":"${id.spanId!}","trace_flags":"${id.traceFlags & 1 ? '01' : '00'}"` +
            end;
        }
      }
      let error: Error | undefined;
      if (typeof obj === 'object' && obj !== null) {
        const e = (obj as Record<string, unknown>)[(this[errorKeySym] as string | undefined) ?? 'err'];
        if (isError(e)) error = e;
      }
      enqueue(state, new Pending('pino', formatPino, nowMs(), id.traceId, id.spanId, id.owner, num, line, new PinoCall(this, error, symbols)));
    } catch {
      state.counters.errors++;
    } finally {
      state.guard.depth--;
    }
    return line;
  };
  (wrapper as { __debugpanel?: boolean }).__debugpanel = true;
  target[symbols.asJsonSym] = wrapper;
  return () => {
    on = false;
    if (target[symbols.asJsonSym] === wrapper) target[symbols.asJsonSym] = original;
  };
}

/**
 * Captures the lines of every logger of this pino module (made before or after), with the active
 * trace context injected. For a pino the panel cannot find by itself (the app's copy lives outside
 * the working directory's node_modules).
 *
 * @example
 * import pino from 'pino';
 * import { instrumentPino } from '@debugpanel/tracing';
 * instrumentPino(pino);
 */
export function instrumentPino(pino: unknown, state: CaptureState = captureState()): boolean {
  if (typeof pino !== 'function' || typeof (pino as PinoModule).symbols !== 'object') {
    throw new TypeError('instrumentPino(pino): pass the pino module itself (import pino from "pino")');
  }
  const undo = patchPinoModule(state, pino as PinoModule);
  if (undo === undefined) return false;
  state.active.add('pino');
  state.unpatch.set(`pino:given-${state.unpatch.size}`, undo);
  return true;
}

/** Patches every pino copy found (loaded already, or the app's own). Returns how many. */
export function patchPino(state: CaptureState = captureState()): number {
  let n = 0;
  for (const path of findModule('pino', 'pino.js')) {
    const key = `pino:${path}`;
    if (state.unpatch.has(key)) continue;
    let undo: (() => void) | undefined;
    try {
      undo = patchPinoModule(state, loadModule(path) as PinoModule);
    } catch {
      state.counters.errors++;
    }
    if (undo === undefined) continue;
    state.unpatch.set(key, undo);
    state.active.add('pino');
    n++;
  }
  return n;
}
