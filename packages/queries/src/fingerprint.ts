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
const KEYWORDS = new Set([
  'select', 'where', 'and', 'or', 'not', 'on', 'then', 'else', 'when', 'case', 'by', 'limit', 'offset',
  'values', 'in', 'between', 'is', 'like', 'ilike', 'set', 'as', 'from', 'join', 'exists',
  'return', 'returning', 'having', 'into', 'using', 'with', 'union', 'except', 'intersect', 'distinct', 'over',
  'materialized', 'lateral', 'recursive',
]);
const OPERATIONS = new Set(['select', 'insert', 'update', 'delete', 'merge', 'upsert', 'replace']);
const TARGET_BEFORE = new Set(['from', 'into', 'update', 'join', 'table']);
const TARGET_SKIP = new Set(['only', 'if', 'not', 'exists', 'lateral', 'ignore', 'low_priority', 'delayed']);

function isLiteral(t: number): boolean {
  return t === Tok.String || t === Tok.Number || t === Tok.Param;
}

/**
 * When the tokens from `open` (a `(` or `[`) hold only literals and placeholders separated by
 * commas, possibly each with a `::type` cast, returns the index of the closing bracket; else -1.
 */
function literalListEnd(sql: string, tk: Tokens, open: number, close: string): number {
  let expectValue = true;
  for (let j = open + 1; j < tk.count; j++) {
    const t = tk.type[j]!;
    if (expectValue) {
      if (t === Tok.Op && sql.charCodeAt(tk.start[j]!) === 45 && tk.end[j]! - tk.start[j]! === 1 && tk.type[j + 1] === Tok.Number) continue;
      if (!isLiteral(t)) return -1;
      expectValue = false;
      continue;
    }
    const text = sql.slice(tk.start[j]!, tk.end[j]!);
    if (t === Tok.Op && text === '::' && tk.type[j + 1] === Tok.Word) {
      j++;
      continue;
    }
    if (t !== Tok.Punct) return -1;
    if (text === ',') expectValue = true;
    else if (text === close) return j;
    else return -1;
  }
  return -1;
}

function hash(text: string): string {
  // Two 32-bit FNV-1a variants side by side: 64 bits, so that thousands of fingerprints do not collide.
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/**
 * Normalises one statement (uncached: `fingerprint()` caches). Exported for the bench and tests.
 */
export function computeFingerprint(sql: string): Fingerprint {
  const tk = scan(sql);
  // Lower-cased once: words are then slices of it, not a new string each.
  const lower = sql.toLowerCase();
  // Pieces joined once at the end: testing the end of a growing string would flatten it each time.
  const parts: string[] = [];
  // The kind of the last piece, for spacing and signs.
  let last = K.None as K; // (widened: emit() changes it)
  let lastWord = ''; // the last piece when it is a word, else ''
  let operation: string | undefined;
  let withDepth = -1; // >= 0 while looking for the statement under a WITH
  let depth = 0;
  let collection: string | undefined;
  let wantTarget = false;
  let lastWasTarget = false; // `insert into t (a, b)`: a table, not a function call
  let valuesRow = false; // just emitted `values (?+)`: further literal rows are the same row

  const emit = (text: string, kind: K): void => {
    if (last !== K.None && last !== K.Open && last !== K.Dot && last !== K.Cast) parts.push(' ');
    parts.push(text);
    last = kind;
  };

  for (let i = 0; i < tk.count; i++) {
    const t = tk.type[i]!;
    const s = tk.start[i]!;
    const e = tk.end[i]!;
    const afterTarget = lastWasTarget;
    lastWasTarget = false;
    const word = lastWord;
    lastWord = '';
    if (t === Tok.String || t === Tok.Number || t === Tok.Param) {
      emit('?', K.Literal);
      valuesRow = false;
    } else if (t === Tok.Word || t === Tok.Quoted) {
      const w = t === Tok.Word ? lower.slice(s, e) : unquote(lower, s, e);
      const keyword = t === Tok.Word && KEYWORDS.has(w);
      emit(w, keyword ? K.Keyword : K.Word);
      lastWord = w;
      valuesRow = false;
      if (t === Tok.Word) {
        if (operation === undefined && withDepth < 0) {
          if (w === 'with') withDepth = depth;
          else operation = w.toUpperCase();
        } else if (withDepth >= 0 && depth === withDepth && OPERATIONS.has(w)) {
          operation = w.toUpperCase();
          withDepth = -1;
        }
      }
      if (wantTarget) {
        if (t === Tok.Word && TARGET_SKIP.has(w)) continue;
        wantTarget = false;
        if (collection === undefined && (t === Tok.Quoted || !keyword)) {
          collection = t === Tok.Quoted ? sql.slice(s + 1, e - 1) : sql.slice(s, e);
          lastWasTarget = true;
          // schema-qualified: public.users, `db`.`t`
          while (tk.type[i + 1] === Tok.Punct && sql.charCodeAt(tk.start[i + 1]!) === 46 && (tk.type[i + 2] === Tok.Word || tk.type[i + 2] === Tok.Quoted)) {
            const q = tk.type[i + 2] === Tok.Quoted ? 1 : 0;
            const part = sql.slice(tk.start[i + 2]! + q, tk.end[i + 2]! - q);
            collection += '.' + part;
            parts.push('.', lower.slice(tk.start[i + 2]! + q, tk.end[i + 2]! - q));
            i += 2;
          }
        }
      } else if (t === Tok.Word && TARGET_BEFORE.has(w)) {
        wantTarget = true;
      }
    } else if (t === Tok.Op) {
      // a sign before a number after an operator, an opening, a comma or a keyword: part of the literal
      if (e - s === 1 && sql.charCodeAt(s) === 45 && tk.type[i + 1] === Tok.Number && (last === K.None || last === K.Keyword || last === K.Op || last === K.Open || last === K.Comma)) continue;
      if (e - s === 2 && sql.charCodeAt(s) === 58 && sql.charCodeAt(s + 1) === 58) {
        parts.push('::');
        last = K.Cast;
        continue;
      }
      emit(sql.slice(s, e), K.Op);
    } else {
      const c = sql.charCodeAt(s);
      if (c === 40 || c === 91) {
        // ( or [
        const listContext = c === 91 ? word === 'array' : word === 'in' || word === 'values' || valuesRow;
        const listEnd = listContext ? literalListEnd(sql, tk, i, c === 40 ? ')' : ']') : -1;
        if (listEnd > 0) {
          if (valuesRow) {
            parts.pop(); // a further VALUES row of literals: drop it and the comma before it
          } else {
            if (last === K.Word && !afterTarget) last = K.Open; // no space: a call's argument list
            emit(c === 40 ? '(?+)' : '[?+]', K.Literal);
          }
          valuesRow = word === 'values' || valuesRow;
          last = K.Literal;
          i = listEnd;
          continue;
        }
        depth++;
        if (last === K.Word && !afterTarget) last = K.Open; // function call: `count(*)`
        emit(c === 40 ? '(' : '[', K.Open);
        valuesRow = false;
      } else if (c === 41 || c === 93) {
        depth--;
        parts.push(c === 41 ? ')' : ']');
        last = K.Close;
        valuesRow = false;
      } else if (c === 44) {
        parts.push(',');
        last = K.Comma;
      } else if (c === 46) {
        parts.push('.');
        last = K.Dot;
      } else if (c === 59) {
        // a trailing semicolon is not part of the statement
        if (i === tk.count - 1) continue;
        parts.push(';');
        last = K.Comma;
      } else {
        emit(sql[s]!, K.Op);
      }
    }
  }
  if (parts[parts.length - 1] === ',') parts.pop();
  const text = parts.join('');
  const fp: Fingerprint = { id: hash(text), text };
  if (operation !== undefined && /^[A-Z]+$/.test(operation)) fp.operation = operation;
  if (collection !== undefined) fp.collection = collection;
  return fp;
}

function unquote(text: string, s: number, e: number): string {
  const q = text[s]!;
  // an unterminated identifier runs to the end of the text
  const inner = text.slice(s + 1, e - 1 > s && text[e - 1] === q ? e - 1 : e);
  return inner.includes(q) ? inner.replaceAll(q + q, q) : inner;
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
 * `fingerprintCacheStats()` says how it fares). Typical statements cost 1-4 µs on a miss and a
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
