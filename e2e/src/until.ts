/**
 * Polls `get` every 100 ms until `ok` holds, and returns that value; after `ms` it throws with
 * what it last saw. For data that reaches a hub in batches (spans, logs, error groups).
 *
 * @example
 * await until('the hub has every line', () => fetchLogs(), (r) => r.logs.length >= 80);
 */
export async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: never ready (last: ${JSON.stringify(v).slice(0, 300)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
