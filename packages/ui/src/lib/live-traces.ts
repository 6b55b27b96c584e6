/**
 * Streamed trace summaries waiting to join the trace list (behind the "N new" badge), judged
 * against the list's filter as they arrive so the badge counts only traces that match it.
 */
import { summaryMatches, type TraceQuery, type TraceSummary } from '@debugpanel/model';

/** Hard cap on traces waiting; past it the oldest goes, counted in `dropped`. */
export const MAX_PENDING = 500;

interface Entry {
  summary: TraceSummary;
  /** True: matches the filter; false: the summary cannot tell (span names, attributes, text) */
  matches: boolean;
}

/**
 * The latest summary of each waiting trace, in arrival order (a trace's summary comes again as its
 * spans arrive, and moves to the newest end). Not a plain FIFO ring like `RingBuffer`: an update
 * replaces its trace's entry, and a summary that stops matching (an `ok` trace that gained an
 * error span) takes its trace out. Judged with `summaryMatches`, the rule the store's filters
 * follow; what a summary cannot decide waits `unresolved` until the API has answered for it.
 *
 * @example
 * const pending = new PendingTraces({ service: 'orders', status: 'error' });
 * pending.offer(summary);          // from the stream
 * pending.countNew(shownIds);      // the badge
 * list = prependNewer(list, pending.take());
 */
export class PendingTraces {
  readonly #query: TraceQuery;
  readonly #cap: number;
  readonly #entries = new Map<string, Entry>();
  #dropped = 0;

  constructor(query: TraceQuery, cap = MAX_PENDING) {
    this.#query = query;
    this.#cap = cap;
  }

  /** Traces dropped because `cap` were waiting. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Traces waiting, matching or not yet judged. */
  get size(): number {
    return this.#entries.size;
  }

  /** Takes one streamed summary. */
  offer(t: TraceSummary): void {
    const verdict = summaryMatches(t, this.#query);
    this.#entries.delete(t.traceId);
    if (verdict === false) return;
    this.#entries.set(t.traceId, { summary: t, matches: verdict === true });
    if (this.#entries.size > this.#cap) {
      this.#entries.delete(this.#entries.keys().next().value!);
      this.#dropped++;
    }
  }

  /** Matching traces not in the list yet (`shown` holds the ids of its rows): the badge's number. */
  countNew(shown: ReadonlySet<string>): number {
    let n = 0;
    for (const [id, e] of this.#entries) if (e.matches && !shown.has(id)) n++;
    return n;
  }

  /** True when some waiting traces match (new ones, or newer summaries of rows in the list). */
  get hasMatches(): boolean {
    for (const e of this.#entries.values()) if (e.matches) return true;
    return false;
  }

  /** Summaries the filter cannot judge from the summary: ask the API about these. */
  unresolved(): TraceSummary[] {
    const out: TraceSummary[] = [];
    for (const e of this.#entries.values()) if (!e.matches) out.push(e.summary);
    return out;
  }

  /**
   * The API's answer for `asked` (from `unresolved()`): `found`, the traces of the filter that
   * started at or after the oldest asked (newest first, as the API pages). A trace missing from
   * `found` does not match, unless it started before `decidedSince` (the start of the last result
   * of a full page: older ones were not covered). Entries updated since they were asked wait for
   * the next round.
   */
  resolve(asked: readonly TraceSummary[], found: readonly TraceSummary[], decidedSince = -Infinity): void {
    const byId = new Map(found.map((t) => [t.traceId, t]));
    for (const a of asked) {
      const e = this.#entries.get(a.traceId);
      if (e === undefined || e.summary !== a) continue;
      const hit = byId.get(a.traceId);
      if (hit) this.#entries.set(a.traceId, { summary: hit.spanCount >= a.spanCount ? hit : a, matches: true });
      else if (a.startTime > decidedSince) this.#entries.delete(a.traceId);
    }
  }

  /** Removes and returns the matching summaries, oldest arrival first (what `prependNewer` takes). */
  take(): TraceSummary[] {
    const out: TraceSummary[] = [];
    for (const [id, e] of this.#entries) {
      if (!e.matches) continue;
      out.push(e.summary);
      this.#entries.delete(id);
    }
    return out;
  }
}
