/**
 * The Breakpoints view's address, in its own module so the trace view can link to a snapshot
 * without pulling the view's code into the main chunk.
 */

/** The view's state in the address: `#/breakpoints?file=src/x.ts&line=12`, `#/breakpoints/snapshot/<id>`. */
export interface BreakpointsLocation {
  file?: string;
  line?: number;
  snapshot?: string;
  /** The file list's filter */
  q?: string;
}

export function parseBreakpointsHash(hash: string): BreakpointsLocation {
  const raw = hash.replace(/^#\/?/, '');
  const qi = raw.indexOf('?');
  const segs = (qi === -1 ? raw : raw.slice(0, qi)).split('/').filter(Boolean);
  const params = new URLSearchParams(qi === -1 ? '' : raw.slice(qi + 1));
  const out: BreakpointsLocation = {};
  if (segs[1] === 'snapshot' && segs[2]) out.snapshot = safeDecode(segs[2]);
  const file = params.get('file');
  if (file) out.file = file;
  const line = Number(params.get('line'));
  if (Number.isInteger(line) && line > 0) out.line = line;
  const q = params.get('q');
  if (q) out.q = q;
  return out;
}

export function formatBreakpointsHash(loc: BreakpointsLocation): string {
  const p = new URLSearchParams();
  if (loc.file) p.set('file', loc.file);
  if (loc.file && loc.line) p.set('line', String(loc.line));
  if (loc.q) p.set('q', loc.q);
  const qs = p.toString();
  return `#/breakpoints${loc.snapshot ? `/snapshot/${encodeURIComponent(loc.snapshot)}` : ''}${qs ? `?${qs}` : ''}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
