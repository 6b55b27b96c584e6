/**
 * The statement mix of each database edge, to tell a change of mix from a regression.
 *
 * A dependency edge's latency (`orders -> sqlite`) is one series over every statement the service
 * sends: its p95 baseline is set by the many fast statements. When a by-design slow statement (a
 * report query of 60-350 ms) happens to run several times within one detection window, the edge's
 * p95 jumps though no statement got slower: the mix changed. What APMs do about it (Datadog's and
 * Sentry's per-query baselines): judge the edge against what its current mix would cost at each
 * statement's own baseline latency.
 *
 * `StatementMix` keeps, per edge, the last seconds' statements in 1 s slots (by span end) and, per
 * statement (query fingerprint), a histogram of its latency in the past (log buckets, decayed with
 * a time constant). `expected(edge)` is the edge's p95 recomputed with those baseline latencies at
 * the current mix, by the detector's own statistic (per 1 s slot the p95 of the mixture, then the
 * count-weighted median over the slots): when the edge's observed p95 is no higher than that, the
 * shift is the mix's, not an anomaly. A real slow-SQL fault makes one statement slower than its
 * own baseline: the expected p95 stays low and the edge is anomalous as before, as fast as before
 * (the expected value needs no sample of the slow statement itself).
 */

/** Histogram buckets: [LOW * R^i, LOW * R^(i+1)) ms; bucket 0 also holds everything below LOW. */
const LOW = 0.01;
const R = 1.2;
const LOG_R = Math.log(R);
const BUCKETS = 102; // up to 0.01 * 1.2^102 ms, about 1,100 s
/** Durations kept per statement and slot for the baseline (the count is exact beyond it). */
const SAMPLES_PER_SLOT = 32;
/** A statement's baseline counts once it holds this many decayed samples. */
const MIN_MASS = 1;

function bucketOf(ms: number): number {
  if (!(ms > LOW)) return 0;
  return Math.min(BUCKETS - 1, Math.floor(Math.log(ms / LOW) / LOG_R));
}

/** The geometric middle of a bucket, ms. */
function valueOf(bucket: number): number {
  return LOW * R ** (bucket + 0.5);
}

interface SlotEntry {
  n: number;
  d: number[];
}

interface Edge {
  service: string;
  /** second (ms since epoch, floored) -> statement key -> entry */
  slots: Map<number, Map<string, SlotEntry>>;
}

interface StatementBaseline {
  h: Float64Array;
  mass: number;
  at: number;
}

export interface StatementMixOptions {
  /** the detector's window, seconds: slots kept for `expected` */
  windowSeconds: number;
  /** time constant of the statements' baseline histograms, ms */
  memoryMs: number;
  /** statements (edge and fingerprint) with a baseline at most; past it new ones are not tracked (`dropped`) */
  maxStatements: number;
}

export interface MixExpectation {
  /** the edge's p95 at the current mix with every statement at its baseline latency, ms */
  p95: number;
  /** statements in the window, and the share of them that had no baseline (judged by their own time) */
  count: number;
  unknownShare: number;
}

/**
 * @example
 * const mix = new StatementMix({ windowSeconds: 10, memoryMs: 600_000, maxStatements: 512 });
 * mix.add('dependency:orders:sqlite', 'select * from orders where id = ?', 'orders', spanEnd, 0.1);
 * mix.advance(now, () => false);
 * mix.expected('dependency:orders:sqlite', now)?.p95; // what the window's statements cost before
 */
export class StatementMix {
  private readonly edges = new Map<string, Edge>();
  private readonly baselines = new Map<string, StatementBaseline>();
  private slotCount = 0;
  /** statements not tracked because `maxStatements` was reached */
  dropped = 0;

  constructor(private readonly o: StatementMixOptions) {}

  /** statements with a baseline histogram */
  get statements(): number {
    return this.baselines.size;
  }

  /** One database call of `edge` (a scope key) that ended at `end` (ms since epoch). */
  add(edge: string, statement: string, service: string, end: number, durationMs: number): void {
    const key = `${edge}\0${statement}`;
    if (!this.baselines.has(key)) {
      if (this.baselines.size >= this.o.maxStatements) {
        this.dropped++;
        return;
      }
      this.baselines.set(key, { h: new Float64Array(BUCKETS), mass: 0, at: end });
    }
    let e = this.edges.get(edge);
    if (!e) this.edges.set(edge, (e = { service, slots: new Map() }));
    const t = Math.floor(end / 1000) * 1000;
    let slot = e.slots.get(t);
    if (!slot) {
      // bounded: slots older than the window are merged away on each `advance`; a flood of
      // far-apart end times is capped here
      if (this.slotCount >= 64 * this.o.maxStatements) {
        this.dropped++;
        return;
      }
      e.slots.set(t, (slot = new Map()));
      this.slotCount++;
    }
    let s = slot.get(statement);
    if (!s) slot.set(statement, (s = { n: 0, d: [] }));
    s.n++;
    if (s.d.length < SAMPLES_PER_SLOT) s.d.push(Math.max(0, durationMs));
  }

  /**
   * Moves the slots that left the window (and a second of grace for late spans) into the
   * statements' baselines; those of a service `frozen` says is in an anomaly are dropped instead,
   * so that a fault does not become its statement's normal.
   */
  advance(now: number, frozen: (service: string) => boolean): void {
    const horizon = now - (this.o.windowSeconds + 2) * 1000;
    for (const [edgeKey, e] of this.edges) {
      const skip = frozen(e.service);
      for (const [t, slot] of e.slots) {
        if (t >= horizon) continue;
        e.slots.delete(t);
        this.slotCount--;
        if (skip) continue;
        for (const [statement, s] of slot) {
          const b = this.baselines.get(`${edgeKey}\0${statement}`);
          if (!b || s.d.length === 0) continue;
          const decay = Math.exp(-Math.max(0, t - b.at) / this.o.memoryMs);
          if (decay < 1) {
            for (let i = 0; i < BUCKETS; i++) b.h[i]! *= decay;
            b.mass *= decay;
          }
          b.at = Math.max(b.at, t);
          // the kept samples stand for all `n` calls of the slot
          const w = s.n / s.d.length;
          for (const d of s.d) b.h[bucketOf(d)]! += w;
          b.mass += s.n;
        }
      }
      if (e.slots.size === 0) this.edges.delete(edgeKey);
    }
  }

  /**
   * A statement's baseline latency quantile `q` (ms) from its histogram, over the edges of
   * `service` (`dependency:<service>:<callee>`), named by any of `names` (a name ending in `...`,
   * a statement text cut for display, matches the statements it is the start of); the highest
   * over matching edges; undefined when no matching statement has a baseline yet.
   */
  baselineQuantile(service: string, names: ReadonlyArray<string>, q: number): number | undefined {
    const prefix = `dependency:${service}:`;
    let out: number | undefined;
    for (const [key, b] of this.baselines) {
      if (b.mass < MIN_MASS || !key.startsWith(prefix)) continue;
      const statement = key.slice(key.indexOf('\0', prefix.length) + 1);
      const match = names.some((n) => n === statement || (n.endsWith('...') && n.length > 3 && statement.startsWith(n.slice(0, -3))));
      if (!match) continue;
      const v = quantileOf(b.h, q);
      if (out === undefined || v > out) out = v;
    }
    return out;
  }

  /**
   * The edge's p95 over the last `windowSeconds` with every statement at its baseline latency,
   * by the detector's statistic (the count-weighted median of the per-second p95s). A statement
   * with no baseline yet counts with its own durations. Undefined when the window holds no call.
   */
  expected(edge: string, now: number): MixExpectation | undefined {
    const e = this.edges.get(edge);
    if (!e) return undefined;
    const from = now - (this.o.windowSeconds + 1) * 1000;
    const p95s: number[] = [];
    const weights: number[] = [];
    let count = 0;
    let unknown = 0;
    const mixture = new Float64Array(BUCKETS);
    for (const [t, slot] of e.slots) {
      if (t < from || t > now) continue;
      mixture.fill(0);
      let n = 0;
      for (const [statement, s] of slot) {
        n += s.n;
        const b = this.baselines.get(`${edge}\0${statement}`);
        if (b && b.mass >= MIN_MASS) {
          const w = s.n / b.mass;
          for (let i = 0; i < BUCKETS; i++) if (b.h[i]! > 0) mixture[i]! += w * b.h[i]!;
        } else {
          unknown += s.n;
          const w = s.n / Math.max(1, s.d.length);
          for (const d of s.d) mixture[bucketOf(d)]! += w;
        }
      }
      if (n === 0) continue;
      count += n;
      p95s.push(quantileOf(mixture, 0.95));
      weights.push(n);
    }
    if (count === 0) return undefined;
    return { p95: weightedMedian(p95s, weights), count, unknownShare: unknown / count };
  }
}

function quantileOf(h: Float64Array, q: number): number {
  let total = 0;
  for (let i = 0; i < BUCKETS; i++) total += h[i]!;
  if (total <= 0) return 0;
  let acc = 0;
  for (let i = 0; i < BUCKETS; i++) {
    acc += h[i]!;
    if (acc >= q * total) return valueOf(i);
  }
  return valueOf(BUCKETS - 1);
}

function weightedMedian(values: number[], weights: number[]): number {
  const idx = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  let total = 0;
  for (const w of weights) total += w;
  let acc = 0;
  for (const i of idx) {
    acc += weights[i]!;
    if (acc >= total / 2) return values[i]!;
  }
  return values[idx[idx.length - 1]!]!;
}
