import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../lib/core/iso-time.js';

describe('isoTime', () => {
  it('formats exactly as Date#toISOString for any valid time', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  it.each([0, -1, 951_782_400_000, 253_402_300_799_999, 253_402_300_800_000, -62_167_219_200_001, 1.5])('matches toISOString at %d', (ms) => {
    expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it('throws a RangeError for times a Date cannot hold, like toISOString', () => {
    expect(() => isoTime(8.64e15 + 1)).toThrow(RangeError);
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });
});
