/**
 * console.log/info/warn/error/debug capture. Each method is replaced by a wrapper that takes the
 * call (its arguments, time and trace ids) and then always calls the original method with the
 * same `this` and arguments, so what the console prints is unchanged. Arguments that are all
 * primitives are formatted later, with the batch (`util.format`, as the console does); a call
 * with an object is formatted at once, because the object may change before the batch runs.
 * Severity per the OTel mapping: debug 5 (DEBUG), log and info 9 (INFO), warn 13 (WARN), error 17 (ERROR).
 */
import { formatWithOptions } from 'node:util';
import { SEVERITY } from '@debugpanel/model';
import { activeIds, captureState, enqueue, listening, nowMs, Pending, type CaptureState, type Formatted } from './capture.js';
import { isError } from './fields.js';
import { exceptionAttributes } from '../exception.js';

const METHODS = {
  debug: SEVERITY.DEBUG,
  log: SEVERITY.INFO,
  info: SEVERITY.INFO,
  warn: SEVERITY.WARN,
  error: SEVERITY.ERROR,
} as const;
type Method = keyof typeof METHODS;

const TEXT: Record<number, string> = { [SEVERITY.DEBUG]: 'debug', [SEVERITY.INFO]: 'info', [SEVERITY.WARN]: 'warn', [SEVERITY.ERROR]: 'error' };

/** Formatted once at capture (an argument was an object): the body is already the data. */
class Preformatted {
  constructor(readonly body: string) {}
}

const FORMAT_OPTIONS = { colors: false, depth: 4, breakLength: Infinity } as const;

function formatConsole(p: Pending, out: Formatted): void {
  out.severityNumber = p.level;
  out.severityText = TEXT[p.level] ?? 'info';
  const error = p.error;
  if (p.data instanceof Preformatted) {
    out.body = p.data.body;
  } else {
    out.body = formatWithOptions(FORMAT_OPTIONS, ...(p.data as unknown[]));
  }
  if (error !== undefined) {
    Object.assign(out.attributes, exceptionAttributes(error));
    out.error = error;
  }
}

function capture(state: CaptureState, level: number, args: unknown[]): void {
  let data: unknown = args;
  let error: Error | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if ((typeof a === 'object' && a !== null) || typeof a === 'function') {
      for (const x of args) if (isError(x)) {
        error = x;
        break;
      }
      data = new Preformatted(formatWithOptions(FORMAT_OPTIONS, ...args));
      break;
    }
  }
  const id = activeIds();
  enqueue(state, new Pending('console', formatConsole, nowMs(), id.traceId, id.spanId, id.owner, level, data, undefined, undefined, undefined, error));
}

/**
 * Patches the global console's five methods (once per process; later calls do nothing). Returns
 * the undo: it restores a method only where it is still the wrapper (if the app or a tool wrapped
 * the console after the panel, its wrapper stays and calls ours, which then only passes through).
 */
export function patchConsole(state: CaptureState = captureState()): void {
  if (state.unpatch.has('console')) return;
  const originals = new Map<Method, (...args: unknown[]) => void>();
  const wrappers = new Map<Method, (...args: unknown[]) => void>();
  let on = true;
  for (const method of Object.keys(METHODS) as Method[]) {
    const original = console[method] as (...args: unknown[]) => void;
    if (typeof original !== 'function') continue;
    const level = METHODS[method];
    const wrapper = function (this: unknown, ...args: unknown[]): void {
      if (on && state.guard.depth === 0) {
        state.guard.depth++;
        try {
          if (listening(state, 'console')) capture(state, level, args);
        } catch {
          state.counters.errors++;
        } finally {
          state.guard.depth--;
        }
      }
      return original.apply(this, args);
    };
    Object.defineProperty(wrapper, 'name', { value: original.name });
    originals.set(method, original);
    wrappers.set(method, wrapper);
    console[method] = wrapper;
  }
  state.active.add('console');
  state.unpatch.set('console', () => {
    on = false;
    for (const [method, original] of originals) if (console[method] === wrappers.get(method)) console[method] = original;
    state.active.delete('console');
  });
}

