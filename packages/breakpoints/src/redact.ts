/** Keys whose values never leave the process (DESIGN security model). */
export const DEFAULT_REDACT = /pass|secret|token|api.?key|authorization|cookie/i;

/** Builds the key test once: the default pattern plus user keys (exact, case-insensitive) or patterns. */
export function createRedactor(extra: ReadonlyArray<string | RegExp> = []): (key: string) => boolean {
  const exact = new Set<string>();
  const patterns: RegExp[] = [DEFAULT_REDACT];
  for (const k of extra) {
    if (typeof k === 'string') exact.add(k.toLowerCase());
    // A global or sticky RegExp keeps state between test() calls; a clone without those flags does not.
    else if (k instanceof RegExp) patterns.push(new RegExp(k.source, k.flags.replace(/[gy]/g, '')));
    else throw new TypeError(`redactKeys entries must be strings or RegExps, got ${typeof k}`);
  }
  return (key) => exact.has(key.toLowerCase()) || patterns.some((p) => p.test(key));
}
