import type { CaptureLimits, CapturedValue } from './types.js';

/** Synchronous protocol call: in-thread inspector sessions answer before `post` returns. */
export type Post = <T = any>(method: string, params?: Record<string, unknown>) => T; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The subset of CDP's Runtime.RemoteObject we read. */
export interface RemoteObject {
  type: string;
  subtype?: string;
  className?: string;
  value?: unknown;
  unserializableValue?: string;
  description?: string;
  objectId?: string;
}

interface PropertyDescriptor {
  name: string;
  value?: RemoteObject;
  get?: RemoteObject;
  isOwn?: boolean;
  enumerable?: boolean;
}

export const DEFAULT_LIMITS: CaptureLimits = {
  maxFrames: 20,
  expandFrames: 5,
  maxLocals: 30,
  maxDepth: 2,
  maxProperties: 10,
  maxStringLength: 100,
  maxBytes: 20 * 1024,
};

/**
 * Turns remote objects of a paused frame into bounded plain values. One instance per capture: it
 * counts the bytes of everything it produced and stops expanding once the budget is spent.
 */
export class Capturer {
  bytes = 0;
  truncated = false;
  constructor(
    private readonly post: Post,
    private readonly limits: CaptureLimits,
    private readonly isSecret: (key: string) => boolean,
    private readonly objectGroup: string,
  ) {}

  get budgetLeft(): boolean {
    return this.bytes < this.limits.maxBytes;
  }

  /** A value; objects are expanded while `depth` < maxDepth and the byte budget lasts. */
  value(name: string, obj: RemoteObject, depth: number): CapturedValue {
    this.bytes += name.length + 16;
    if (this.isSecret(name)) {
      this.bytes += 10;
      return { name, type: obj.type, value: '[REDACTED]', note: 'redacted' };
    }
    const out = primitive(name, obj);
    if (out) {
      if (typeof out.value === 'string' && out.value.length > this.limits.maxStringLength) {
        out.value = out.value.slice(0, this.limits.maxStringLength) + '…';
        out.note = 'truncated';
        this.truncated = true;
      }
      this.bytes += typeof out.value === 'string' ? out.value.length : 8;
      return out;
    }
    // A function's description is its whole source: its signature says enough.
    const raw = obj.type === 'function' ? (obj.description ?? '').split(/[{\n]/)[0]!.trim() || 'function' : obj.description ?? obj.className ?? obj.type;
    const description = raw.slice(0, this.limits.maxStringLength);
    const cv: CapturedValue = { name, type: obj.type, value: description };
    this.bytes += description.length;
    if (obj.type !== 'object' || !obj.objectId) return cv;
    if (depth >= this.limits.maxDepth) {
      cv.note = 'depth';
      return cv;
    }
    if (!this.budgetLeft) {
      cv.note = 'budget';
      this.truncated = true;
      return cv;
    }
    const isArray = obj.subtype === 'array' || obj.subtype === 'typedarray';
    const length = isArray ? Number(/\((\d+)\)$/.exec(obj.description ?? '')?.[1] ?? 0) : 0;
    if (length > this.limits.maxProperties) {
      // getProperties serialises every element: on a large array that costs milliseconds for the
      // few we keep. A plain copy of the head is cheap (and runs no user code: no species, no proxy).
      const head = this.post<{ result: RemoteObject }>('Runtime.callFunctionOn', {
        objectId: obj.objectId,
        functionDeclaration: 'function (n) { const a = new Array(n); for (let i = 0; i < n; i++) a[i] = this[i]; return a; }',
        arguments: [{ value: this.limits.maxProperties }],
        objectGroup: this.objectGroup,
        silent: true,
      });
      cv.members = head.result.objectId ? this.members(head.result.objectId, depth + 1, cv, this.limits.maxProperties, true) : [];
      cv.note = 'more';
      this.truncated = true;
      return cv;
    }
    cv.members = this.members(obj.objectId, depth + 1, cv, this.limits.maxProperties, isArray);
    return cv;
  }

  /** Own properties of an object (getters are listed, never invoked). */
  members(objectId: string, depth: number, parent?: CapturedValue, max = this.limits.maxProperties, isArray = false): CapturedValue[] {
    const res = this.post<{ result: PropertyDescriptor[] }>('Runtime.getProperties', {
      objectId,
      ownProperties: true,
      accessorPropertiesOnly: false,
      generatePreview: false,
      objectGroup: this.objectGroup,
    });
    const out: CapturedValue[] = [];
    let shown = 0;
    for (const p of res.result) {
      // Arrays report `length` and `__proto__`-like entries too; the elements tell the story.
      if (p.name === '__proto__' || p.isOwn === false || (isArray && p.name === 'length')) continue;
      if (shown >= max) {
        if (parent) parent.note = 'more';
        this.truncated = true;
        break;
      }
      if (!this.budgetLeft) {
        if (parent) parent.note = 'budget';
        this.truncated = true;
        break;
      }
      shown++;
      if (p.value) out.push(this.value(p.name, p.value, depth));
      else if (p.get) out.push({ name: p.name, type: 'accessor', value: '(getter)' });
    }
    return out;
  }
}

function primitive(name: string, obj: RemoteObject): CapturedValue | undefined {
  switch (obj.type) {
    case 'undefined':
      return { name, type: 'undefined' };
    case 'string':
      return { name, type: 'string', value: String(obj.value) };
    case 'number':
      return { name, type: 'number', value: obj.unserializableValue ?? (obj.value as number) };
    case 'boolean':
      return { name, type: 'boolean', value: obj.value as boolean };
    case 'bigint':
      return { name, type: 'bigint', value: obj.unserializableValue ?? obj.description ?? '' };
    case 'symbol':
      return { name, type: 'symbol', value: obj.description ?? 'Symbol()' };
    case 'object':
      return obj.subtype === 'null' ? { name, type: 'null', value: null } : undefined;
    default:
      return undefined;
  }
}
