/**
 * The trace list's time-range picker: a relative range ("last 15 min") turned into the absolute
 * `since` of a `TraceQuery` when picked, so the link it makes shows the same traces later.
 */

export const TIME_RANGES = [
  { key: '5m', label: 'last 5 min', ms: 5 * 60_000 },
  { key: '15m', label: 'last 15 min', ms: 15 * 60_000 },
  { key: '1h', label: 'last hour', ms: 60 * 60_000 },
  { key: '6h', label: 'last 6 hours', ms: 6 * 60 * 60_000 },
] as const;

export type TimeRangeKey = (typeof TIME_RANGES)[number]['key'];

/**
 * The `since`/`until` a picked range asks for at `now`; undefined for an unknown key.
 *
 * @example
 * rangeWindow('15m', Date.now()); // { since: now - 900000, until: undefined }
 */
export function rangeWindow(key: string, now: number): { since: number; until: undefined } | undefined {
  const r = TIME_RANGES.find((t) => t.key === key);
  return r === undefined ? undefined : { since: Math.floor(now - r.ms), until: undefined };
}
