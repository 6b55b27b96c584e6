/**
 * winston capture, the technique of @opentelemetry/instrumentation-winston: the `write` of winston's
 * `Logger` prototype (every logger of that winston, made before or after the panel, and its
 * children, logs through it) gets a wrapper that adds `trace_id`, `span_id` and `trace_flags` to
 * the info object when a span is active, so every format and transport sees them, and queues the
 * info; its fields are read with the batch. Severity per the OTel mapping of winston's npm and syslog
 * levels (error 17, warn/warning 13, info 9, notice 10, http 7, verbose 6, debug 5, silly 1,
 * crit 21, alert 22, emerg 23).
 */
import type { Attributes } from '@debugpanel/model';
import { activeIds, captureState, enqueue, nowMs, Pending, type CaptureState, type Formatted } from './capture.js';
import { flattenInto, isError, safeJson } from './fields.js';
import { exceptionAttributes } from '../exception.js';
import { patchWhenLoaded } from './modules.js';

const LEVEL = Symbol.for('level');

export const WINSTON_SEVERITY: Readonly<Record<string, number>> = Object.freeze({
  emerg: 23, alert: 22, crit: 21, error: 17, warning: 13, warn: 13, notice: 10, info: 9, http: 7, verbose: 6, debug: 5, silly: 1,
});

const isOwnKey = (key: string): boolean => key === 'level' || key === 'message' || key === 'trace_id' || key === 'span_id' || key === 'trace_flags';

type Info = Record<string | symbol, unknown>;

function formatWinston(p: Pending, out: Formatted): void {
  const info = p.data as Info;
  const level = String(info[LEVEL] ?? info.level ?? 'info');
  out.severityNumber = WINSTON_SEVERITY[level] ?? 9;
  out.severityText = level;
  const message = info.message;
  out.body = typeof message === 'string' ? message : message === undefined ? '' : safeJson(message);
  const attributes: Attributes = out.attributes;
  const stack = info.stack;
  if (p.error !== undefined) {
    Object.assign(attributes, exceptionAttributes(p.error));
    out.error = p.error;
  } else if (typeof stack === 'string') {
    // An Error given as meta: winston merged its message and stack into the info.
    attributes['exception.type'] = /^([A-Za-z_$][\w$]*):/.exec(stack)?.[1] ?? 'Error';
    attributes['exception.message'] = out.body;
    attributes['exception.stacktrace'] = stack;
  }
  flattenInto(attributes, info as Record<string, unknown>, (k) => isOwnKey(k) || k === 'stack' || info[k] === p.error, undefined, Object.keys(attributes).length);
}

interface WinstonLoggerClass {
  prototype: { write(this: WinstonLogger, info: Info, ...rest: unknown[]): boolean };
}
interface WinstonLogger {
  isLevelEnabled?(level: string): boolean;
}

/** Wraps `write` of one winston's Logger prototype; returns the undo. */
function patchLoggerClass(state: CaptureState, Logger: WinstonLoggerClass): (() => void) | undefined {
  const proto = Logger?.prototype;
  if (typeof proto?.write !== 'function') return undefined;
  const hadOwn = Object.hasOwn(proto, 'write');
  const original = proto.write;
  if ((original as { __debugpanel?: boolean }).__debugpanel) return undefined;
  let on = true;
  const wrapper = function (this: WinstonLogger, info: Info, ...rest: unknown[]): boolean {
    if (on && state.guard.depth === 0 && state.on.winston > 0 && typeof info === 'object' && info !== null) {
      state.guard.depth++;
      try {
        const level = info[LEVEL] ?? info.level;
        if (typeof level === 'string' && (typeof this.isLevelEnabled !== 'function' || this.isLevelEnabled(level))) {
          const id = activeIds();
          if (id.traceId !== undefined) {
            info.trace_id = id.traceId;
            info.span_id = id.spanId;
            info.trace_flags = id.traceFlags & 1 ? '01' : '00';
          }
          let error: Error | undefined;
          if (isError(info)) error = info as unknown as Error;
          else for (const k in info) if (isError(info[k])) {
            error = info[k] as Error;
            break;
          }
          enqueue(state, new Pending('winston', formatWinston, nowMs(), id.traceId, id.spanId, id.owner, 0, info, this, undefined, undefined, error));
        }
      } catch {
        state.counters.errors++;
      } finally {
        state.guard.depth--;
      }
    }
    return original.call(this, info, ...rest);
  };
  (wrapper as { __debugpanel?: boolean }).__debugpanel = true;
  proto.write = wrapper;
  return () => {
    on = false;
    if (proto.write !== wrapper) return;
    if (hadOwn) proto.write = original;
    else delete (proto as { write?: unknown }).write;
  };
}

/** Patches every winston copy the app has loaded, now or later (modules.ts). Returns how many were patched now. */
export function patchWinston(state: CaptureState = captureState()): number {
  return patchWhenLoaded(state, 'winston', 'winston', 'lib/winston/logger.js', (st, exports) => patchLoggerClass(st, exports as WinstonLoggerClass));
}
