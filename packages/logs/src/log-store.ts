import {
  DEFAULT_LOG_LIMIT,
  MAX_LOG_LIMIT,
  RingBuffer,
  checkKeys,
  isFunction,
  isPositiveInt,
  must,
  type Check,
  logMatcher,
  type LogQuery,
  type LogQueryResult,
  type LogRecord,
  type LogStoreStats,
  type Schema,
  BigramFilters,
  FILTER_BYTES,
  NAME_SEP,
  keySep,
  makeNeedle,
  type Needle,
} from '@debugpanel/model';

export interface LogStoreOptions {
  /** Most records held at once (default 50,000) */
  maxRecords?: number;
  /** Most estimated heap bytes held at once (default 32 MiB), see `estimateLogBytes` */
  maxBytes?: number;
  /**
   * Whether the tail sampler kept a trace (the span store holds it). When the store is full, the
   * oldest record goes unless its trace was kept: then it moves to a tier of its own (at most
   * `keptShare` of both budgets) and outlives the records of traces that were dropped.
   */
  isKept?: (traceId: string) => boolean;
  /** Share of the budgets the kept tier may use, 0..1 (default 0.5) */
  keptShare?: number;
}

const DEFAULTS = { maxRecords: 50_000, maxBytes: 32 * 1024 * 1024, keptShare: 0.5 } as const;

const OPTIONS: Schema = {
  maxRecords: isPositiveInt,
  maxBytes: isPositiveInt,
  isKept: isFunction,
  keptShare: must((v) => typeof v === 'number' && v >= 0 && v <= 1, 'a number from 0 to 1'),
} satisfies Record<keyof LogStoreOptions, Check>;

/** One stored record with its arrival order (queries and cursors use it) and its estimated size. */
interface Entry {
  readonly r: LogRecord;
  readonly seq: number;
  bytes: number;
  /** Slot of its bigram filter, -1 until a text or attribute query first needs one */
  slot: number;
}

/** Heap of one record and its entry beyond its strings: two objects, the boxed time, an index slot (estimated) */
const RECORD_BYTES = 220;
/** Per attribute: the property slot and a boxed number or string header */
const ATTRIBUTE_BYTES = 40;

/**
 * Estimated heap bytes of a record: a fixed part, the body and every attribute key and value
 * (strings count one byte per character, as V8 stores Latin-1 text; ids and service names are
 * usually shared strings and are not counted).
 */
export function estimateLogBytes(r: LogRecord): number {
  let bytes = RECORD_BYTES + r.body.length + r.severityText.length;
  const attributes = r.attributes;
  for (const key in attributes) {
    const v = attributes[key]!;
    bytes += ATTRIBUTE_BYTES + key.length;
    if (typeof v === 'string') bytes += v.length;
    else if (Array.isArray(v)) for (const x of v as unknown[]) bytes += typeof x === 'string' ? 16 + x.length : 16;
  }
  return bytes;
}

const CURSOR_PREFIX = 'l1.';

/**
 * The panel's log records, bounded by count and estimated bytes. Records are held in arrival
 * order in a ring; when a budget is exceeded the oldest goes first. A record whose trace the tail
 * sampler kept (`isKept`) is not dropped then but moved to a second ring, the kept tier, bounded by
 * `keptShare` of both budgets; only when that tier is full does its own oldest go. So the logs of
 * the traces worth keeping stay as long as there is room for them, and those of dropped traces
 * (and lines logged outside any trace) make that room.
 *
 * Every record of the main ring arrived after every record of the kept tier (records move there
 * from the main ring's old end), so "newest first" is the main ring backwards, then the kept tier
 * backwards. A trace's records sit in an index (arrival order), so `query({ traceId })` reads only
 * them.
 *
 * @example
 * const logs = new LogStore({ maxRecords: 10_000 });
 * logs.add({ service: 'orders', time: Date.now(), severityNumber: 9, severityText: 'info', body: 'paid', attributes: {}, source: 'console' });
 * logs.query({ text: 'paid' }).logs.length; // 1
 */
export class LogStore {
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly #keptMaxRecords: number;
  readonly #keptMaxBytes: number;
  readonly #isKept: ((traceId: string) => boolean) | undefined;
  readonly #main: RingBuffer<Entry>;
  readonly #kept: RingBuffer<Entry>;
  readonly #byTrace = new Map<string, Entry[]>();
  #bytes = 0;
  #keptBytes = 0;
  #seq = 0;
  #evicted = 0;
  #refused = 0;
  /** Bigram filters of the records (built on the first text or attribute query, then kept up to date per query) */
  #filters: BigramFilters | undefined = undefined;
  readonly #bySlot: Array<Entry | undefined> = [];

  constructor(options: LogStoreOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('LogStore(options): options must be an object like { maxRecords: 50000 }');
    checkKeys(options, OPTIONS, 'LogStore(options)');
    this.maxRecords = options.maxRecords ?? DEFAULTS.maxRecords;
    this.maxBytes = options.maxBytes ?? DEFAULTS.maxBytes;
    const share = options.keptShare ?? DEFAULTS.keptShare;
    this.#keptMaxRecords = Math.floor(this.maxRecords * share);
    this.#keptMaxBytes = Math.floor(this.maxBytes * share);
    this.#isKept = options.isKept;
    this.#main = new RingBuffer<Entry>(this.maxRecords);
    this.#kept = new RingBuffer<Entry>(Math.max(1, this.#keptMaxRecords));
  }

  /** Records held. */
  get size(): number {
    return this.#main.size + this.#kept.size;
  }

  /**
   * Stores one record (kept as it is: do not change it afterwards). Returns false when it alone
   * is larger than the byte budget (counted as refused).
   */
  add(record: LogRecord): boolean {
    const bytes = estimateLogBytes(record);
    if (bytes > this.maxBytes) {
      this.#refused++;
      return false;
    }
    while (this.size >= this.maxRecords || this.#bytes + this.#keptBytes + bytes > this.maxBytes) this.#evictOne();
    const entry: Entry = { r: record, seq: this.#seq++, bytes, slot: -1 };
    this.#main.push(entry);
    this.#bytes += bytes;
    const traceId = record.traceId;
    if (traceId !== undefined) {
      const list = this.#byTrace.get(traceId);
      if (list === undefined) this.#byTrace.set(traceId, [entry]);
      else list.push(entry);
    }
    return true;
  }

  /** Stores each record; returns how many were stored. */
  addMany(records: ReadonlyArray<LogRecord>): number {
    let n = 0;
    for (const r of records) if (this.add(r)) n++;
    return n;
  }

  /** Every record of a trace, oldest first (a copy). */
  getTrace(traceId: string): LogRecord[] {
    const list = this.#byTrace.get(traceId);
    return list === undefined ? [] : list.map((e) => e.r);
  }

  /** Number of records of a trace (no copy). */
  countTrace(traceId: string): number {
    return this.#byTrace.get(traceId)?.length ?? 0;
  }

  /**
   * Records matching every filter of `q`, newest first, `limit` per page (default 100, at most
   * 1000). Pass the returned `nextCursor` as `cursor` for the next, older page. A `traceId` query
   * reads that trace's index entry only. Throws a RangeError for a malformed cursor or limit.
   */
  query(q: LogQuery = {}): LogQueryResult {
    const limit = q.limit ?? DEFAULT_LOG_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LOG_LIMIT) {
      throw new RangeError(`LogStore.query: limit must be an integer from 1 to ${MAX_LOG_LIMIT}, got ${String(limit)}`);
    }
    const before = q.cursor === undefined || q.cursor === '' ? Infinity : decodeCursor(q.cursor);
    const match = logMatcher(q);
    // Text and attribute filters first ask each record's bigram filter, which rules out nearly
    // every record that cannot match without touching its strings.
    const needles = q.traceId === undefined ? this.#needles(q) : [];
    const filters = needles.length > 0 ? this.#buildFilters() : undefined;
    const out: LogRecord[] = [];
    let last: Entry | undefined;
    let more = false;
    const take = (e: Entry): boolean => {
      if (e.seq >= before) return true;
      if (filters !== undefined) for (const n of needles) if (!filters.mayContain(e.slot, n)) return true;
      if (!match(e.r)) return true;
      if (out.length === limit) {
        more = true;
        return false;
      }
      out.push(e.r);
      last = e;
      return true;
    };
    if (q.traceId !== undefined) {
      const list = this.#byTrace.get(q.traceId);
      if (list !== undefined) for (let i = list.length - 1; i >= 0; i--) if (!take(list[i]!)) break;
    } else {
      scan: for (const ring of [this.#main, this.#kept]) {
        for (let i = lastBelow(ring, before); i >= 0; i--) if (!take(ring.at(i)!)) break scan;
      }
    }
    const result: LogQueryResult = { logs: out };
    if (more && last !== undefined) result.nextCursor = CURSOR_PREFIX + last.seq.toString(36);
    return result;
  }

  /** Distinct services of the records held (for filter menus), sorted. */
  services(): string[] {
    const set = new Set<string>();
    for (const e of this.#main) set.add(e.r.service);
    for (const e of this.#kept) set.add(e.r.service);
    return [...set].sort();
  }

  stats(): LogStoreStats {
    return {
      records: this.size,
      bytes: this.#bytes + this.#keptBytes,
      maxRecords: this.maxRecords,
      maxBytes: this.maxBytes,
      keptRecords: this.#kept.size,
      traces: this.#byTrace.size,
      evicted: this.#evicted,
      refused: this.#refused,
    };
  }

  /** The bigram needles of a query's text and attribute filters (none for a needle too short to have bigrams). */
  #needles(q: LogQuery): Needle[] {
    const out: Needle[] = [];
    if (q.text) {
      const n = makeNeedle(q.text, -1);
      if (n) out.push(n);
    }
    for (const [k, v] of Object.entries(q.attributes ?? {})) {
      const n = makeNeedle(v, keySep(k));
      if (n) out.push(n);
    }
    return out;
  }

  /** Gives every record held that has no filter yet one: the newest of each ring, back to the first that has one. */
  #buildFilters(): BigramFilters {
    const filters = (this.#filters ??= new BigramFilters());
    for (const [ring, kept] of [[this.#main, false], [this.#kept, true]] as const) {
      for (let i = ring.size - 1; i >= 0; i--) {
        const e = ring.at(i)!;
        if (e.slot >= 0) break;
        const slot = (e.slot = filters.alloc());
        this.#bySlot[slot] = e;
        const r = e.r;
        filters.add(slot, r.body, NAME_SEP);
        const attributes = r.attributes;
        for (const key in attributes) {
          const v = attributes[key]!;
          const sep = keySep(key);
          if (Array.isArray(v)) for (const x of v as unknown[]) filters.add(slot, String(x), sep);
          else filters.add(slot, String(v), sep);
        }
        e.bytes += FILTER_BYTES;
        if (kept) this.#keptBytes += FILTER_BYTES;
        else this.#bytes += FILTER_BYTES;
      }
    }
    return filters;
  }

  /** Removes every record (counters unchanged). */
  clear(): void {
    this.#filters = undefined;
    this.#bySlot.length = 0;
    this.#main.clear();
    this.#kept.clear();
    this.#byTrace.clear();
    this.#bytes = 0;
    this.#keptBytes = 0;
  }

  /** Frees room for one more record: moves the oldest of a kept trace aside, or drops the oldest. */
  #evictOne(): void {
    const oldest = this.#main.shift();
    if (oldest === undefined) {
      const e = this.#kept.shift();
      if (e === undefined) return;
      this.#keptBytes -= e.bytes;
      this.#drop(e);
      return;
    }
    this.#bytes -= oldest.bytes;
    const traceId = oldest.r.traceId;
    if (traceId !== undefined && this.#keptMaxRecords > 0 && oldest.bytes <= this.#keptMaxBytes && this.#isKept?.(traceId) === true) {
      // Make room in the kept tier (its own oldest go), then move the record there: the count
      // and bytes held do not change, so the caller's loop drops the next oldest of the main ring.
      while (this.#kept.size >= this.#keptMaxRecords || this.#keptBytes + oldest.bytes > this.#keptMaxBytes) {
        const e = this.#kept.shift()!;
        this.#keptBytes -= e.bytes;
        this.#drop(e);
      }
      this.#kept.push(oldest);
      this.#keptBytes += oldest.bytes;
      return;
    }
    this.#drop(oldest);
  }

  #drop(e: Entry): void {
    this.#evicted++;
    if (e.slot >= 0) {
      this.#filters!.free(e.slot);
      this.#bySlot[e.slot] = undefined;
    }
    const traceId = e.r.traceId;
    if (traceId === undefined) return;
    const list = this.#byTrace.get(traceId);
    if (list === undefined) return;
    // Eviction goes oldest first, so the record is nearly always its trace's first.
    const i = list[0] === e ? 0 : list.indexOf(e);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#byTrace.delete(traceId);
  }
}

/** Index of the newest entry of `ring` with `seq < before` (entries are in seq order), or -1. */
function lastBelow(ring: RingBuffer<Entry>, before: number): number {
  if (before === Infinity) return ring.size - 1;
  let lo = 0;
  let hi = ring.size; // first index with seq >= before
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ring.at(mid)!.seq < before) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function decodeCursor(cursor: string): number {
  const body = cursor.slice(CURSOR_PREFIX.length);
  const seq = cursor.startsWith(CURSOR_PREFIX) && /^[0-9a-z]{1,11}$/.test(body) ? parseInt(body, 36) : NaN;
  if (!Number.isSafeInteger(seq)) {
    throw new RangeError(`LogStore.query: invalid cursor "${cursor.slice(0, 40)}"; pass a nextCursor from a previous page`);
  }
  return seq;
}
