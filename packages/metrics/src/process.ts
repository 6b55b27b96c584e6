import { monitorEventLoopDelay, performance, PerformanceObserver, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import { PROCESS_FIELDS, type ProcessSample } from '@debugpanel/model';

// One saturation sample of the process, taken once per fine period. Its fields are what
// `GET {path}/api/metrics` sends, so the type and the field list are declared in @debugpanel/model.
export type { ProcessSample };
export { PROCESS_FIELDS };

/** Fields summed (not averaged) when fine samples fold into a coarse period. */
const SUMMED: ReadonlySet<string> = new Set(['gcPause']);
/** Fields whose coarse value is the maximum of the fine ones. */
const MAXED: ReadonlySet<string> = new Set(['eventLoopDelayMax', 'eventLoopDelayP99']);

/**
 * Reads the process's saturation signals. Created stopped; `start()` enables the event-loop delay
 * monitor and the GC observer, `stop()` releases them, so a panel that is off costs nothing.
 */
export class ProcessSampler {
  private delay: IntervalHistogram | undefined;
  private gcObserver: PerformanceObserver | undefined;
  private gcPauseMs = 0;
  private lastElu: EventLoopUtilization | undefined;
  private lastCpu: NodeJS.CpuUsage | undefined;
  private lastTime = 0;

  start(): void {
    if (this.delay) return;
    this.delay = monitorEventLoopDelay({ resolution: 10 });
    this.delay.enable();
    try {
      this.gcObserver = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) this.gcPauseMs += e.duration;
      });
      this.gcObserver.observe({ entryTypes: ['gc'] });
    } catch {
      this.gcObserver = undefined; // GC entries are not available everywhere; the field then stays 0
    }
    this.lastElu = performance.eventLoopUtilization();
    this.lastCpu = process.cpuUsage();
    this.lastTime = performance.now();
  }

  stop(): void {
    this.delay?.disable();
    this.delay = undefined;
    this.gcObserver?.disconnect();
    this.gcObserver = undefined;
  }

  /** A sample of the period since the previous call (or since `start()`). */
  sample(): ProcessSample {
    const now = performance.now();
    const elapsedMs = Math.max(1, now - this.lastTime);
    const elu = performance.eventLoopUtilization(this.lastElu);
    this.lastElu = performance.eventLoopUtilization();
    const cpu = process.cpuUsage(this.lastCpu);
    this.lastCpu = process.cpuUsage();
    this.lastTime = now;
    const mem = process.memoryUsage();
    const d = this.delay;
    const hasDelay = d !== undefined && d.count > 0;
    const s: ProcessSample = {
      eventLoopDelayP50: hasDelay ? d.percentile(50) / 1e6 : 0,
      eventLoopDelayP99: hasDelay ? d.percentile(99) / 1e6 : 0,
      eventLoopDelayMax: hasDelay ? d.max / 1e6 : 0,
      eventLoopUtilization: elu.utilization,
      cpu: (cpu.user + cpu.system) / 1000 / elapsedMs,
      heapUsed: mem.heapUsed,
      heapTotal: mem.heapTotal,
      rss: mem.rss,
      gcPause: this.gcPauseMs,
      activeResources: process.getActiveResourcesInfo().length,
    };
    d?.reset();
    this.gcPauseMs = 0;
    return s;
  }
}

/** Fixed-size rings of process samples, columnar like `TimeRing`. */
export class ProcessRing {
  readonly slots: number;
  readonly resolution: number;
  private readonly period: Float64Array;
  private readonly columns: Record<string, Float64Array>;

  constructor(slots: number, resolutionSeconds: number) {
    this.slots = slots;
    this.resolution = resolutionSeconds;
    this.period = new Float64Array(slots).fill(-1);
    this.columns = {};
    for (const f of PROCESS_FIELDS) this.columns[f] = new Float64Array(slots);
  }

  write(period: number, s: ProcessSample): void {
    const i = period % this.slots;
    this.period[i] = period;
    for (const f of PROCESS_FIELDS) this.columns[f]![i] = s[f];
  }

  read(period: number): ProcessSample | undefined {
    const i = period % this.slots;
    if (this.period[i] !== period) return undefined;
    const out = {} as ProcessSample;
    for (const f of PROCESS_FIELDS) out[f] = this.columns[f]![i]!;
    return out;
  }
}

/** Folds fine samples into one coarse sample: averages, except sums (GC) and maxima (delay). */
export function foldSamples(samples: ReadonlyArray<ProcessSample>): ProcessSample | undefined {
  if (samples.length === 0) return undefined;
  const out = {} as ProcessSample;
  for (const f of PROCESS_FIELDS) {
    let acc = SUMMED.has(f) || !MAXED.has(f) ? 0 : -Infinity;
    for (const s of samples) acc = MAXED.has(f) ? Math.max(acc, s[f]) : acc + s[f];
    out[f] = SUMMED.has(f) || MAXED.has(f) ? acc : acc / samples.length;
  }
  return out;
}
