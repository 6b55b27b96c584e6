/**
 * The OTel Logs API (`@opentelemetry/api-logs`): the panel registers a global LoggerProvider (only
 * when none is registered; the app's own stays in force), whose loggers queue each emitted record
 * like any captured line. Trace ids come from the record's `context`, else the active one; `timestamp`
 * is kept; body and attributes as given (objects flattened), `exception` as `exception.*`.
 */
import { logs, type Logger, type LoggerProvider, type LogRecord as OtelLogRecord } from '@opentelemetry/api-logs';
import { severityName, type Attributes } from '@debugpanel/model';
import { timeInputToEpoch } from '../clock.js';
import { activeIds, captureState, enqueue, nowMs, Pending, type CaptureState, type Formatted } from './capture.js';
import { flattenInto, isError, safeJson } from './fields.js';
import { exceptionAttributes } from '../exception.js';

function formatOtel(p: Pending, out: Formatted): void {
  const r = p.data as OtelLogRecord;
  const n = typeof r.severityNumber === 'number' && r.severityNumber >= 1 && r.severityNumber <= 24 ? r.severityNumber : 9;
  out.severityNumber = n;
  out.severityText = typeof r.severityText === 'string' && r.severityText !== '' ? r.severityText : severityName(n);
  const body = r.body;
  out.body = typeof body === 'string' ? body : body === undefined || body === null ? '' : safeJson(body);
  const attributes: Attributes = out.attributes;
  if (r.eventName) attributes['event.name'] = r.eventName;
  if (p.error !== undefined) {
    Object.assign(attributes, exceptionAttributes(p.error));
    out.error = p.error;
  } else if (r.exception !== undefined) Object.assign(attributes, exceptionAttributes(r.exception));
  if (r.attributes) flattenInto(attributes, r.attributes as Record<string, unknown>, undefined, undefined, Object.keys(attributes).length);
  const scope = p.extra as string;
  if (scope) attributes['otel.scope.name'] = scope;
}

class PanelLogger implements Logger {
  constructor(
    private readonly state: CaptureState,
    private readonly scope: string,
  ) {}

  enabled(): boolean {
    return this.state.on.otel > 0;
  }

  emit(record: OtelLogRecord): void {
    const state = this.state;
    if (state.guard.depth !== 0 || state.on.otel === 0 || typeof record !== 'object' || record === null) return;
    state.guard.depth++;
    try {
      const id = activeIds(record.context);
      let time = nowMs();
      if (record.timestamp !== undefined) {
        const t = timeInputToEpoch(record.timestamp);
        if (t !== undefined && Number.isFinite(t)) time = t;
      }
      const error = isError(record.exception) ? record.exception : undefined;
      enqueue(state, new Pending('otel', formatOtel, time, id.traceId, id.spanId, id.owner, record.severityNumber ?? 0, record, this.scope, undefined, undefined, error));
    } catch {
      state.counters.errors++;
    } finally {
      state.guard.depth--;
    }
  }
}

class PanelLoggerProvider implements LoggerProvider {
  private readonly loggers = new Map<string, PanelLogger>();
  constructor(private readonly state: CaptureState) {}
  getLogger(name: string): Logger {
    let logger = this.loggers.get(name);
    if (logger === undefined) {
      logger = new PanelLogger(this.state, typeof name === 'string' ? name.slice(0, 200) : '');
      // Bounded: names are usually a few module names; past 256 loggers are made but not cached.
      if (this.loggers.size < 256) this.loggers.set(name, logger);
    }
    return logger;
  }
}

/** Registers the panel's LoggerProvider as the global one unless the app registered its own. */
export function registerOtelLogs(state: CaptureState = captureState()): boolean {
  if (state.unpatch.has('otel')) return true;
  const provider = new PanelLoggerProvider(state);
  const registered = logs.setGlobalLoggerProvider(provider) === provider;
  if (!registered) return false;
  state.active.add('otel');
  state.unpatch.set('otel', () => {
    // The API has no "unset this provider" short of disable(); only while it is still ours.
    if (logs.getLoggerProvider() === provider) logs.disable();
  });
  return true;
}
