import { BUCKET_BOUNDS_MS } from './latency.js';
import type { ProcessSample } from './process.js';
import type { Series } from './series.js';

/** Label value escaping of the text exposition format: backslash, double quote, line feed. */
function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelString(pairs: ReadonlyArray<readonly [string, string | undefined]>): string {
  const parts: string[] = [];
  for (const [k, v] of pairs) if (v !== undefined) parts.push(`${k}="${esc(v)}"`);
  return parts.join(',');
}

const LE = BUCKET_BOUNDS_MS.map((ms) => String(ms / 1000)).concat(['+Inf']);

function histogram(out: string[], name: string, help: string, series: ReadonlyArray<Series>, labels: (s: Series) => string): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
  for (const s of series) {
    const l = labels(s);
    let cumulative = 0;
    for (let i = 0; i < LE.length; i++) {
      cumulative += s.buckets[i]!;
      out.push(`${name}_bucket{${l},le="${LE[i]}"} ${cumulative}`);
    }
    out.push(`${name}_sum{${l}} ${s.sumMs / 1000}`, `${name}_count{${l}} ${s.count}`);
  }
}

function counter(out: string[], name: string, help: string, series: ReadonlyArray<Series>, labels: (s: Series) => string): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
  for (const s of series) out.push(`${name}{${labels(s)}} ${s.errors}`);
}

function gauge(out: string[], name: string, help: string, value: number, type = 'gauge'): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
}

export interface PrometheusInput {
  server: ReadonlyArray<Series>;
  client: ReadonlyArray<Series>;
  process: ProcessSample | undefined;
  foldedSpans: number;
}

/** Renders lifetime histograms and counters in the Prometheus text format (seconds, as Prometheus expects). */
export function toPrometheus(input: PrometheusInput): string {
  const out: string[] = [];
  const serverLabels = (s: Series) =>
    labelString([['service', s.labels.service], ['http_request_method', s.labels.method], ['http_route', s.labels.route]]);
  const clientLabels = (s: Series) =>
    labelString([['service', s.labels.service], ['dependency', s.labels.dependency], ['type', s.labels.type]]);
  histogram(out, 'debugpanel_http_server_request_duration_seconds', 'Duration of HTTP server requests by route.', input.server, serverLabels);
  counter(out, 'debugpanel_http_server_errors_total', 'HTTP server requests that failed (5xx or error status).', input.server, serverLabels);
  histogram(out, 'debugpanel_client_request_duration_seconds', 'Duration of outgoing calls by dependency.', input.client, clientLabels);
  counter(out, 'debugpanel_client_errors_total', 'Outgoing calls that failed.', input.client, clientLabels);
  const p = input.process;
  if (p) {
    gauge(out, 'debugpanel_process_event_loop_delay_p99_seconds', 'Event-loop delay p99 over the last second.', p.eventLoopDelayP99 / 1000);
    gauge(out, 'debugpanel_process_event_loop_utilization_ratio', 'Event-loop utilization over the last second.', p.eventLoopUtilization);
    gauge(out, 'debugpanel_process_cpu_ratio', 'Process CPU time over wall time in the last second.', p.cpu);
    gauge(out, 'debugpanel_process_heap_used_bytes', 'V8 heap used.', p.heapUsed);
    gauge(out, 'debugpanel_process_resident_memory_bytes', 'Resident set size.', p.rss);
    gauge(out, 'debugpanel_process_gc_pause_seconds', 'GC pause time in the last second.', p.gcPause / 1000);
    gauge(out, 'debugpanel_process_active_resources', 'Handles and requests keeping the event loop alive.', p.activeResources);
  }
  gauge(out, 'debugpanel_metrics_folded_spans_total', 'Spans counted under "other" by the cardinality guard.', input.foldedSpans, 'counter');
  return out.join('\n') + '\n';
}
