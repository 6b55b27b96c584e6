/**
 * The store's bigram filters (`BigramFilters` from @debugpanel/model), one slot per trace: made by the first query with
 * `text`, `attributes` or `name` and brought up to date by each such query, never on `add`, so
 * ingest pays nothing for them. A filter lives and dies with its trace; its bytes count in the
 * store's budget like the trace's spans.
 */
import { BigramFilters, FILTER_BYTES, ID_SEP, NAME_SEP, keySep, type Attributes, type RingBuffer } from '@debugpanel/model';
import type { TraceEntry } from './trace-entry.js';

export class TraceFilters {
  #filters: BigramFilters | undefined = undefined;
  /** The trace of each filter slot */
  bySlot: Array<TraceEntry | undefined> = [];
  /** Spans were added since the filters were last brought up to date */
  stale = false;

  /**
   * Gives every live trace of the store's order a filter (tombstones are skipped) and hashes the spans added since the last call.
   * Returns the filters and the bytes the new filters added (already added to their entries).
   */
  update(order: RingBuffer<TraceEntry>): { filters: BigramFilters; added: number } {
    let filters = this.#filters;
    let added = 0;
    if (filters === undefined) filters = this.#filters = new BigramFilters();
    else if (!this.stale) return { filters, added };
    this.stale = false;
    for (let i = 0; i < order.size; i++) {
      const e = order.at(i)!;
      if (!e.dead) added += this.#filterEntry(filters, e);
    }
    return { filters, added };
  }

  /** Frees the filter of an evicted trace. */
  free(e: TraceEntry): void {
    if (e.slot < 0) return;
    this.#filters!.free(e.slot);
    this.bySlot[e.slot] = undefined;
  }

  clear(): void {
    this.#filters = undefined;
    this.bySlot = [];
    this.stale = false;
  }

  /** Returns the bytes of a filter made now (0 when the trace had one). */
  #filterEntry(filters: BigramFilters, e: TraceEntry): number {
    let slot = e.slot;
    let added = 0;
    if (slot < 0) {
      slot = e.slot = filters.alloc();
      this.bySlot[slot] = e;
      filters.add(slot, e.traceId, ID_SEP);
      e.bytes += FILTER_BYTES;
      added = FILTER_BYTES;
    }
    const n = e.count;
    if (e.filtered === n) return added;
    const slab = e.slab;
    let s = e.head;
    for (let i = 0; i < n; i++, s = slab.next(s)) if (i >= e.filtered) filterSpan(filters, slot, slab.name(s), slab.attributes(s));
    e.filtered = n;
    return added;
  }
}

/** Hashes one span's strings into a trace's filter: its name and every attribute value. */
export function filterSpan(filters: BigramFilters, slot: number, name: string, attrs: Attributes): void {
  filters.add(slot, name, NAME_SEP);
  for (const k in attrs) {
    const v = attrs[k];
    if (typeof v === 'string') filters.add(slot, v, keySep(k));
    else if (v !== undefined) filters.add(slot, String(v), keySep(k));
  }
}
