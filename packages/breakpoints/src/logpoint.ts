import { types } from 'node:util';
import type { TemplatePart } from './expressions.js';

/**
 * Logpoints never pause: their V8 breakpoint condition calls this hook with the values of the
 * message parts and returns false. V8 evaluates it in the frame without the ~0.3 ms pause and
 * call-frame serialisation of a snapshot (measured several times cheaper), and the hook runs in the
 * app's async context, so the active span is the request's. The parts are checked statically for
 * side effects like conditions, because V8 evaluates conditions with side effects allowed.
 */
const HOOK = Symbol.for('debugpanel.logpoint');
type Handler = (values: unknown[]) => void;
const handlers = new Map<string, Handler>();

function installHook(): void {
  const g = globalThis as unknown as Record<symbol, unknown>;
  if (typeof g[HOOK] === 'function') return;
  Object.defineProperty(globalThis, HOOK, {
    value(id: string, values: unknown[]): false {
      try {
        handlers.get(id)?.(values);
      } catch {
        // never let panel code throw into the app's frame
      }
      return false;
    },
    configurable: true,
    enumerable: false,
    writable: false,
  });
}

export function registerLogpoint(id: string, handler: Handler): void {
  installHook();
  handlers.set(id, handler);
}

export function unregisterLogpoint(id: string): void {
  handlers.delete(id);
}

/** Each part becomes `[0, value]` or `[1, error]`, so one failing part does not hide the others. */
export function logpointCondition(id: string, parts: TemplatePart[], condition?: string): string {
  const values = parts
    .flatMap((p) => ('expr' in p ? [p.expr] : []))
    .map((x) => `(() => { try { return [0, (${x})]; } catch (__dp_err) { return [1, __dp_err]; } })()`);
  const call = `globalThis[Symbol.for('debugpanel.logpoint')]?.(${JSON.stringify(id)}, [${values.join(', ')}])`;
  return condition ? `(${condition}) && ${call}` : call;
}

export interface FormatLimits {
  maxStringLength: number;
  maxProperties: number;
}

/**
 * One value as short text, read without running app code: no getters, no proxy traps, no toString.
 */
export function formatValue(v: unknown, limits: FormatLimits, isSecret: (k: string) => boolean, depth = 0): string {
  const cut = (s: string) => (s.length > limits.maxStringLength ? `${s.slice(0, limits.maxStringLength)}…` : s);
  switch (typeof v) {
    case 'string':
      return depth === 0 ? cut(v) : JSON.stringify(cut(v));
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(v);
    case 'bigint':
      return `${v}n`;
    case 'symbol':
      return cut(v.toString());
    case 'function':
      return `ƒ ${cut(v.name || 'anonymous')}`;
  }
  if (v === null) return 'null';
  const o = v as object;
  if (types.isProxy(o)) return 'Proxy';
  if (types.isNativeError(o)) {
    const msg = Object.getOwnPropertyDescriptor(o, 'message');
    return cut(`${(o as Error).constructor === Error ? 'Error' : nameOf(o)}: ${typeof msg?.value === 'string' ? msg.value : ''}`);
  }
  if (types.isDate(o)) return Number.isNaN(Date.prototype.getTime.call(o)) ? 'Invalid Date' : Date.prototype.toISOString.call(o);
  // Read through the built-in getters: a subclass may override `size`.
  if (types.isMap(o)) return `Map(${String(Object.getOwnPropertyDescriptor(Map.prototype, 'size')!.get!.call(o))})`;
  if (types.isSet(o)) return `Set(${String(Object.getOwnPropertyDescriptor(Set.prototype, 'size')!.get!.call(o))})`;
  const isArray = Array.isArray(o);
  if (depth >= 1) return isArray ? `Array(${(o as unknown[]).length})` : nameOf(o);
  const keys = Object.keys(o);
  const shown = keys.slice(0, limits.maxProperties).map((k) => {
    const d = Object.getOwnPropertyDescriptor(o, k);
    const val = isSecret(k) ? '[REDACTED]' : d && 'value' in d ? formatValue(d.value, limits, isSecret, depth + 1) : '(getter)';
    return isArray ? val : `${k}: ${val}`;
  });
  if (keys.length > limits.maxProperties) shown.push('…');
  return isArray ? `[${shown.join(', ')}]` : `${nameOf(o) === 'Object' ? '' : `${nameOf(o)} `}{${shown.join(', ')}}`;
}

function nameOf(o: object): string {
  const proto = Object.getPrototypeOf(o) as object | null;
  if (!proto) return 'Object';
  const d = Object.getOwnPropertyDescriptor(proto, 'constructor');
  const ctor = d && 'value' in d && typeof d.value === 'function' ? (d.value as object) : undefined;
  const n = ctor ? Object.getOwnPropertyDescriptor(ctor, 'name') : undefined;
  return n && typeof n.value === 'string' && n.value ? n.value : 'Object';
}
