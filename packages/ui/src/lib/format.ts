/** Display formatting shared by every view. */

/** 0.42 -> "420µs", 12.345 -> "12.3ms", 1234 -> "1.23s", 125000 -> "2m 5s" */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  // A unit is used as long as its rounded value stays below the next unit: 999.96 ms is "1s",
  // not "1000ms" (a CPU profile of one second read "1000ms" beside "1s").
  if (Math.round(ms * 1000) < 1000) return `${Math.round(ms * 1000)}µs`;
  if (Number(ms.toFixed(2)) < 10) return `${trim(ms.toFixed(2))}ms`;
  if (Number(ms.toFixed(1)) < 1000) return `${trim(ms.toFixed(1))}ms`;
  if (Number((ms / 1000).toFixed(2)) < 60) return `${trim((ms / 1000).toFixed(2))}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${s % 60}s`;
}

/** Wall-clock time with milliseconds, in the browser's zone: "14:03:07.123" */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** "3s ago", "5m ago", "2h ago", relative to `now` */
export function formatAgo(epochMs: number, now: number): string {
  const s = Math.max(0, Math.round((now - epochMs) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** 1536 -> "1.5 KB" */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${trim(v.toFixed(1))} ${units[i]}`;
}

/** 12345 -> "12,345" */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
}

/** A stable colour index for a service name, so a service keeps its colour across views. */
export function serviceHue(service: string, palette = 10): number {
  let h = 2166136261;
  for (let i = 0; i < service.length; i++) {
    h ^= service.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % palette;
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
