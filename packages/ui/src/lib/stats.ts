/**
 * Renders whatever `GET api/stats` returns as sections of counters, so counters the server adds
 * later show up without a UI change.
 */
export interface StatsSection {
  title: string;
  rows: Array<[key: string, value: string]>;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** Top-level scalars go to "overview"; each top-level object becomes a section with dotted keys. */
export function statsSections(stats: Record<string, unknown>, format: (key: string, value: unknown) => string = formatStat): StatsSection[] {
  const panel: StatsSection = { title: 'overview', rows: [] };
  const sections: StatsSection[] = [panel];
  for (const [key, value] of Object.entries(stats)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const rows: Array<[string, string]> = [];
      flatten(value as Record<string, Json>, '', rows, format);
      sections.push({ title: key, rows });
    } else panel.rows.push([key, format(key, value)]);
  }
  return panel.rows.length > 0 ? sections : sections.slice(1);
}

function flatten(obj: Record<string, Json>, prefix: string, out: Array<[string, string]>, format: (k: string, v: unknown) => string) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out, format);
    else out.push([key, format(key, v)]);
  }
}

/**
 * Numbers with thousands separators; keys ending in `bytes`/`Bytes` get units, `Ms` durations,
 * `At` timestamps (ms since epoch), and a bare `uptime` is taken as seconds (process.uptime()).
 */
export function formatStat(key: string, value: unknown): string {
  if (typeof value === 'number') {
    if (/bytes$/i.test(key)) return formatBytesShort(value);
    if (/uptime/i.test(key)) return formatUptime(/Ms$/.test(key) ? value / 1000 : value);
    if (/Ms$/.test(key)) return value < 1000 ? `${Math.round(value * 100) / 100} ms` : formatUptime(value / 1000);
    if (/At$/.test(key) && value > 1e12) return new Date(value).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    return Number.isInteger(value) ? value.toLocaleString('en-US') : String(Math.round(value * 100) / 100);
  }
  if (Array.isArray(value)) return value.join(', ');
  return value === null || value === undefined ? '–' : String(value);
}

function formatBytesShort(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function formatUptime(seconds: number): string {
  const s = Math.max(0, seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return d > 0 ? `${d}d ${h}h ${m}m` : h > 0 ? `${h}h ${m}m ${sec}s` : `${m}m ${sec}s`;
}
