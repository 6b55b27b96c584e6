import { randomFillSync } from 'node:crypto';

/**
 * Trace and span ids for the panel's own spans: random bytes drawn from the OS in blocks, turned
 * into hex once per block (one native call), then each id is made as one flat string of its
 * characters.
 *
 * Why not the alternatives (measured, see the package README):
 * - the SDK's `RandomIdGenerator` calls `Math.random()` per 4 bytes and `Buffer#toString('hex')`
 *   per id: two to three times the cost;
 * - slicing ids out of one long hex string is the cheapest, but V8 makes those slices views that
 *   keep the whole block alive: a store that keeps one span in a hundred (tail sampling) would
 *   hold a block per kept span;
 * - a `Buffer#toString` per id is a native call per id, which costs more than building the
 *   string in JavaScript.
 *
 * `crypto.randomFillSync` is the OS's CSPRNG: ids are unpredictable, as the W3C Trace Context
 * random flag promises (and the `traceIdRatio` sampler relies on their right-most bytes being
 * uniform).
 */

/** Random bytes per draw: 256 trace ids or 512 span ids. */
const BLOCK_BYTES = 4096;
const raw = Buffer.allocUnsafe(BLOCK_BYTES);
/** `raw` as lower-case hex character codes. */
const hex = Buffer.allocUnsafe(BLOCK_BYTES * 2);
/** Next unused offset in `hex`; past the end means the block is spent. */
let offset = hex.length;
const char = String.fromCharCode;

function refill(): void {
  randomFillSync(raw);
  hex.write(raw.toString('hex'), 0, 'latin1');
  offset = 0;
}

/** A W3C span id: 16 lower-case hex characters, not all zero. */
export function newSpanId(): string {
  if (offset + 16 > hex.length) refill();
  const h = hex;
  const o = offset;
  offset = o + 16;
  const id = char(
    h[o]!, h[o + 1]!, h[o + 2]!, h[o + 3]!, h[o + 4]!, h[o + 5]!, h[o + 6]!, h[o + 7]!,
    h[o + 8]!, h[o + 9]!, h[o + 10]!, h[o + 11]!, h[o + 12]!, h[o + 13]!, h[o + 14]!, h[o + 15]!,
  );
  // All zero is invalid; 2^-64, but a rule is a rule.
  return id === '0000000000000000' ? newSpanId() : id;
}

/** A W3C trace id: 32 lower-case hex characters, not all zero, every bit random. */
export function newTraceId(): string {
  if (offset + 32 > hex.length) refill();
  const h = hex;
  const o = offset;
  offset = o + 32;
  const id = char(
    h[o]!, h[o + 1]!, h[o + 2]!, h[o + 3]!, h[o + 4]!, h[o + 5]!, h[o + 6]!, h[o + 7]!,
    h[o + 8]!, h[o + 9]!, h[o + 10]!, h[o + 11]!, h[o + 12]!, h[o + 13]!, h[o + 14]!, h[o + 15]!,
    h[o + 16]!, h[o + 17]!, h[o + 18]!, h[o + 19]!, h[o + 20]!, h[o + 21]!, h[o + 22]!, h[o + 23]!,
    h[o + 24]!, h[o + 25]!, h[o + 26]!, h[o + 27]!, h[o + 28]!, h[o + 29]!, h[o + 30]!, h[o + 31]!,
  );
  return id === '00000000000000000000000000000000' ? newTraceId() : id;
}
