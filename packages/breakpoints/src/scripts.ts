import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  TraceMap,
  generatedPositionFor,
  originalPositionFor,
  LEAST_UPPER_BOUND,
} from '@jridgewell/trace-mapping';

export interface ScriptInfo {
  scriptId: string;
  url: string;
  sourceMapURL: string;
}

const MAX_MAP_BYTES = 50 * 1024 * 1024;

/** A script URL (file:// for ESM and, on recent Node, CommonJS; a plain path on older Node) as a path. */
export function scriptPath(url: string): string | undefined {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return undefined;
    }
  }
  return path.isAbsolute(url) ? url : undefined;
}

const stem = (p: string) => path.basename(p).replace(/\.[^.]*$/, '');

/**
 * The scripts V8 reported through Debugger.scriptParsed, and their source maps, loaded lazily and
 * cached (bounded). Only scripts with a file path are kept: node: internals and eval code are skipped.
 */
export class ScriptRegistry {
  private readonly byId = new Map<string, ScriptInfo>();
  private readonly byPath = new Map<string, ScriptInfo>();
  private readonly maps = new Map<string, TraceMap | null>();
  constructor(private readonly maxMaps = 100) {}

  add(info: ScriptInfo): string | undefined {
    const p = scriptPath(info.url);
    if (!p) return undefined;
    this.byId.set(info.scriptId, info);
    this.byPath.set(p, info);
    return p;
  }

  clear(): void {
    this.byId.clear();
    this.byPath.clear();
    this.maps.clear();
  }

  get size(): number {
    return this.byId.size;
  }

  byScriptId(id: string): ScriptInfo | undefined {
    return this.byId.get(id);
  }

  byFile(file: string): ScriptInfo | undefined {
    return this.byPath.get(file);
  }

  /** The parsed source map of a script, or null when it has none or it cannot be read. */
  mapOf(info: ScriptInfo): TraceMap | null {
    if (!info.sourceMapURL) return null;
    const cached = this.maps.get(info.url);
    if (cached !== undefined) return cached;
    let map: TraceMap | null = null;
    try {
      map = loadMap(info);
    } catch {
      map = null;
    }
    if (this.maps.size >= this.maxMaps) this.maps.delete(this.maps.keys().next().value as string);
    this.maps.set(info.url, map);
    return map;
  }

  /**
   * Finds the loaded script whose source map has `file` among its sources, and the generated
   * position of `line` (1-based). Scripts named like the file are tried first, then the others
   * outside node_modules.
   */
  findGenerated(file: string, line: number): { script: ScriptInfo; line: number; column: number } | { script: ScriptInfo; error: string } | undefined {
    const want = stem(file);
    const candidates: ScriptInfo[] = [];
    const rest: ScriptInfo[] = [];
    for (const [p, info] of this.byPath) {
      if (!info.sourceMapURL || p.includes(`${path.sep}node_modules${path.sep}`)) continue;
      (stem(p) === want ? candidates : rest).push(info);
    }
    for (const info of [...candidates, ...rest]) {
      const found = this.generatedIn(info, file, line);
      if (found) return found;
    }
    return undefined;
  }

  /** The generated position of an original line in one script, trying up to 10 lines further down. */
  generatedIn(info: ScriptInfo, file: string, line: number): { script: ScriptInfo; line: number; column: number } | { script: ScriptInfo; error: string } | undefined {
    const map = this.mapOf(info);
    if (!map) return undefined;
    const source = sourceIn(map, file);
    if (source === undefined) return undefined;
    // Blank lines and comments have no mapping: like editors, move to the next line with code.
    for (let l = line; l < line + 10; l++) {
      const pos = generatedPositionFor(map, { source, line: l, column: 0, bias: LEAST_UPPER_BOUND });
      if (pos.line !== null) return { script: info, line: pos.line, column: pos.column };
    }
    return { script: info, error: `no code at or below line ${line} of ${file} in its source map` };
  }

  /** Original file/line (1-based)/column (0-based) of a generated position, or undefined without a map. */
  original(scriptId: string, line0: number, column0: number): { file: string; line: number; column: number } | undefined {
    const info = this.byId.get(scriptId);
    if (!info) return undefined;
    const map = this.mapOf(info);
    if (!map) return undefined;
    const pos = originalPositionFor(map, { line: line0 + 1, column: column0 });
    if (pos.source === null || pos.line === null) return undefined;
    return { file: scriptPath(pos.source) ?? pos.source, line: pos.line, column: pos.column ?? 0 };
  }
}

function sourceIn(map: TraceMap, file: string): string | undefined {
  const resolved = map.resolvedSources;
  for (let i = 0; i < resolved.length; i++) {
    const r = resolved[i];
    if (r && (r === file || scriptPath(r) === file)) return r;
  }
  return undefined;
}

function loadMap(info: ScriptInfo): TraceMap {
  const scriptUrl = info.url.startsWith('file://') ? info.url : pathToFileURL(info.url).href;
  const ref = info.sourceMapURL;
  if (ref.startsWith('data:')) {
    const comma = ref.indexOf(',');
    const meta = ref.slice(0, comma);
    const body = ref.slice(comma + 1);
    const json = meta.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
    return new TraceMap(json, scriptUrl);
  }
  const mapUrl = new URL(ref, scriptUrl);
  if (mapUrl.protocol !== 'file:') throw new Error('only file source maps are read');
  const mapPath = fileURLToPath(mapUrl);
  const json = readFileSync(mapPath, 'utf8');
  if (json.length > MAX_MAP_BYTES) throw new Error('source map too large');
  return new TraceMap(json, mapUrl.href);
}
