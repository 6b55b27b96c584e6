import { REDACTED, type Redactor } from '@debugpanel/model';
import type { FrameSecrets, PauseReader } from './secrets.js';
import type { RemoteObject } from './session.js';
import type { CaptureLimits, CapturedValue } from './types.js';

/** What the agent asks of the panel's one `Redactor`. */
export type SecretKeys = Pick<Redactor, 'isSecretKey' | 'string' | 'url'>;

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
 * Node's own plumbing met as a member (`req.socket`, `req.res`, `res.req`, `socket.server`): named,
 * not opened below the frame's own locals. Each would cost a property read of 0.1-0.5 ms inside the
 * pause for what a snapshot is rarely opened for; a local that *is* one (a handler's `req`) is still
 * expanded, so its headers, params, query and body are captured.
 */
const PLUMBING = new Set(['Socket', 'TLSSocket', 'Server', 'HTTPParser', 'IncomingMessage', 'ServerResponse', 'ClientRequest', 'Agent', 'Timeout', 'Immediate', 'TimersList', 'WriteStream', 'ReadStream', 'Http2Session', 'Http2Stream']);

/**
 * Copies the head of a large array without reading through its accessors: an index getter is
 * copied as a getter (and listed as one), never called. getProperties on the whole array would
 * serialise every element, milliseconds on a large one for the few we keep.
 */
const ARRAY_HEAD = `function (n) {
  const a = [];
  for (let i = 0; i < n; i++) {
    const d = Object.getOwnPropertyDescriptor(this, i);
    if (d === undefined) continue;
    if ('value' in d) a[i] = d.value;
    else Object.defineProperty(a, i, { get: d.get, enumerable: true });
  }
  return a;
}`;

/**
 * Turns remote objects of a paused frame into bounded plain values, with secrets redacted: by key
 * (`password: [REDACTED]`), by position (the value after a secret header name in a `rawHeaders`-like
 * array), by shape (`Bearer …`, JWTs, `user:pass@`) and by content (any string holding a secret
 * value seen in the frame, see secrets.ts). One instance per capture: it counts the bytes of
 * everything it produced and stops expanding once the budget is spent. Getters are listed, never
 * invoked; Proxies are shown as such, their traps never run.
 */
export class Capturer {
  bytes = 0;
  truncated = false;
  constructor(
    private readonly reader: PauseReader,
    private readonly limits: CaptureLimits,
    private readonly redactor: SecretKeys,
    private readonly secrets: FrameSecrets,
  ) {}

  get budgetLeft(): boolean {
    return this.bytes < this.limits.maxBytes;
  }

  /** A value; objects are expanded while `depth` < maxDepth and the byte budget lasts. */
  value(name: string, obj: RemoteObject, depth: number, secret = this.redactor.isSecretKey(name)): CapturedValue {
    this.bytes += name.length + 16;
    if (secret) {
      this.bytes += 10;
      return { name, type: obj.type, value: REDACTED, note: 'redacted' };
    }
    const out = primitive(name, obj);
    if (out) {
      if (typeof out.value === 'string') {
        const clean = this.secrets.redact(out.value);
        if (clean !== out.value) {
          out.value = clean;
          out.note = 'redacted';
        }
        if (out.value.length > this.limits.maxStringLength) {
          out.value = out.value.slice(0, this.limits.maxStringLength) + '…';
          out.note ??= 'truncated';
          this.truncated = true;
        }
      }
      this.bytes += typeof out.value === 'string' ? out.value.length : 8;
      return out;
    }
    // A function's description is its whole source: its signature says enough.
    const raw = obj.type === 'function' ? (obj.description ?? '').split(/[{\n]/)[0]!.trim() || 'function' : obj.description ?? obj.className ?? obj.type;
    const description = this.secrets.redact(raw).slice(0, this.limits.maxStringLength);
    const cv: CapturedValue = { name, type: obj.type, value: description };
    this.bytes += description.length;
    if (obj.type !== 'object' || !obj.objectId || obj.subtype === 'proxy') return cv;
    if (depth >= this.limits.maxDepth) {
      cv.note = 'depth';
      return cv;
    }
    // `_readableState`, `_events`: a class's internals, listed first and read at 0.1-0.5 ms each,
    // would spend the pause on what nobody opened the snapshot for. Named, not expanded.
    if (depth > 0 && (name.startsWith('_') || PLUMBING.has(obj.className ?? ''))) {
      cv.note = 'internal';
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
      const head = this.reader.post<{ result: RemoteObject }>('Runtime.callFunctionOn', {
        objectId: obj.objectId,
        functionDeclaration: ARRAY_HEAD,
        arguments: [{ value: this.limits.maxProperties }],
        objectGroup: this.reader.objectGroup,
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
    const out: CapturedValue[] = [];
    let shown = 0;
    let afterSecretName = false;
    for (const p of this.reader.props(objectId)) {
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
      // In ["authorization", "Bearer …", "cookie", "sid=…"] the value after a secret name is secret.
      const secret = this.redactor.isSecretKey(p.name) || afterSecretName;
      afterSecretName = isArray && p.value?.type === 'string' && isSecretHeaderName(p.name, String(p.value.value), this.redactor);
      if (p.value) out.push(this.value(p.name, p.value, depth, secret));
      else if (p.get) out.push({ name: p.name, type: 'accessor', value: '(getter)' });
    }
    return out;
  }
}

/**
 * True for a secret header name at an even index of a `rawHeaders`-like array (names and values
 * alternate): the element after it holds its value.
 */
export function isSecretHeaderName(index: string, value: string, redactor: SecretKeys): boolean {
  return Number(index) % 2 === 0 && /^[\w-]{1,64}$/.test(value) && redactor.isSecretKey(value);
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
