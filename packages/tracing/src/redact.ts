import type { Attributes } from '@debugpanel/model';

/** Keys that look like secrets (DESIGN.md, security model). */
export const SECRET_KEY_PATTERN = /pass|secret|token|api.?key/i;
export const REDACTED = 'REDACTED';
const MAX_CACHED_KEYS = 1024;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Decides which keys (query parameters, span attributes) are secret: the default pattern plus
 * keys the user named, compared case-insensitively. Built once per configuration; the checks
 * themselves are a regular-expression test.
 */
export class Redactor {
  /** Tests one key. */
  private readonly key: RegExp;
  /** Tests a whole query string: no match means no parameter needs redaction (the fast path). */
  private readonly anywhere: RegExp;

  constructor(extraKeys: ReadonlyArray<string> = []) {
    const extra = extraKeys.filter((k) => typeof k === 'string' && k.length > 0).map(escapeRegExp);
    const base = SECRET_KEY_PATTERN.source;
    this.key = new RegExp(extra.length ? `${base}|^(?:${extra.join('|')})$` : base, 'i');
    this.anywhere = new RegExp(extra.length ? `${base}|${extra.join('|')}` : base, 'i');
  }

  isSecretKey(key: string): boolean {
    return this.key.test(key);
  }

  /**
   * A query string (without `?`) with the values of secret keys replaced by `REDACTED`, or the
   * same string when nothing matched. Keys are compared after percent-decoding.
   */
  query(query: string): string {
    if (!this.anywhere.test(query) && (query.indexOf('%') < 0 || !this.anywhere.test(safeDecode(query)))) {
      return query;
    }
    const parts = query.split('&');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const eq = part.indexOf('=');
      const rawKey = eq < 0 ? part : part.slice(0, eq);
      if (this.isSecretKey(safeDecode(rawKey.replace(/\+/g, ' ')))) {
        parts[i] = eq < 0 ? part : `${rawKey}=${REDACTED}`;
      }
    }
    return parts.join('&');
  }

  /**
   * Verdicts per attribute key. Keys repeat across spans (semantic-convention names), so a map
   * lookup replaces a regular-expression test on every key of every span; bounded because apps
   * may use unbounded key sets.
   */
  private readonly verdicts = new Map<string, boolean>();

  private isSecretAttribute(key: string): boolean {
    let secret = this.verdicts.get(key);
    if (secret === undefined) {
      secret = this.key.test(key);
      if (this.verdicts.size >= MAX_CACHED_KEYS) this.verdicts.clear();
      this.verdicts.set(key, secret);
    }
    return secret;
  }

  /** `attributes` itself when no key is secret (no copy), else a copy with those values redacted. */
  attributes(attributes: Attributes): Attributes {
    let copy: Attributes | undefined;
    for (const key in attributes) {
      if (this.isSecretAttribute(key)) {
        copy ??= { ...attributes };
        copy[key] = REDACTED;
      }
    }
    return copy ?? attributes;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
