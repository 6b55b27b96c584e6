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
import { patchWhenLoaded } from './modules.js';

interface PinoSymbols {
  asJsonSym: symbol;
  messageKeySym: symbol;
  errorKeySym: symbol;
  endSym: symbol;
  chindingsSym: symbol;
  serializersSym: symbol;
  stringifiersSym: symbol;
  formattersSym: symbol;
  nestedKeySym: symbol;
}

interface PinoModule {
  (options?: object, stream?: { write(s: string): void }): object;
  symbols: PinoSymbols;
}

type Logger = Record<symbol, unknown> & { levels?: { labels?: Record<number, string> } };

/** pino's own keys of a line, which are not attributes. */
const isOwnKey = (key: string): boolean =>
  key === 'level' || key === 'time' || key === 'pid' || key === 'hostname' || key === 'trace_id' || key === 'span_id' || key === 'trace_flags';

export function pinoSeverity(level: number): number {
  if (level >= 60) return SEVERITY.FATAL;
  if (level >= 50) return SEVERITY.ERROR;
  if (level >= 40) return SEVERITY.WARN;
  if (level >= 30) return SEVERITY.INFO;
  if (level >= 20) return SEVERITY.DEBUG;
  return SEVERITY.TRACE;
}

const DEFAULT_LABELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** What is known of one logger, worked out on its first line and kept (loggers are configured once). */
interface LoggerInfo {
  symbols: PinoSymbols;
  messageKey: string;
  errorKey: string;
  /**
   * True when the line is exactly its merge object as given (no `redact` paths, no `formatters.log`,
   * no `nestedKey`): fields are then read from that object, with pino's serializers applied, and
   * the line is not parsed. Otherwise the line pino wrote is parsed, so pino's own redaction holds.
   */
  direct: boolean;
  serializers: Record<string, ((v: unknown) => unknown) | undefined>;
  /** The child bindings (`logger.child({ module })`), parsed once */
  chindings: string;
  bindings: Attributes;
}

const infos = new WeakMap<object, LoggerInfo>();

function loggerInfo(logger: Logger, symbols: PinoSymbols): LoggerInfo {
  let info = infos.get(logger);
  const chindings = (logger[symbols.chindingsSym] as string | undefined) ?? '';
  if (info === undefined || info.chindings !== chindings) {
    const stringifiers = logger[symbols.stringifiersSym] as object | undefined;
    const formatters = logger[symbols.formattersSym] as { log?: unknown } | undefined;
    const bindings: Attributes = {};
    if (chindings.length > 1) {
      try {
        flattenInto(bindings, JSON.parse('{' + chindings.slice(1) + '}') as Record<string, unknown>, isOwnKey);
      } catch {
        // bindings pino could write but not read back: left out
      }
    }
    info = {
      symbols,
      messageKey: (logger[symbols.messageKeySym] as string | undefined) ?? 'msg',
      errorKey: (logger[symbols.errorKeySym] as string | undefined) ?? 'err',
      direct: (stringifiers === undefined || Reflect.ownKeys(stringifiers).length === 0) && typeof formatters?.log !== 'function' && !logger[symbols.nestedKeySym],
      serializers: (logger[symbols.serializersSym] as LoggerInfo['serializers'] | undefined) ?? {},
      chindings,
      bindings,
    };
    infos.set(logger, info);
  }
  return info;
}

/** `exception.*` attributes from pino's std error serializer output `{ type, message, stack }`. */
function serializedError(out: Attributes, err: unknown): boolean {
  const e = err as { type?: unknown; message?: unknown; stack?: unknown } | null | undefined;
  if (e === null || typeof e !== 'object' || typeof e.message !== 'string') return false;
  out['exception.type'] = typeof e.type === 'string' ? e.type : 'Error';
  out['exception.message'] = e.message;
  if (typeof e.stack === 'string') out['exception.stacktrace'] = e.stack;
  return true;
}

function formatPino(p: Pending, out: Formatted, symbols: PinoSymbols): void {
  const logger = p.extra as Logger;
  const info = loggerInfo(logger, symbols);
  const { messageKey, errorKey } = info;
  out.severityNumber = pinoSeverity(p.level);
  out.severityText = logger.levels?.labels?.[p.level] ?? DEFAULT_LABELS[p.level] ?? String(p.level);
  const attributes: Attributes = out.attributes;
  Object.assign(attributes, info.bindings);
  const skip = (key: string): boolean => key === messageKey || key === errorKey || isOwnKey(key);
  let fields: Record<string, unknown>;
  let msg: unknown;
  if (info.direct) {
    fields = (typeof p.obj === 'object' && p.obj !== null ? p.obj : {}) as Record<string, unknown>;
    msg = p.msg ?? fields[messageKey];
  } else {
    fields = JSON.parse(p.data as string) as Record<string, unknown>;
    msg = fields[messageKey];
  }
  out.body = msg === undefined ? '' : typeof msg === 'string' ? msg : safeJson(msg);
  if (p.error !== undefined) {
    Object.assign(attributes, exceptionAttributes(p.error));
    out.error = p.error;
  } else if (fields[errorKey] !== undefined && !serializedError(attributes, info.direct ? info.serializers.err?.(fields[errorKey]) ?? fields[errorKey] : fields[errorKey])) {
    // not an error shape: keep it as a field
    flattenInto(attributes, { [errorKey]: fields[errorKey] });
  }
  flattenInto(attributes, fields, skip, info.direct ? info.serializers : undefined, Object.keys(attributes).length);
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
  const format = (p: Pending, out: Formatted): void => formatPino(p, out, symbols);
  let on = true;
  // The injected fields of the last span seen: a request's lines share them.
  let lastSpanId: string | undefined;
  let lastFlags = -1;
  let lastFields = '';
  // The logger's end (`}` + EOL) and that end with the fields in front, for the last span seen.
  let lastEnd: string | undefined;
  let lastEndWithFields = '';
  const wrapper = function (this: Logger, obj: unknown, msg: unknown, num: number, time: string): string {
    if (!on || state.guard.depth !== 0 || state.on.pino === 0) return original.call(this, obj, msg, num, time);
    let line: string;
    state.guard.depth++;
    try {
      const id = activeIds();
      const traceId = id.traceId;
      const spanId = id.spanId;
      const owner = id.owner;
      if (traceId !== undefined) {
        if (spanId !== lastSpanId || id.traceFlags !== lastFlags) {
          lastSpanId = spanId;
          lastFlags = id.traceFlags;
          lastFields = `,"trace_id":"${traceId}","span_id":"${spanId!}","trace_flags":"${id.traceFlags & 1 ? '01' : '00'}"`;
          lastEnd = undefined;
        }
        // The fields go in front of the line's end (`}` and the EOL), which pino appends last:
        // no copy or re-scan of the finished line.
        const end = this[endSym] as string;
        if (end !== lastEnd) {
          lastEnd = end;
          lastEndWithFields = lastFields + end;
        }
        this[endSym] = lastEndWithFields;
        try {
          line = original.call(this, obj, msg, num, time);
        } finally {
          this[endSym] = end;
        }
      } else {
        line = original.call(this, obj, msg, num, time);
      }
      let error: Error | undefined;
      if (typeof obj === 'object' && obj !== null) {
        const e = (obj as Record<string, unknown>)[(this[errorKeySym] as string | undefined) ?? 'err'];
        if (e !== undefined && isError(e)) error = e;
      }
      // The line only: its fields are read with the batch (from `obj` when the logger writes it as given).
      enqueue(state, new Pending('pino', format, nowMs(), traceId, spanId, owner, num, line, this, obj, msg, error));
    } catch (err) {
      state.counters.errors++;
      // The app's call must still log: a failure of ours before pino ran leaves the line unwritten otherwise.
      if (line! === undefined) line = original.call(this, obj, msg, num, time);
      void err;
    } finally {
      state.guard.depth--;
    }
    return line!;
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

/** Patches every pino copy the app has loaded, now or later (modules.ts). Returns how many were patched now. */
export function patchPino(state: CaptureState = captureState()): number {
  return patchWhenLoaded(state, 'pino', 'pino', 'pino.js', (st, exports) => patchPinoModule(st, exports as PinoModule));
}
