import { randomFillSync } from 'node:crypto';

/**
 * Trace and span ids for the panel's own spans: random bytes drawn from the OS in blocks of 4 KiB,
 * and each id made once, as one flat string, from its bytes through a table of hex digits.
 *
 * Why not the alternatives (measured per span id on this machine's Node 20, see the package
 * README): the SDK's `RandomIdGenerator` (`Math.random()` per 4 bytes, a `Buffer#toString('hex')`
 * per id) 116 ns; a `Buffer#toString('hex', a, b)` per id from a random block 99 ns (a native call
 * per id); converting the whole block to hex once and cutting ids out with
 * `String.fromCharCode` 79 ns (the block-wide conversion costs more than it saves); slicing ids out
 * of one long hex string 28 ns, but V8 makes those slices views that keep their whole block alive,
 * so a store keeping one span in a hundred (tail sampling) would hold a 8 KiB block per kept
 * span; this file's way 33 ns, with flat strings that hold only themselves.
 *
 * `crypto.randomFillSync` is the OS's CSPRNG: ids are unpredictable, as the W3C Trace Context
 * random flag promises (and the `traceIdRatio` sampler relies on their right-most bytes being
 * uniform).
 */

/** Random bytes per draw: 256 trace ids or 512 span ids. */
const BLOCK_BYTES = 4096;
const bytes = Buffer.allocUnsafe(BLOCK_BYTES);
/** Next unused byte; past the end means the block is spent. */
let offset = BLOCK_BYTES;
const DIGITS = '0123456789abcdef';
/** Character codes of the high and the low hex digit of each byte value. */
const HI = new Uint8Array(256);
const LO = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  HI[b] = DIGITS.charCodeAt(b >> 4);
  LO[b] = DIGITS.charCodeAt(b & 15);
}
const char = String.fromCharCode;

function take(n: number): number {
  if (offset + n > BLOCK_BYTES) {
    randomFillSync(bytes);
    offset = 0;
  }
  const o = offset;
  offset = o + n;
  return o;
}

/** Eight bytes from `o` as 16 hex characters. */
function hex8(o: number): string {
  const b = bytes;
  const b0 = b[o]!, b1 = b[o + 1]!, b2 = b[o + 2]!, b3 = b[o + 3]!, b4 = b[o + 4]!, b5 = b[o + 5]!, b6 = b[o + 6]!, b7 = b[o + 7]!;
  return char(
    HI[b0]!, LO[b0]!, HI[b1]!, LO[b1]!, HI[b2]!, LO[b2]!, HI[b3]!, LO[b3]!,
    HI[b4]!, LO[b4]!, HI[b5]!, LO[b5]!, HI[b6]!, LO[b6]!, HI[b7]!, LO[b7]!,
  );
}

/** A W3C span id: 16 lower-case hex characters, not all zero. */
export function newSpanId(): string {
  const id = hex8(take(8));
  // All zero is invalid; 2^-64, but a rule is a rule.
  return id === '0000000000000000' ? newSpanId() : id;
}

/** A W3C trace id: 32 lower-case hex characters, not all zero, every bit random. */
export function newTraceId(): string {
  const o = take(16);
  const b = bytes;
  const b0 = b[o]!, b1 = b[o + 1]!, b2 = b[o + 2]!, b3 = b[o + 3]!, b4 = b[o + 4]!, b5 = b[o + 5]!, b6 = b[o + 6]!, b7 = b[o + 7]!;
  const b8 = b[o + 8]!, b9 = b[o + 9]!, b10 = b[o + 10]!, b11 = b[o + 11]!, b12 = b[o + 12]!, b13 = b[o + 13]!, b14 = b[o + 14]!, b15 = b[o + 15]!;
  const id = char(
    HI[b0]!, LO[b0]!, HI[b1]!, LO[b1]!, HI[b2]!, LO[b2]!, HI[b3]!, LO[b3]!,
    HI[b4]!, LO[b4]!, HI[b5]!, LO[b5]!, HI[b6]!, LO[b6]!, HI[b7]!, LO[b7]!,
    HI[b8]!, LO[b8]!, HI[b9]!, LO[b9]!, HI[b10]!, LO[b10]!, HI[b11]!, LO[b11]!,
    HI[b12]!, LO[b12]!, HI[b13]!, LO[b13]!, HI[b14]!, LO[b14]!, HI[b15]!, LO[b15]!,
  );
  return id === '00000000000000000000000000000000' ? newTraceId() : id;
}
