/**
 * The redactor the agent needs: which keys hold secrets, and how a string that looks like one
 * (a bearer token, a JWT, credentials in a URL) is cut. It is the shape of the one `Redactor` of
 * `@debugpanel/model` (placeholder `[REDACTED]`), which the panel passes in as the `redactor`
 * option; this local one serves when the agent is used on its own, until the model's lands.
 */
export interface SecretRedactor {
  /** True when a value stored under `key` must not leave the process. */
  isSecretKey(key: string): boolean;
  /** `value` with every secret-shaped part replaced by `[REDACTED]` (the same string when none). */
  string(value: string): string;
}

export const REDACTED = '[REDACTED]';

/** Keys whose values never leave the process (DESIGN security model). */
export const DEFAULT_REDACT = /pass|pwd|secret|token|api.?key|auth|jwt|session|private|cookie|credential/i;

const SHAPES: Array<[RegExp, string]> = [
  // Authorization schemes followed by their credentials.
  [/\b(Bearer|Basic|Digest|Token)(\s+)[A-Za-z0-9._~+/=:-]{6,}/gi, `$1$2${REDACTED}`],
  // A JWT: two base64url JSON parts and a signature.
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // user:password@ in a URL.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, `$1${REDACTED}@`],
  // Secret-looking query parameters.
  [/([?&][^=&\s#]*(?:token|key|secret|pass|pwd|auth|sig|session)[^=&\s#]*=)[^&\s#]+/gi, `$1${REDACTED}`],
];

/**
 * Builds the local redactor: the default key pattern plus `extra` keys (strings match exactly in
 * any case; RegExps are tested as given, without a global or sticky flag).
 *
 * @example
 * const r = createRedactor(['ssn']);
 * r.isSecretKey('SSN');                      // true
 * r.string('Authorization: Bearer abc.def.g'); // 'Authorization: Bearer [REDACTED]'
 */
export function createRedactor(extra: ReadonlyArray<string | RegExp> = []): SecretRedactor {
  const exact = new Set<string>();
  const patterns: RegExp[] = [DEFAULT_REDACT];
  for (const k of extra) {
    if (typeof k === 'string') exact.add(k.toLowerCase());
    // A global or sticky RegExp keeps state between test() calls; a clone without those flags does not.
    else if (k instanceof RegExp) patterns.push(new RegExp(k.source, k.flags.replace(/[gy]/g, '')));
    else throw new TypeError(`redactKeys entries must be strings or RegExps, got ${typeof k}`);
  }
  return {
    isSecretKey: (key) => exact.has(key.toLowerCase()) || patterns.some((p) => p.test(key)),
    string(value) {
      let out = value;
      for (const [re, to] of SHAPES) out = out.replace(re, to);
      return out;
    },
  };
}
