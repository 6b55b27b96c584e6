/**
 * The one redactor of debugpanel (DESIGN.md, security model). Every value that enters the panel
 * passes through a `Redactor` first: local spans and their events, links and resource, OTLP from
 * other services, logs, breakpoint snapshots and logpoint output. One placeholder everywhere:
 * {@link REDACTED}.
 *
 * What is secret:
 * - by key: names matching {@link SECRET_KEY_PATTERN}, names ending in `cookie`/`cookies`
 *   (`cookie`, `set-cookie`, `http.request.header.cookie`), and the user's extra keys
 *   (case-insensitive; equal to the whole key or to its last `.` segment, so `ssn` also covers
 *   `customer.ssn` and `http.request.header.ssn`). Header attributes
 *   (`http.request.header.<name>`, `http.response.header.<name>`, gRPC metadata) are judged by
 *   `<name>` that way. The value of a secret key is replaced whole (booleans excepted: one bit).
 * - by value shape, whatever the key: `Bearer <token>` and `Basic <user:pass in base64>`
 *   credentials, JWTs (`eyJ…` with a dot), the password in `scheme://user:pass@host`, and the
 *   values of secret query parameters in URLs (`?api_key=…`). Only the secret part is replaced.
 *
 * Not secret although the pattern matches: `author`, `authors`, `authored`, `authority` (`auth`
 * means authentication and authorization: `authorization`, `authorize`, `oauth`, `authn` are
 * secret), and the OpenTelemetry `gen_ai.*` token counts and `process.session_leader.pid`, which
 * are numbers, not credentials.
 *
 * It runs on every span, so it is built for the common case of nothing to redact: a verdict per
 * key is cached (bounded), values of known fixed-vocabulary keys (`http.request.method`...) are
 * not scanned, strings too short to hold a secret shape are skipped, and one pre-filter test
 * decides whether a string needs a closer look. Clean inputs are returned as they came (same
 * object, same string): no copy.
 */
import type { AttributeValue, Attributes, SpanEvent, SpanLink, SpanRecord } from './span.js';

/** What replaces a secret, everywhere in the panel. */
export const REDACTED = '[REDACTED]';

/**
 * Keys that look like secrets. `auth` is not matched inside `author`/`authority` (but is in
 * `authorization`): `auth(?!or(?!i[sz]))`.
 */
export const SECRET_KEY_PATTERN = /pass|pwd|secret|token|api.?key|auth(?!or(?!i[sz]))|jwt|session|private/i;

/** Header names whose values are always secret (they are also matched as keys). */
export const SECRET_HEADERS: ReadonlyArray<string> = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
]);

/**
 * Characters kept of a string attribute value (and of each string in an array value), the same
 * bound as OTLP ingest: longer strings are cut, not dropped.
 */
export const MAX_ATTRIBUTE_LENGTH = 4096;

/** Distinct keys whose verdict is remembered; past it the cache starts over (counted). */
const MAX_CACHED_KEYS = 2048;

/** OpenTelemetry semantic-convention keys that match the pattern but hold counts, not secrets. */
const NOT_SECRET_KEYS: ReadonlySet<string> = new Set([
  'gen_ai.request.max_tokens',
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.output_tokens',
  'gen_ai.usage.prompt_tokens',
  'gen_ai.usage.completion_tokens',
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_creation.input_tokens',
  'gen_ai.usage.reasoning.output_tokens',
  'gen_ai.token.type',
  'gen_ai.server.time_to_first_token',
  'gen_ai.server.time_per_output_token',
  'process.session_leader.pid',
]);

/**
 * Semantic-convention keys whose values come from a small vocabulary or are numbers, addresses
 * and route templates: never a credential, so their values are not scanned (only cut).
 */
const FIXED_VOCABULARY_KEYS: ReadonlySet<string> = new Set([
  'http.request.method',
  'http.response.status_code',
  'http.route',
  'url.scheme',
  'network.protocol.name',
  'network.protocol.version',
  'network.transport',
  'network.type',
  'server.address',
  'server.port',
  'client.address',
  'client.port',
  'db.system',
  'db.system.name',
  'db.namespace',
  'db.operation.name',
  'db.collection.name',
  'error.type',
  'exception.type',
  'otel.scope.name',
  'otel.scope.version',
  'code.function',
  'code.function.name',
]);

/** Per-key verdicts. */
const PLAIN = 0; // value scanned for secret shapes
const SECRET = 1; // value replaced whole
const QUERY = 2; // value is a query string (`url.query`): secret parameters, then shapes
const TARGET = 3; // value is a path with a query (`http.target`)
const FIXED = 4; // value only cut
const URL = 5; // value is one URL (`url.full`): user info and query, then the other shapes
type Verdict = typeof PLAIN | typeof SECRET | typeof QUERY | typeof TARGET | typeof FIXED | typeof URL;

/** Keys whose value is one URL. */
const URL_KEYS: ReadonlySet<string> = new Set(['url.full', 'http.url', 'url.original']);

/** The shortest string that can hold a secret shape (`a://b:c@d`). */
const MIN_SHAPE_LENGTH = 9;
/** One test says whether a string may hold a shape; most strings stop here. */
const SHAPE_HINT = /:\/\/|eyJ|bearer|basic/i;
/** The same for a URL whose user info and query were already seen to. */
const TOKEN_HINT = /eyJ|bearer|basic/i;
/** A URL inside text (also a whole value). */
const URL_IN_TEXT = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s"'<>`]+/g;
/** A JWT or JWS: a base64url JSON header (`{"` is `eyJ`), a dot, the payload, maybe the signature. */
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?/g;
/** An HTTP credential: scheme, whitespace, token68 (with `=` taken anywhere, not only at its end). */
const CREDENTIAL = /\b(bearer|basic)([ \t]+)([A-Za-z0-9._~+/=-]+)/gi;
const LOWER_WORD = /^[a-z]+$/;
const PRINTABLE = /^[^\x00-\x1f\x7f]*$/;

/** Counters of a Redactor, for the panel's stats. */
export interface RedactorStats {
  /** values replaced whole or in part */
  redacted: number;
  /** string values cut at `maxLength` */
  cut: number;
  /** keys whose verdict is cached now */
  cachedKeys: number;
  /** bound of that cache */
  maxCachedKeys: number;
  /** times the verdict cache was full and started over */
  cacheResets: number;
}

export interface RedactorOptions {
  /** characters kept per string value (default {@link MAX_ATTRIBUTE_LENGTH}) */
  maxLength?: number;
}

/**
 * Built once from the user's extra keys; then asked about keys, strings, query strings,
 * attributes and whole spans. Never throws on odd input (non-string keys are not secret).
 *
 * @example
 * import { Redactor } from '@debugpanel/model';
 * const redactor = new Redactor(['ssn']);
 * redactor.isSecretKey('http.request.header.cookie');            // true
 * redactor.string('curl -H "Authorization: Bearer abc.def-123"'); // 'curl -H "Authorization: Bearer [REDACTED]"'
 * redactor.attributes({ 'customer.ssn': '123', 'user.id': 'u1' }); // { 'customer.ssn': '[REDACTED]', 'user.id': 'u1' }
 * redactor.span(record);                                           // attributes, events, links, resource, name, status
 */
export class Redactor {
  /** The user's extra keys, as given (without empty ones). */
  readonly extraKeys: ReadonlyArray<string>;
  /** Characters kept per string value. */
  readonly maxLength: number;
  private readonly userKeys: ReadonlySet<string>;
  /** Pre-filter for query strings: no match means no parameter can be secret. */
  private readonly anywhere: RegExp;
  private readonly verdicts = new Map<string, Verdict>();
  private readonly resources = new WeakMap<object, Attributes>();
  /** The last resource seen and its redacted form: one process's spans share one resource. */
  private lastResource: Attributes | undefined = undefined;
  private lastRedactedResource: Attributes | undefined = undefined;
  private counts = { redacted: 0, cut: 0, cacheResets: 0 };

  constructor(extraKeys: ReadonlyArray<string> = [], options: RedactorOptions = {}) {
    if (!Array.isArray(extraKeys) || extraKeys.some((k) => typeof k !== 'string')) {
      throw new TypeError('Redactor: extra keys must be an array of strings, e.g. new Redactor([\'ssn\'])');
    }
    const maxLength = options.maxLength ?? MAX_ATTRIBUTE_LENGTH;
    if (!Number.isInteger(maxLength) || maxLength < 1) throw new TypeError(`Redactor: maxLength must be a positive integer, got ${String(maxLength)}`);
    this.maxLength = maxLength;
    this.extraKeys = Object.freeze(extraKeys.filter((k) => k.length > 0));
    this.userKeys = new Set(this.extraKeys.map((k) => k.toLowerCase()));
    const extra = this.extraKeys.map(escapeRegExp);
    this.anywhere = new RegExp([SECRET_KEY_PATTERN.source, 'cookie', ...extra].join('|'), 'i');
  }

  /**
   * True when values under `key` are secret: an attribute, header, query parameter, variable or
   * property name.
   *
   * @example
   * redactor.isSecretKey('db.password');                        // true
   * redactor.isSecretKey('http.response.header.set-cookie');    // true
   * redactor.isSecretKey('author');                             // false
   */
  isSecretKey(key: string): boolean {
    return typeof key === 'string' && this.verdict(key) === SECRET;
  }

  /**
   * `value` with secret shapes replaced (credentials after `Bearer`/`Basic`, JWTs, URL passwords,
   * secret query parameters of URLs), or `value` itself when there is none. Not cut.
   *
   * @example
   * redactor.string('postgres://app:s3cret@db/shop'); // 'postgres://app:[REDACTED]@db/shop'
   * redactor.string('GET /orders/7');                 // the same string
   */
  string(value: string): string {
    const out = this.shapes(value);
    if (out !== value) this.counts.redacted++;
    return out;
  }

  /**
   * A query string (without `?`) with the values of secret parameters replaced, or the same
   * string when none is. Parameter names are compared after percent-decoding.
   *
   * @example
   * redactor.query('page=2&api_key=k1'); // 'page=2&api_key=[REDACTED]'
   */
  query(query: string): string {
    const out = this.params(query);
    if (out !== query) this.counts.redacted++;
    return out;
  }

  /**
   * One URL (`scheme://…`) or a path with a query (`/a?b=c`): the password of its user info and
   * its secret query parameters replaced; the same string when there is nothing to replace.
   *
   * @example
   * redactor.url('https://bob:pw@api.example/x?token=t&page=2'); // 'https://bob:[REDACTED]@api.example/x?token=[REDACTED]&page=2'
   */
  url(url: string): string {
    const out = this.urlParts(url);
    if (out !== url) this.counts.redacted++;
    return out;
  }

  private params(query: string): string {
    if (typeof query !== 'string') return query;
    if (!this.anywhere.test(query) && (!query.includes('%') || !this.anywhere.test(safeDecode(query)))) return query;
    const parts = query.split('&');
    let changed = false;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const rawKey = part.slice(0, eq);
      // Judged without the cache: parameter names come from the request, an unbounded set.
      if (this.judge(safeDecode(rawKey.replace(/\+/g, ' '))) === SECRET && part.slice(eq + 1) !== REDACTED) {
        parts[i] = `${rawKey}=${REDACTED}`;
        changed = true;
      }
    }
    return changed ? parts.join('&') : query;
  }

  private urlParts(url: string): string {
    if (typeof url !== 'string') return url;
    let out = url;
    const scheme = url.indexOf('://');
    // No `@`, no user info: the common case costs one search.
    if (scheme >= 0 && url.includes('@', scheme)) {
      const start = scheme + 3;
      const end = firstOf(url, start);
      const at = url.lastIndexOf('@', end - 1);
      if (at > start) {
        const colon = url.indexOf(':', start);
        if (colon >= 0 && colon + 1 < at && url.slice(colon + 1, at) !== REDACTED) {
          out = `${url.slice(0, colon + 1)}${REDACTED}${url.slice(at)}`;
        }
      }
    }
    const q = out.indexOf('?');
    if (q >= 0) {
      const hash = out.indexOf('#', q);
      const query = hash < 0 ? out.slice(q + 1) : out.slice(q + 1, hash);
      const redacted = this.params(query);
      if (redacted !== query) out = `${out.slice(0, q + 1)}${redacted}${hash < 0 ? '' : out.slice(hash)}`;
    }
    return out;
  }

  /**
   * One attribute value as it should be stored under `key`: {@link REDACTED} for a secret key,
   * else strings cut at `maxLength` and cleared of secret shapes (`url.query` and `http.target`
   * also of secret parameters), arrays element by element. Returns `value` itself when nothing
   * changes. For instrumentations that redact as they set attributes.
   *
   * @example
   * span.setAttribute(key, redactor.attribute(key, value));
   */
  attribute(key: string, value: AttributeValue): AttributeValue {
    const verdict = this.verdict(key);
    if (verdict === SECRET) {
      if (typeof value === 'boolean' || value === undefined || value === null || value === REDACTED) return value;
      this.counts.redacted++;
      return REDACTED;
    }
    if (typeof value === 'string') return this.value(verdict, value);
    if (Array.isArray(value)) return this.array(verdict, value as ReadonlyArray<AttributePrimitiveOrNull>);
    return value;
  }

  /**
   * `attributes` itself when nothing changes (no copy), else a copy with each value as
   * {@link attribute} gives it. The input is never changed.
   *
   * @example
   * record.attributes = redactor.attributes(record.attributes);
   */
  attributes(attributes: Attributes): Attributes {
    let copy: Attributes | undefined;
    for (const key in attributes) {
      const value = attributes[key]!;
      const redacted = this.attribute(key, value);
      if (redacted !== value) (copy ??= { ...attributes })[key] = redacted;
    }
    return copy ?? attributes;
  }

  /**
   * Redacts a span where it enters the panel: attributes, event and link attributes, resource
   * attributes (cached per resource object, which spans share), and secret shapes in the name
   * and status message. Replaces the record's fields that change (it never changes the objects
   * they held, which may be shared with the SDK span) and returns the record.
   *
   * @example
   * for (const span of decoded.spans) redactor.span(span);
   */
  span(record: SpanRecord): SpanRecord {
    record.attributes = this.attributes(record.attributes);
    const name = this.text(record.name);
    if (name !== record.name) record.name = name;
    const message = record.status.message;
    if (message !== undefined) {
      const redacted = this.text(message);
      if (redacted !== message) record.status = { code: record.status.code, message: redacted };
    }
    if (record.events.length > 0) record.events = this.events(record.events);
    if (record.links !== undefined && record.links.length > 0) record.links = this.links(record.links);
    if (record.resource !== undefined) record.resource = this.resource(record.resource);
    return record;
  }

  /**
   * A `rawHeaders`-like array (`[name, value, name, value, …]`): values after a secret header
   * name replaced, other string values cleared of secret shapes. The same array when nothing
   * changes, else a copy.
   *
   * @example
   * redactor.headerPairs(['host', 'a', 'authorization', 'Bearer x']); // ['host', 'a', 'authorization', '[REDACTED]']
   */
  headerPairs<T>(pairs: ReadonlyArray<T>): ReadonlyArray<T | string> {
    let copy: Array<T | string> | undefined;
    for (let i = 1; i < pairs.length; i += 2) {
      const name = pairs[i - 1];
      const value = pairs[i];
      let redacted: T | string | undefined = value;
      // Header names come from requests, an unbounded set: judged without the cache.
      if (typeof name === 'string' && this.judge(name) === SECRET) {
        if (value !== REDACTED) {
          redacted = REDACTED;
          this.counts.redacted++;
        }
      } else if (typeof value === 'string') {
        redacted = this.string(value) as T | string;
      }
      if (redacted !== value) (copy ??= pairs.slice())[i] = redacted as T | string;
    }
    return copy ?? pairs;
  }

  /** Counters (values redacted and cut) and the verdict cache's size and resets. */
  stats(): RedactorStats {
    return { ...this.counts, cachedKeys: this.verdicts.size, maxCachedKeys: MAX_CACHED_KEYS };
  }

  private verdict(key: string): Verdict {
    let verdict = this.verdicts.get(key);
    if (verdict === undefined) {
      verdict = this.judge(key);
      if (this.verdicts.size >= MAX_CACHED_KEYS) {
        // Apps with unbounded key sets would grow it forever; starting over keeps the hot keys
        // cheap again after a few spans.
        this.verdicts.clear();
        this.counts.cacheResets++;
      }
      this.verdicts.set(key, verdict);
    }
    return verdict;
  }

  private judge(key: string): Verdict {
    if (typeof key !== 'string') return PLAIN;
    if (NOT_SECRET_KEYS.has(key)) return FIXED;
    const lower = key.toLowerCase();
    if (SECRET_KEY_PATTERN.test(key) || lower.endsWith('cookie') || lower.endsWith('cookies')) return SECRET;
    if (this.userKeys.size > 0 && (this.userKeys.has(lower) || this.userKeys.has(lower.slice(lower.lastIndexOf('.') + 1)))) {
      return SECRET;
    }
    if (key === 'url.query') return QUERY;
    if (key === 'http.target') return TARGET;
    if (URL_KEYS.has(key)) return URL;
    if (FIXED_VOCABULARY_KEYS.has(key)) return FIXED;
    return PLAIN;
  }

  /** A string value under a non-secret key. */
  private value(verdict: Verdict, value: string): string {
    let out = value;
    if (out.length > this.maxLength) {
      out = out.slice(0, this.maxLength);
      this.counts.cut++;
    }
    if (verdict === FIXED) return out;
    const cut = out;
    if (verdict === URL) {
      out = this.urlParts(out);
      // A URL value is one URL: no other URL to look for in it, only tokens (a JWT in its path).
      if (out.length >= MIN_SHAPE_LENGTH && TOKEN_HINT.test(out)) out = this.tokens(out);
    } else {
      if (verdict === QUERY) out = this.params(out);
      else if (verdict === TARGET) out = this.urlParts(out);
      out = this.shapes(out);
    }
    if (out !== cut) this.counts.redacted++;
    return out;
  }

  /** Secret shapes in `value` replaced; the same string when there is none. */
  private shapes(value: string): string {
    if (typeof value !== 'string' || value.length < MIN_SHAPE_LENGTH || !SHAPE_HINT.test(value)) return value;
    let out = value;
    if (out.includes('://')) out = out.replace(URL_IN_TEXT, (url) => this.urlParts(url));
    return this.tokens(out);
  }

  /** JWTs and `Bearer`/`Basic` credentials replaced. */
  private tokens(value: string): string {
    const out = value.includes('eyJ') ? value.replace(JWT, REDACTED) : value;
    return out.replace(CREDENTIAL, replaceCredential);
  }

  private array(verdict: Verdict, values: ReadonlyArray<AttributePrimitiveOrNull>): AttributeValue {
    let copy: AttributePrimitiveOrNull[] | undefined;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'string') continue;
      const redacted = this.value(verdict, v);
      if (redacted !== v) (copy ??= values.slice())[i] = redacted;
    }
    return copy ?? values;
  }

  /** Span names and status messages: cut and cleared of shapes. */
  private text(value: string): string {
    if (typeof value !== 'string') return value;
    return this.value(PLAIN, value);
  }

  private events(events: SpanEvent[]): SpanEvent[] {
    let copy: SpanEvent[] | undefined;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const attributes = this.attributes(e.attributes);
      const name = this.text(e.name);
      if (attributes !== e.attributes || name !== e.name) (copy ??= events.slice())[i] = { name, time: e.time, attributes };
    }
    return copy ?? events;
  }

  private links(links: SpanLink[]): SpanLink[] {
    let copy: SpanLink[] | undefined;
    for (let i = 0; i < links.length; i++) {
      const l = links[i]!;
      if (l.attributes === undefined) continue;
      const attributes = this.attributes(l.attributes);
      if (attributes !== l.attributes) (copy ??= links.slice())[i] = { traceId: l.traceId, spanId: l.spanId, attributes };
    }
    return copy ?? links;
  }

  private resource(attributes: Attributes): Attributes {
    if (attributes === this.lastResource) return this.lastRedactedResource!;
    let redacted = this.resources.get(attributes);
    if (redacted === undefined) {
      redacted = this.attributes(attributes);
      this.resources.set(attributes, redacted);
    }
    this.lastResource = attributes;
    this.lastRedactedResource = redacted;
    return redacted;
  }
}

type AttributePrimitiveOrNull = string | number | boolean | null;

/** `Bearer`/`Basic` credential replacer: only values that look like credentials, not prose. */
function replaceCredential(match: string, scheme: string, space: string, credential: string): string {
  const basic = scheme.length === 5;
  // Bearer: a token, not an English word ("bearer bonds", "bearer of").
  if (!basic && (credential.length < 8 || LOWER_WORD.test(credential))) return match;
  // Basic: base64 of `user:password` ("Basic usage" is not).
  if (basic && !isBasicCredential(credential)) return match;
  return `${scheme}${space}${REDACTED}`;
}

function isBasicCredential(credential: string): boolean {
  let decoded: string;
  try {
    decoded = atob(credential);
  } catch {
    return false;
  }
  return decoded.includes(':') && PRINTABLE.test(decoded);
}

/** Index of the first `/`, `?` or `#` at or after `from`, else the length. */
function firstOf(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) return i;
  }
  return text.length;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
