import hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { newHistogram, percentilesMs, recordMs } from './latency.js';

describe('newHistogram', () => {
  it('is the histogram hdr.build makes for its request (class, bounds, no resize) and answers the same', () => {
    const built = hdr.build({ bitBucketSize: 32, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 2, autoResize: false });
    const h = newHistogram();
    expect(h.constructor.name).toBe(built.constructor.name);
    expect([h.lowestDiscernibleValue, h.highestTrackableValue, h.numberOfSignificantValueDigits, h.autoResize]).toEqual([1, 3_600_000_000, 2, false]);
    let seed = 3;
    for (let i = 0; i < 5000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const ms = (seed / 0x7fffffff) ** 4 * 2000;
      recordMs(h, ms);
      recordMs(built, ms);
    }
    expect(percentilesMs(h)).toEqual(percentilesMs(built));
    expect(h.totalCount).toBe(5000);
    expect(h.estimatedFootprintInBytes).toBe(built.estimatedFootprintInBytes);
  });
});
