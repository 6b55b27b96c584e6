/**
 * Analysis worker: the pure functions of @debugpanel/flamegraph, @debugpanel/dependency-map,
 * @debugpanel/metrics, @debugpanel/sampler and model's Redactor on synthetic traces, each timed over several
 * repetitions in this one process. A package that has not landed answers `missing`.
 */
import type { SpanRecord } from '@debugpanel/model';
import { tryImport } from '../context.js';
import { makeRecords } from '../fixtures.js';
import { serveIpc } from '../ipc.js';

export interface AnalysisResult {
  /** label -> per-repetition samples in the row's unit, or the reason it could not run */
  [label: string]: { samples: number[]; note?: string } | { missing: string };
}

// The generator grows up to 50 parent spans, then hangs the rest under them: wide, like a handler
// that loops over queries.
const SHAPE_NOTE = 'one trace of 10,000 spans: up to 50 parents, about 200 children each';

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

function time(reps: number, fn: () => unknown): number[] {
  fn(); // one untimed call: the first run pays for compilation in every contender alike
  const out: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    out.push(ms(t0));
  }
  return out;
}

type Fn = (...args: never[]) => unknown;
async function fn(spec: string, name: string): Promise<Fn | string> {
  const mod = await tryImport(spec);
  if (!mod) return `${spec} is not built yet`;
  const f = mod[name];
  return typeof f === 'function' ? (f as Fn) : `${spec} does not export ${name} yet`;
}

async function run(reps: number): Promise<AnalysisResult> {
  const out: AnalysisResult = {};
  const bigTrace = makeRecords(21, 1, { spans: 10_000 });
  const thousand: SpanRecord[][] = [];
  const flat = makeRecords(22, 1000, { spans: 20 });
  for (let i = 0; i < flat.length; i += 20) thousand.push(flat.slice(i, i + 20));
  const hundredK = makeRecords(23, 10_000, { spans: 10 });

  const flame = await fn('@debugpanel/flamegraph', 'buildTraceFlame');
  out['flame graph of a 10,000-span trace'] = typeof flame === 'string' ? { missing: flame } : { samples: time(reps, () => (flame as (s: SpanRecord[]) => unknown)(bigTrace)), note: SHAPE_NOTE };

  const critical = await fn('@debugpanel/flamegraph', 'criticalPath');
  out['critical path of a 10,000-span trace'] = typeof critical === 'string' ? { missing: critical } : { samples: time(reps, () => (critical as (s: SpanRecord[]) => unknown)(bigTrace)), note: SHAPE_NOTE };

  const merge = await fn('@debugpanel/flamegraph', 'mergeFlames');
  out['merge of 1,000 traces (20 spans each)'] = typeof merge === 'string' ? { missing: merge } : { samples: time(reps, () => (merge as (t: SpanRecord[][]) => unknown)(thousand)), note: 'traces of 10 routes merged together: wider than one route, so a little pessimistic' };

  const depmap = await fn('@debugpanel/dependency-map', 'buildDependencyMap');
  out['dependency map of 100,000 spans'] = typeof depmap === 'string' ? { missing: depmap } : { samples: time(Math.max(3, reps >> 1), () => (depmap as (s: SpanRecord[], o: object) => unknown)(hundredK, {})), note: '10,000 traces of 10 spans across 5 services and a SQLite node' };

  // Golden signals: what recording one span costs on the span path (ns per span).
  const metricsMod = await tryImport('@debugpanel/metrics');
  const Golden = metricsMod?.GoldenSignals as (new (o: object) => { record(s: SpanRecord): void; stop?(): void }) | undefined;
  if (typeof Golden !== 'function') {
    out['metrics: record one span'] = { missing: '@debugpanel/metrics does not export GoldenSignals yet' };
  } else {
    const samples = time(reps, () => {
      const g = new Golden({ process: false });
      for (let i = 0; i < hundredK.length; i++) g.record(hundredK[i]!);
    }).map((t) => (t * 1e6) / hundredK.length);
    out['metrics: record one span'] = { samples, note: 'GoldenSignals.record over 100,000 spans (server and client), process sampling off' };
  }

  // Redaction: what every span pays where it enters the panel (local spans and OTLP alike).
  const Redactor = (await tryImport('@debugpanel/model'))?.Redactor as (new (keys?: string[]) => { span(s: SpanRecord): unknown }) | undefined;
  if (typeof Redactor !== 'function') {
    out['redaction: one span'] = { missing: '@debugpanel/model does not export Redactor yet' };
  } else {
    const redactor = new Redactor(['ssn']);
    const samples = time(reps, () => {
      for (let i = 0; i < hundredK.length; i++) redactor.span(hundredK[i]!);
    }).map((t) => (t * 1e6) / hundredK.length);
    out['redaction: one span'] = { samples, note: 'Redactor.span over 100,000 spans (server, HTTP client, SQL, internal; nothing secret, the common case): keys, value shapes, 4,096-character cut' };
  }

  // Error groups: fingerprinting (parse the stack, normalise the message, hash) and grouping one
  // exception, as the panel does for each exception event, off the request path.
  const errorsMod = await tryImport('@debugpanel/errors');
  const Groups = errorsMod?.ErrorGroups as (new (o?: object) => { record(e: object, c: object): string; size: number }) | undefined;
  if (typeof Groups !== 'function') {
    out['errors: fingerprint and group one exception'] = { missing: '@debugpanel/errors does not export ErrorGroups yet' };
  } else {
    const exceptions = makeExceptions(2000);
    const samples = time(reps, () => {
      const g = new Groups({ maxGroups: 500 });
      for (let i = 0; i < exceptions.length; i++) g.record(exceptions[i]!, { source: 'span', service: 'orders', traceId: (i + 1).toString(16).padStart(32, '0'), spanId: 'a'.repeat(16) });
    }).map((t) => (t * 1e3) / exceptions.length); // µs
    out['errors: fingerprint and group one exception'] = { samples, note: '2,000 exceptions from 10 throw sites, ids in the messages, 12-frame V8 stacks (6 in-app), each in its own trace' };
  }
  return out;
}

/** V8-shaped exceptions from `sites` functions, each message with its own id and e-mail. */
function makeExceptions(n: number, sites = 10): Array<{ type: string; message: string; stack: string }> {
  const out: Array<{ type: string; message: string; stack: string }> = [];
  for (let i = 0; i < n; i++) {
    const site = i % sites;
    const message = `order ${100_000 + i} for "user${i}@example.com" has no price (site ${site})`;
    const frames = [
      `    at price${site} (/srv/shop/dist/pricing.js:${10 + site}:15)`,
      `    at quote (/srv/shop/dist/pricing.js:40:12)`,
      `    at Tracer.startActiveSpan (/srv/shop/node_modules/@opentelemetry/sdk-trace-base/build/src/Tracer.js:121:24)`,
      `    at checkout (/srv/shop/dist/services/orders.js:52:19)`,
      `    at async handler (/srv/shop/dist/service-kit.js:32:7)`,
      `    at Layer.handleRequest (/srv/shop/node_modules/router/lib/layer.js:152:17)`,
      `    at next (/srv/shop/node_modules/router/lib/route.js:157:13)`,
      `    at Route.dispatch (/srv/shop/node_modules/router/lib/route.js:117:3)`,
      `    at handle (/srv/shop/node_modules/router/index.js:435:11)`,
      `    at Layer.handleRequest (/srv/shop/node_modules/router/lib/layer.js:152:17)`,
      `    at routes (/srv/shop/dist/services/orders.js:20:3)`,
      `    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)`,
    ];
    out.push({ type: 'TypeError', message, stack: [`TypeError: ${message}`, ...frames].join('\n') });
  }
  return out;
}

serveIpc(async (msg) => run(Number(msg.reps)));
