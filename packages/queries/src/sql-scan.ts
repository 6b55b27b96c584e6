/**
 * A small hand-written SQL tokenizer, shared by the fingerprint and the literal mask. It knows
 * just enough of the PostgreSQL, MySQL/MariaDB and SQLite lexical grammars to tell literals,
 * placeholders, identifiers and comments apart; it does not parse.
 *
 * Why not a library: the SQL parsers on npm (node-sql-parser, pgsql-ast-parser) build an AST and
 * cost 50-500 µs per statement, fail on dialect corners, and a fingerprint needs tokens only. This
 * scanner reads each character once by its code unit (no regular expression, no token objects)
 * into typed arrays sized once for the text, which is what makes `fingerprint()` run at well over
 * 200,000 typical statements/s on cache misses (`npm run bench -- --only queries`).
 */

export const enum Tok {
  /** Identifier or keyword (unquoted): lower-cased in fingerprints */
  Word = 1,
  /** `"ident"` or `` `ident` `` */
  Quoted = 2,
  /** `'text'`, `E'..'`, `N'..'`, `X'..'`, `$$..$$`, `$tag$..$tag$` */
  String = 3,
  /** `42`, `-1.5e3` (unary minus is merged by the fingerprint), `0x1f` */
  Number = 4,
  /** `?`, `$1`, `:name`, `%s`: a bound parameter */
  Param = 5,
  /** An operator run: `=`, `<>`, `>=`, `::`, `||`, `->>` */
  Op = 6,
  /** One of `( ) , ; . [ ]` */
  Punct = 7,
}

/** Statements longer than this are scanned up to here only (fingerprints and masks of their head). */
export const MAX_SCAN_LENGTH = 16_384;

export interface Tokens {
  count: number;
  type: Uint8Array;
  start: Int32Array;
  end: Int32Array;
}

let tokens: Tokens = { count: 0, type: new Uint8Array(256), start: new Int32Array(256), end: new Int32Array(256) };

/** Makes room for `n` tokens (a text of `n` characters has at most `n`), once per size. */
function reserve(n: number): void {
  if (n <= tokens.type.length) return;
  let size = tokens.type.length;
  while (size < n) size *= 2;
  tokens = { count: 0, type: new Uint8Array(size), start: new Int32Array(size), end: new Int32Array(size) };
}

// Character classes, by code unit: 1 = identifier start, 2 = identifier part only, 4 = operator.
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) CLASS[c] = 1 | 2;
  else if (/[0-9$]/.test(ch)) CLASS[c] = 2;
  else if ('+-*/<>=~!@#%^&|:'.includes(ch)) CLASS[c] = 4;
}

function isIdentStart(c: number): boolean {
  return c >= 128 ? true : (CLASS[c]! & 1) !== 0;
}
function isIdentPart(c: number): boolean {
  return c >= 128 ? true : (CLASS[c]! & 3) !== 0;
}
function isOp(c: number): boolean {
  return c < 128 && (CLASS[c]! & 4) !== 0;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || ((c | 32) >= 97 && (c | 32) <= 102);
}
/** E'..', N'..', X'..', B'..' in either case */
function isStringPrefix(c: number): boolean {
  const l = c | 32;
  return l === 101 || l === 110 || l === 120 || l === 98;
}

/** Index after a quoted run that opened at `i` with `quote`; doubled quotes and (for strings) backslashes escape. */
function skipQuoted(sql: string, i: number, end: number, quote: number, backslash: boolean): number {
  for (let j = i + 1; j < end; j++) {
    const c = sql.charCodeAt(j);
    if (backslash && c === 92) {
      j++;
      continue;
    }
    if (c === quote) {
      if (j + 1 < end && sql.charCodeAt(j + 1) === quote) {
        j++;
        continue;
      }
      return j + 1;
    }
  }
  return end; // unterminated: the rest is the literal
}

/**
 * Scans `sql` (up to `MAX_SCAN_LENGTH`) into the module's token arrays and returns them. The
 * arrays are reused by the next call: read them before scanning again. Comments (`-- ..`,
 * `/* .. *\/`) and whitespace produce no token.
 */
export function scan(sql: string): Tokens {
  const end = Math.min(sql.length, MAX_SCAN_LENGTH);
  // Room for the most tokens this text can have, so that adding one needs no check.
  reserve(end + 1);
  const type = tokens.type;
  const start = tokens.start;
  const stop = tokens.end;
  let n = 0;
  let i = 0;
  while (i < end) {
    const c = sql.charCodeAt(i);
    // whitespace
    if (c === 32 || c === 10 || c === 9 || c === 13 || c === 12) {
      i++;
      continue;
    }
    // comments
    if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      const nl = sql.indexOf('\n', i + 2);
      i = nl < 0 || nl > end ? end : nl + 1;
      continue;
    }
    if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 || close > end ? end : close + 2;
      continue;
    }
    // strings; MySQL and E'' strings take backslash escapes, which is also what keeps a
    // standard PostgreSQL string safe: a stray backslash only ever lengthens the literal.
    if (c === 39) {
      const j = skipQuoted(sql, i, end, 39, true);
      type[n] = Tok.String; start[n] = i; stop[n++] = j;
      i = j;
      continue;
    }
    // quoted identifiers
    if (c === 34 || c === 96) {
      const j = skipQuoted(sql, i, end, c, false);
      type[n] = Tok.Quoted; start[n] = i; stop[n++] = j;
      i = j;
      continue;
    }
    // numbers: 12, 1.5, .5, 1e-3, 0x1F
    if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) {
      let j = i + 1;
      if (c === 48 && (sql.charCodeAt(j) | 32) === 120) {
        j++;
        while (j < end && isHexDigit(sql.charCodeAt(j))) j++;
      } else {
        while (j < end) {
          const d = sql.charCodeAt(j);
          if (isDigit(d) || d === 46) j++;
          else if ((d | 32) === 101 && (isDigit(sql.charCodeAt(j + 1)) || ((sql.charCodeAt(j + 1) === 45 || sql.charCodeAt(j + 1) === 43) && isDigit(sql.charCodeAt(j + 2))))) j += 2;
          else break;
        }
      }
      type[n] = Tok.Number; start[n] = i; stop[n++] = j;
      i = j;
      continue;
    }
    // $1 placeholders and $$ / $tag$ dollar-quoted strings
    if (c === 36) {
      const next = sql.charCodeAt(i + 1);
      if (isDigit(next)) {
        let j = i + 2;
        while (j < end && isDigit(sql.charCodeAt(j))) j++;
        type[n] = Tok.Param; start[n] = i; stop[n++] = j;
        i = j;
        continue;
      }
      let j = i + 1;
      while (j < end && isIdentPart(sql.charCodeAt(j)) && sql.charCodeAt(j) !== 36) j++;
      if (sql.charCodeAt(j) === 36) {
        const tag = sql.slice(i, j + 1);
        const close = sql.indexOf(tag, j + 1);
        const k = close < 0 || close + tag.length > end ? end : close + tag.length;
        type[n] = Tok.String; start[n] = i; stop[n++] = k;
        i = k;
        continue;
      }
      type[n] = Tok.Op; start[n] = i; stop[n++] = i + 1;
      i++;
      continue;
    }
    // identifiers and keywords; E'..', N'..', X'..', B'..' prefixed strings
    if (isIdentStart(c)) {
      let j = i + 1;
      if (sql.charCodeAt(j) === 39 && isStringPrefix(c)) {
        const k = skipQuoted(sql, j, end, 39, true);
        type[n] = Tok.String; start[n] = i; stop[n++] = k;
        i = k;
        continue;
      }
      while (j < end && isIdentPart(sql.charCodeAt(j))) j++;
      type[n] = Tok.Word; start[n] = i; stop[n++] = j;
      i = j;
      continue;
    }
    if (c === 63) {
      // `?` placeholder (and `?1` numbered); PostgreSQL's jsonb `?|` `?&` stay operators
      const next = sql.charCodeAt(i + 1);
      if (next === 124 || next === 38) {
        type[n] = Tok.Op; start[n] = i; stop[n++] = i + 2;
        i += 2;
        continue;
      }
      let j = i + 1;
      while (j < end && isDigit(sql.charCodeAt(j))) j++;
      type[n] = Tok.Param; start[n] = i; stop[n++] = j;
      i = j;
      continue;
    }
    if (c === 58 && isIdentStart(sql.charCodeAt(i + 1)) && sql.charCodeAt(i - 1) !== 58) {
      // :name placeholder (not the second colon of a `::` cast)
      let j = i + 2;
      while (j < end && isIdentPart(sql.charCodeAt(j))) j++;
      type[n] = Tok.Param; start[n] = i; stop[n++] = j;
      i = j;
      continue;
    }
    if (c === 37 && sql.charCodeAt(i + 1) === 115 && !isIdentPart(sql.charCodeAt(i + 2))) {
      type[n] = Tok.Param; start[n] = i; stop[n++] = i + 2; // %s (Python-style drivers, through OTLP)
      i += 2;
      continue;
    }
    if (isOp(c)) {
      let j = i + 1;
      while (j < end && isOp(sql.charCodeAt(j))) {
        const d = sql.charCodeAt(j);
        // a comment start ends the operator run
        if ((d === 45 && sql.charCodeAt(j + 1) === 45) || (d === 47 && sql.charCodeAt(j + 1) === 42)) break;
        // `=:name`, `=?` keep the placeholder apart
        if (d === 58 && sql.charCodeAt(j + 1) !== 58 && sql.charCodeAt(j - 1) !== 58 && isIdentStart(sql.charCodeAt(j + 1))) break;
        j++;
      }
      type[n] = Tok.Op; start[n] = i; stop[n++] = j;
      i = j;
      continue;
    }
    // ( ) , ; . [ ] and anything else, one character each
    type[n] = Tok.Punct; start[n] = i; stop[n++] = i + 1;
    i++;
  }
  tokens.count = n;
  return tokens;
}
