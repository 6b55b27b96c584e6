import { Lru } from './lru.js';
import { MAX_SCAN_LENGTH, scan, Tok, type Tokens } from './sql-scan.js';

/** One statement's normalised form. */
export interface Fingerprint {
  /** 16 hex characters, a hash of `text`: the key of a query in the API (`/api/queries/:fingerprint`) */
  id: string;
  /**
   * The normalised statement: literals and placeholders as `?`, `IN (...)` lists, `VALUES` rows and
   * `ARRAY[...]` of literals as `(?+)` / `[?+]`, comments gone, whitespace single, unquoted and
   * quoted identifiers and keywords lower-case. `SELECT * FROM "Stock" WHERE sku = 'a1' -- x` and
   * `select *  from stock where sku=$1` are both `select * from stock where sku = ?`.
   */
  text: string;
  /** `SELECT`, `INSERT`, ... (the statement under a `WITH`), when there is one */
  operation?: string;
  /** The first table it reads or writes (`FROM`, `INTO`, `UPDATE`, `JOIN`), as written */
  collection?: string;
}

/** Words after which a `-` is a sign and a `(` is not a function call. */
const KEYWORDS = [
  'select', 'where', 'and', 'or', 'not', 'on', 'then', 'else', 'when', 'case', 'by', 'limit', 'offset',
  'values', 'in', 'between', 'is', 'like', 'ilike', 'set', 'as', 'from', 'join', 'exists',
  'return', 'returning', 'having', 'into', 'using', 'with', 'union', 'except', 'intersect', 'distinct', 'over',
  'materialized', 'lateral', 'recursive',
];
const OPERATIONS = ['select', 'insert', 'update', 'delete', 'merge', 'upsert', 'replace'];
const TARGET_BEFORE = ['from', 'into', 'update', 'join', 'table'];
const TARGET_SKIP = ['only', 'if', 'not', 'exists', 'lateral', 'ignore', 'low_priority', 'delayed'];

// The words the normaliser reacts to, looked up by a hash of their lower-cased code units as they
// are copied to the output, so no word becomes a string of its own just to be classified.
const F_KEYWORD = 1;
const F_OPERATION = 2;
const F_TARGET_BEFORE = 4;
const F_TARGET_SKIP = 8;
const WORDS: string[] = [];
const WORD_UPPER: string[] = [];
const WORD_FLAGS: number[] = [];
const WORD_SLOTS = 512; // a power of two, over 8x the words: probes stay short
const WORD_TABLE = new Int16Array(WORD_SLOTS).fill(-1);

function wordHash(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193);
}

function addWord(w: string, flag: number): number {
  let id = WORDS.indexOf(w);
  if (id < 0) {
    id = WORDS.length;
    WORDS.push(w);
    WORD_UPPER.push(w.toUpperCase());
    WORD_FLAGS.push(0);
    let h = 0x811c9dc5;
    for (let i = 0; i < w.length; i++) h = wordHash(h, w.charCodeAt(i));
    let slot = h & (WORD_SLOTS - 1);
    while (WORD_TABLE[slot] !== -1) slot = (slot + 1) & (WORD_SLOTS - 1);
    WORD_TABLE[slot] = id;
  }
  WORD_FLAGS[id]! |= flag;
  return id;
}
for (const w of KEYWORDS) addWord(w, F_KEYWORD);
for (const w of OPERATIONS) addWord(w, F_OPERATION);
for (const w of TARGET_BEFORE) addWord(w, F_TARGET_BEFORE);
for (const w of TARGET_SKIP) addWord(w, F_TARGET_SKIP);
const W_WITH = addWord('with', 0);
const W_IN = addWord('in', 0);
const W_VALUES = addWord('values', 0);
const W_ARRAY = addWord('array', 0);

/** The id of the known word in `out[from..to)` (hash `h`), or -1. */
function lookupWord(out: number[], from: number, to: number, h: number): number {
  for (let slot = h & (WORD_SLOTS - 1); ; slot = (slot + 1) & (WORD_SLOTS - 1)) {
    const id = WORD_TABLE[slot]!;
    if (id < 0) return -1;
    const w = WORDS[id]!;
    if (w.length !== to - from) continue;
    let k = 0;
    while (k < w.length && w.charCodeAt(k) === out[from + k]) k++;
    if (k === w.length) return id;
  }
}

function isLiteral(t: number): boolean {
  return t === Tok.String || t === Tok.Number || t === Tok.Param;
}

/**
 * When the tokens from `open` (a `(` or `[`) hold only literals and placeholders separated by
 * commas, possibly each with a `::type` cast, returns the index of the closing bracket; else -1.
 */
function literalListEnd(sql: string, tk: Tokens, open: number, close: number): number {
  let expectValue = true;
  for (let j = open + 1; j < tk.count; j++) {
    const t = tk.type[j]!;
    const s = tk.start[j]!;
    const len = tk.end[j]! - s;
    if (expectValue) {
      if (t === Tok.Op && len === 1 && sql.charCodeAt(s) === 45 && tk.type[j + 1] === Tok.Number) continue;
      if (!isLiteral(t)) return -1;
      expectValue = false;
      continue;
    }
    if (t === Tok.Op && len === 2 && sql.charCodeAt(s) === 58 && sql.charCodeAt(s + 1) === 58 && tk.type[j + 1] === Tok.Word) {
      j++;
      continue;
    }
    if (t !== Tok.Punct) return -1;
    const c = sql.charCodeAt(s);
    if (c === 44) expectValue = true;
    else if (c === close) return j;
    else return -1;
  }
  return -1;
}

const HEX = Array.from('0123456789abcdef', (ch) => ch.charCodeAt(0));

function hash(out: number[]): string {
  // Two 32-bit FNV-1a variants side by side: 64 bits, so that thousands of fingerprints do not collide.
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < out.length; i++) {
    const c = out[i]!;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return String.fromCharCode(
    HEX[(a >>> 28) & 15]!, HEX[(a >>> 24) & 15]!, HEX[(a >>> 20) & 15]!, HEX[(a >>> 16) & 15]!,
    HEX[(a >>> 12) & 15]!, HEX[(a >>> 8) & 15]!, HEX[(a >>> 4) & 15]!, HEX[a & 15]!,
    HEX[(b >>> 28) & 15]!, HEX[(b >>> 24) & 15]!, HEX[(b >>> 20) & 15]!, HEX[(b >>> 16) & 15]!,
    HEX[(b >>> 12) & 15]!, HEX[(b >>> 8) & 15]!, HEX[(b >>> 4) & 15]!, HEX[b & 15]!,
  );
}

/** The code units as a string, in chunks that stay far below the engine's argument limit. */
function toText(out: number[]): string {
  if (out.length <= 4096) return String.fromCharCode.apply(null, out);
  let text = '';
  for (let i = 0; i < out.length; i += 4096) text += String.fromCharCode.apply(null, out.slice(i, i + 4096));
  return text;
}

/**
 * Normalises one statement (uncached: `fingerprint()` caches). Exported for the bench and tests.
 *
 * One pass over the scanner's tokens writes the normalised text as code units into one array
 * (words lower-cased as they are copied, known words classified by a hash of those code units);
 * the text and its hash are made from that array once at the end. No string per token.
 */
export function computeFingerprint(sql: string): Fingerprint {
  const tk = scan(sql);
  const out: number[] = [];
  // Where the last piece (not a separating space) starts: a further VALUES row drops it.
  let mark = 0;
  // The kind of the last piece, for spacing and signs.
  let last = K.None as K;
  let lastWord = -1; // the id of the last piece when it is a known word, else -1
  let operation: string | undefined;
  let withDepth = -1; // >= 0 while looking for the statement under a WITH
  let depth = 0;
  let collection: string | undefined;
  let wantTarget = false;
  let lastWasTarget = false; // `insert into t (a, b)`: a table, not a function call
  let valuesRow = false; // just emitted `values (?+)`: further literal rows are the same row

  for (let i = 0; i < tk.count; i++) {
    const t = tk.type[i]!;
    const s = tk.start[i]!;
    const e = tk.end[i]!;
    const afterTarget = lastWasTarget;
    lastWasTarget = false;
    const word = lastWord;
    lastWord = -1;
    if (t === Tok.String || t === Tok.Number || t === Tok.Param) {
      if (needsSpace(last)) out.push(32);
      mark = out.length;
      out.push(63);
      last = K.Literal;
      valuesRow = false;
    } else if (t === Tok.Word || t === Tok.Quoted) {
      if (needsSpace(last)) out.push(32);
      mark = out.length;
      const id = t === Tok.Word ? copyWord(sql, s, e, out) : copyQuoted(sql, s, e, out);
      const flags = id < 0 ? 0 : WORD_FLAGS[id]!;
      const keyword = t === Tok.Word && (flags & F_KEYWORD) !== 0;
      last = keyword ? K.Keyword : K.Word;
      lastWord = id;
      valuesRow = false;
      if (t === Tok.Word) {
        if (operation === undefined && withDepth < 0) {
          if (id === W_WITH) withDepth = depth;
          else operation = id >= 0 ? WORD_UPPER[id]! : sql.slice(s, e).toLowerCase().toUpperCase();
        } else if (withDepth >= 0 && depth === withDepth && (flags & F_OPERATION) !== 0) {
          operation = WORD_UPPER[id]!;
          withDepth = -1;
        }
      }
      if (wantTarget) {
        if (t === Tok.Word && (flags & F_TARGET_SKIP) !== 0) continue;
        wantTarget = false;
        if (collection === undefined && (t === Tok.Quoted || !keyword)) {
          collection = t === Tok.Quoted ? sql.slice(s + 1, e - 1) : sql.slice(s, e);
          lastWasTarget = true;
          // schema-qualified: public.users, `db`.`t`
          while (tk.type[i + 1] === Tok.Punct && sql.charCodeAt(tk.start[i + 1]!) === 46 && (tk.type[i + 2] === Tok.Word || tk.type[i + 2] === Tok.Quoted)) {
            const q = tk.type[i + 2] === Tok.Quoted ? 1 : 0;
            const ps = tk.start[i + 2]! + q;
            const pe = tk.end[i + 2]! - q;
            collection += '.' + sql.slice(ps, pe);
            out.push(46);
            mark = out.length;
            copyLower(sql, ps, pe, out);
            i += 2;
          }
        }
      } else if (t === Tok.Word && (flags & F_TARGET_BEFORE) !== 0) {
        wantTarget = true;
      }
    } else if (t === Tok.Op) {
      // a sign before a number after an operator, an opening, a comma or a keyword: part of the literal
      if (e - s === 1 && sql.charCodeAt(s) === 45 && tk.type[i + 1] === Tok.Number && (last === K.None || last === K.Keyword || last === K.Op || last === K.Open || last === K.Comma)) continue;
      if (e - s === 2 && sql.charCodeAt(s) === 58 && sql.charCodeAt(s + 1) === 58) {
        mark = out.length;
        out.push(58, 58);
        last = K.Cast;
        continue;
      }
      if (needsSpace(last)) out.push(32);
      mark = out.length;
      for (let k = s; k < e; k++) out.push(sql.charCodeAt(k));
      last = K.Op;
    } else {
      const c = sql.charCodeAt(s);
      if (c === 40 || c === 91) {
        // ( or [
        const listContext = c === 91 ? word === W_ARRAY : word === W_IN || word === W_VALUES || valuesRow;
        const listEnd = listContext ? literalListEnd(sql, tk, i, c === 40 ? 41 : 93) : -1;
        if (listEnd > 0) {
          if (valuesRow) {
            out.length = mark; // a further VALUES row of literals: drop it and the comma before it
          } else {
            if (last === K.Word && !afterTarget) last = K.Open; // no space: a call's argument list
            if (needsSpace(last)) out.push(32);
            mark = out.length;
            if (c === 40) out.push(40, 63, 43, 41);
            else out.push(91, 63, 43, 93);
          }
          valuesRow = word === W_VALUES || valuesRow;
          last = K.Literal;
          i = listEnd;
          continue;
        }
        depth++;
        if (last === K.Word && !afterTarget) last = K.Open; // function call: `count(*)`
        if (needsSpace(last)) out.push(32);
        mark = out.length;
        out.push(c);
        last = K.Open;
        valuesRow = false;
      } else if (c === 41 || c === 93) {
        depth--;
        mark = out.length;
        out.push(c);
        last = K.Close;
        valuesRow = false;
      } else if (c === 44) {
        mark = out.length;
        out.push(44);
        last = K.Comma;
      } else if (c === 46) {
        mark = out.length;
        out.push(46);
        last = K.Dot;
      } else if (c === 59) {
        // a trailing semicolon is not part of the statement
        if (i === tk.count - 1) continue;
        mark = out.length;
        out.push(59);
        last = K.Comma;
      } else {
        if (needsSpace(last)) out.push(32);
        mark = out.length;
        out.push(c);
        last = K.Op;
      }
    }
  }
  if (last === K.Comma && out[out.length - 1] === 44) out.pop();
  const fp: Fingerprint = { id: hash(out), text: toText(out) };
  if (operation !== undefined && isWordOperation(operation)) fp.operation = operation;
  if (collection !== undefined) fp.collection = collection;
  return fp;
}

/**
 * Copies the word `sql[s..e)` lower-cased to `out`; returns its id when it is a known word, else -1.
 * ASCII is folded inline; a word with other characters goes through `toLowerCase` (and is no
 * keyword).
 */
function copyWord(sql: string, s: number, e: number, out: number[]): number {
  const from = out.length;
  let h = 0x811c9dc5;
  for (let k = s; k < e; k++) {
    let c = sql.charCodeAt(k);
    if (c >= 128) {
      out.length = from;
      copyLower(sql, s, e, out);
      return -1;
    }
    if (c >= 65 && c <= 90) c |= 32;
    out.push(c);
    h = wordHash(h, c);
  }
  return lookupWord(out, from, out.length, h);
}

/** `sql[s..e)` lower-cased into `out`, whatever its characters. */
function copyLower(sql: string, s: number, e: number, out: number[]): void {
  let ascii = true;
  for (let k = s; k < e; k++) {
    if (sql.charCodeAt(k) >= 128) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    for (let k = s; k < e; k++) {
      const c = sql.charCodeAt(k);
      out.push(c >= 65 && c <= 90 ? c | 32 : c);
    }
    return;
  }
  const lower = sql.slice(s, e).toLowerCase();
  for (let k = 0; k < lower.length; k++) out.push(lower.charCodeAt(k));
}

/**
 * Copies a quoted identifier without its quotes, lower-cased, doubled quotes made single (an
 * unterminated one runs to the end of the text); returns its id when it is a known word, else -1.
 */
function copyQuoted(sql: string, s: number, e: number, out: number[]): number {
  const q = sql.charCodeAt(s);
  const to = e - 1 > s && sql.charCodeAt(e - 1) === q ? e - 1 : e;
  const from = out.length;
  let h = 0x811c9dc5;
  for (let k = s + 1; k < to; k++) {
    let c = sql.charCodeAt(k);
    if (c >= 128) {
      // rare: lower-case the whole inner text the general way, then undouble the quotes
      out.length = from;
      const lower = sql.slice(s + 1, to).toLowerCase();
      for (let m = 0; m < lower.length; m++) {
        const d = lower.charCodeAt(m);
        out.push(d);
        if (d === q && lower.charCodeAt(m + 1) === q) m++;
      }
      return -1;
    }
    if (c >= 65 && c <= 90) c |= 32;
    out.push(c);
    h = wordHash(h, c);
    if (c === q && k + 1 < to && sql.charCodeAt(k + 1) === q) k++;
  }
  return lookupWord(out, from, out.length, h);
}

/** `SELECT`, not `$1` or a quoted word. */
function isWordOperation(op: string): boolean {
  for (let i = 0; i < op.length; i++) {
    const c = op.charCodeAt(i);
    if (c < 65 || c > 90) return false;
  }
  return op.length > 0;
}

/** A space before the next piece, unless the last one opens or joins (`(`, `.`, `::`) or there is none. */
function needsSpace(last: K): boolean {
  return last !== K.None && last !== K.Open && last !== K.Dot && last !== K.Cast;
}

/** What the last piece of a fingerprint was (spacing, signs). */
const enum K {
  None,
  Keyword,
  Word,
  Literal,
  Op,
  Open,
  Close,
  Dot,
  Cast,
  Comma,
}

const DEFAULT_CACHE_SIZE = 2_000;
let cache = new Lru<string, Fingerprint>(DEFAULT_CACHE_SIZE);

/**
 * The fingerprint of a statement, cached by its text in a bounded LRU (2,000 texts by default;
 * `fingerprintCacheStats()` says how it fares). Typical statements cost 2-4 µs on a miss and a
 * map lookup on a hit.
 *
 * @example
 * fingerprint("SELECT * FROM stock WHERE sku = 'a1'").text; // 'select * from stock where sku = ?'
 * fingerprint("SELECT * FROM stock WHERE sku = 'b2'").id === fingerprint('select * from stock where sku=$1').id; // true
 */
export function fingerprint(sql: string): Fingerprint {
  let fp = cache.get(sql);
  if (fp === undefined) {
    fp = computeFingerprint(sql);
    cache.set(sql, fp);
  }
  return fp;
}

/** Resizes (and empties) the fingerprint cache. */
export function setFingerprintCacheSize(size: number): void {
  cache = new Lru<string, Fingerprint>(size);
}

/** Counters of the fingerprint cache. */
export function fingerprintCacheStats(): { size: number; capacity: number; hits: number; misses: number; evicted: number } {
  return { size: cache.size, capacity: cache.capacity, hits: cache.hits, misses: cache.misses, evicted: cache.evicted };
}

/**
 * The statement with every string and number literal replaced by `?`; placeholders, comments,
 * identifiers and layout are kept. Statements longer than `MAX_SCAN_LENGTH` are cut there first.
 * This is the default `db.query.text` of the panel's database spans: values typed into SQL
 * (emails, tokens) never reach the panel.
 *
 * @example
 * maskLiterals("SELECT * FROM users WHERE email = 'ada@example.com' AND age > 30"); // "SELECT * FROM users WHERE email = ? AND age > ?"
 */
export function maskLiterals(sql: string): string {
  const text = sql.length > MAX_SCAN_LENGTH ? sql.slice(0, MAX_SCAN_LENGTH) : sql;
  const tk = scan(text);
  let out = '';
  let from = 0;
  for (let i = 0; i < tk.count; i++) {
    const t = tk.type[i];
    if (t !== Tok.String && t !== Tok.Number) continue;
    out += text.slice(from, tk.start[i]) + '?';
    from = tk.end[i]!;
  }
  return from === 0 ? text : out + text.slice(from);
}
