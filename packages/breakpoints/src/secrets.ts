import { REDACTED } from '@debugpanel/model';
import { isSecretHeaderName, type SecretKeys } from './capture.js';
import type { Post, RemoteObject } from './session.js';

export interface PropertyDescriptor {
  name: string;
  value?: RemoteObject;
  get?: RemoteObject;
  isOwn?: boolean;
  symbol?: RemoteObject;
}

/**
 * Own properties of remote objects, read once per pause. `Runtime.getProperties` with
 * `ownProperties` lists accessors without calling them and reads a Proxy's target and handler
 * without its traps: reading never runs app code. Secret harvesting and capture share the cache.
 */
export class PauseReader {
  private readonly cache = new Map<string, PropertyDescriptor[]>();
  constructor(
    readonly post: Post,
    readonly objectGroup: string,
  ) {}

  props(objectId: string): PropertyDescriptor[] {
    let r = this.cache.get(objectId);
    if (!r) {
      r = this.post<{ result: PropertyDescriptor[] }>('Runtime.getProperties', {
        objectId, ownProperties: true, accessorPropertiesOnly: false, generatePreview: false, objectGroup: this.objectGroup,
      }).result;
      this.cache.set(objectId, r);
    }
    return r;
  }
}

const MIN_SECRET = 5;
const PATH_WITH_QUERY = /^\/\S*\?\S*=/;
const MAX_SECRETS = 64;
/** Keys whose objects likely hold credentials: they are read first. */
const HOLDER = /header|cookie|auth|session|cred|token|secret|pass|key|req|request|query|body|param|env|config|option/i;
/** Classes of plain data, walked whatever their name. */
const PLAIN = new Set(['Object', 'Array']);

/**
 * Secret values seen in a paused frame (values under secret keys, the value after a secret header
 * name in a `rawHeaders`-like array), so that any output string containing one is redacted, however
 * the expression reached it (`req.headers['author' + 'ization']`, a `slice` of it, a template).
 */
export class FrameSecrets {
  private readonly values = new Set<string>();
  constructor(
    private readonly redactor: SecretKeys,
    known: Iterable<string> = [],
  ) {
    for (const v of known) this.add(v);
  }

  get size(): number {
    return this.values.size;
  }

  /** Adds a secret value, and the parts an expression could cut out of it (the token after `Bearer `, cookie values). */
  add(value: string): void {
    this.put(value);
    const words = value.split(/\s+/);
    if (words.length > 1) this.put(words.at(-1)!);
    for (const pair of value.split(';')) {
      const eq = pair.indexOf('=');
      if (eq > 0) this.put(pair.slice(eq + 1).trim());
    }
  }

  private put(v: string): void {
    if (v.length >= MIN_SECRET && this.values.size < MAX_SECRETS) this.values.add(v);
  }

  /**
   * `s` with every known secret value and every secret-shaped part replaced by `[REDACTED]`; a
   * request path with a query (`req.url`) also loses its secret parameters.
   */
  redact(s: string): string {
    let out = s;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join(REDACTED);
    return PATH_WITH_QUERY.test(out) ? this.redactor.url(out) : this.redactor.string(out);
  }
}

/** Secret values of this process's environment (`DB_PASSWORD=...`), read once when the agent starts. */
export function environmentSecrets(redactor: SecretKeys, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(env)) if (v && redactor.isSecretKey(k)) out.push(v);
  return out;
}

/**
 * Walks a frame's scopes, then the objects they hold (breadth first, credential holders first, at
 * most `maxObjects` objects, three levels down), collecting secret values into `into`.
 */
export function harvestSecrets(
  reader: PauseReader,
  scopeObjectIds: string[],
  redactor: SecretKeys,
  into: FrameSecrets,
  maxObjects = 24,
): void {
  const urgent: Queued[] = [];
  const later: Queued[] = [];
  const seen = new Set<string>();
  const visit = (props: PropertyDescriptor[], depth: number, isArray: boolean) => {
    let afterSecretName = false;
    for (const p of props) {
      const v = p.value;
      if (!v || p.name === '__proto__' || (isArray && p.name === 'length')) continue;
      const secretKey = redactor.isSecretKey(p.name) || afterSecretName;
      afterSecretName = false;
      if (v.type === 'string') {
        const s = String(v.value);
        if (secretKey) into.add(s);
        // rawHeaders: ["authorization", "Bearer ...", "cookie", "sid=..."]
        if (isArray) afterSecretName = isSecretHeaderName(p.name, s, redactor);
        continue;
      }
      if (v.type !== 'object' || !v.objectId || depth >= 3 || seen.has(v.objectId)) continue;
      if (v.subtype && v.subtype !== 'array') continue; // null, proxy, date, regexp, map, typed arrays...
      // The walk is most of a capture's pause (a Runtime.getProperties call each, 0.1-0.5 ms): spend
      // it on data. Class instances (a Socket, a ServerResponse, `process`, a database handle) and
      // internal state (`_readableState`, `_events`) are skipped unless their name says they hold
      // credentials (`req`, `headers`, `session`); the environment's secrets are known beforehand.
      if (!secretKey && !HOLDER.test(p.name) && (p.name.startsWith('_') || (v.className !== undefined && !PLAIN.has(v.className)))) continue;
      if (v.subtype === 'array' && Number(/\((\d+)\)$/.exec(v.description ?? '')?.[1] ?? 0) > 200) continue;
      seen.add(v.objectId);
      (HOLDER.test(p.name) || secretKey ? urgent : later).push({ id: v.objectId, depth: depth + 1, array: v.subtype === 'array' });
    }
  };
  for (const id of scopeObjectIds) visit(reader.props(id), 0, false);
  let read = 0;
  while (read < maxObjects && into.size < MAX_SECRETS) {
    // Shallow before deep, and holders first within a depth.
    const next = pick(urgent, later);
    if (!next) break;
    read++;
    visit(reader.props(next.id), next.depth, next.array);
  }
}

interface Queued {
  id: string;
  depth: number;
  array: boolean;
}

function pick(urgent: Queued[], later: Queued[]): Queued | undefined {
  const u = urgent[0];
  const l = later[0];
  if (u && (!l || u.depth <= l.depth)) return urgent.shift();
  return later.shift();
}
