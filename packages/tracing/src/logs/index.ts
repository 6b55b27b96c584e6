/**
 * Log capture for one `setupTracing()` handle: registers the handle as a listener and patches the
 * sources it takes (once per process; the last listener out removes the patches).
 */
import type { LogCaptureStats, LogRecord, LogSource } from '@debugpanel/model';
import { addListener, captureState, flushCapture, removeListener, type CaptureState, type LogListener } from './capture.js';
import { patchConsole } from './console.js';
import { patchPino } from './pino.js';

export interface LogCaptureOptions {
  /** Receives each batch of records of this handle's requests and of lines logged outside any request. */
  onLogs(records: LogRecord[]): void;
  /** Receives every `Error` object a captured call carried (for error grouping). */
  onLoggedError?: (error: Error, record: LogRecord) => void;
  /** console.log/info/warn/error/debug (default true) */
  console?: boolean;
  /** pino loggers (default true; only when the app has pino) */
  pino?: boolean;
}

export interface LogCapture {
  stats(): LogCaptureStats;
  /** Formats and delivers what is pending now (else it goes on the next `setImmediate`). */
  flush(): void;
  stop(): void;
}

type Patchers = Partial<Record<LogSource, (state: CaptureState) => unknown>>;
const PATCHERS: Patchers = { console: patchConsole, pino: patchPino };

/** Runs the undo of every patch of `source` (keys `source` or `source:...`). */
function unpatchSource(state: CaptureState, source: LogSource): void {
  for (const [key, undo] of [...state.unpatch]) {
    if (key !== source && !key.startsWith(source + ':')) continue;
    try {
      undo();
    } catch {
      state.counters.errors++;
    }
    state.unpatch.delete(key);
  }
  state.active.delete(source);
}

export function startLogCapture(owner: object, service: string, options: LogCaptureOptions): LogCapture {
  const state = captureState();
  const sources = new Set<LogSource>();
  if (options.console !== false) sources.add('console');
  if (options.pino !== false) sources.add('pino');
  const listener: LogListener = {
    service,
    onLogs: options.onLogs,
    onLoggedError: options.onLoggedError,
    sources,
    closed: false,
  };
  addListener(state, owner, listener);
  for (const s of sources) PATCHERS[s]?.(state);
  let stopped = false;
  return {
    stats: () => ({ ...state.counters, active: [...state.active].sort() }),
    flush: () => flushCapture(state),
    stop() {
      if (stopped) return;
      stopped = true;
      flushCapture(state);
      for (const s of removeListener(state, owner)) unpatchSource(state, s);
    },
  };
}

export { captureState, flushCapture } from './capture.js';
export { instrumentPino, pinoSeverity } from './pino.js';
