/**
 * Reads the query of an analysis route (flame, dependencies) into its known keys: an error
 * message for an unknown key (so a typo does not silently widen the result), a bad time or limit.
 */
export function readParams(
  query: URLSearchParams,
  known: readonly string[],
  limit: { def: number; max: number },
): { error: string } | { text: Record<string, string>; since?: number; until?: number; limit: number } {
  for (const key of query.keys()) {
    if (!known.includes(key)) return { error: `unknown query parameter "${key}"; known: ${known.join(', ')}` };
  }
  const text: Record<string, string> = {};
  for (const key of known) {
    const v = query.get(key);
    if (v === null || v === '') continue;
    if (v.length > 200) return { error: `${key} is longer than 200 characters` };
    text[key] = v;
  }
  const out: { text: Record<string, string>; since?: number; until?: number; limit: number } = { text, limit: limit.def };
  for (const key of ['since', 'until'] as const) {
    if (text[key] === undefined) continue;
    const n = Number(text[key]);
    if (!Number.isFinite(n) || n < 0) return { error: `${key} must be ms since the epoch (a non-negative number), got "${text[key]}"` };
    out[key] = n;
  }
  if (text.limit !== undefined) {
    const n = Number(text.limit);
    if (!Number.isInteger(n) || n < 1 || n > limit.max) return { error: `limit must be an integer from 1 to ${limit.max}, got "${text.limit}"` };
    out.limit = n;
  }
  return out;
}
