import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DurationSyntaxError, formatDuration, parseDuration } from '../../lib/core/duration.js';
import { formatSize, parseSize, SizeSyntaxError } from '../../lib/core/size.js';

describe('parseDuration', () => {
  it.each([
    ['0s', 0],
    ['45s', 45_000],
    ['30m', 1_800_000],
    ['12h', 43_200_000],
    ['14d', 1_209_600_000],
    ['2w', 1_209_600_000],
    [' 3d ', 259_200_000],
  ])('%s → %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '14', 'd', '14 d', '14days', '1.5d', '-1d', '1d12h', '14D', '3y', '10ms'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(DurationSyntaxError);
    expect(() => parseDuration(text)).toThrow(/expected a duration such as 30m, 12h, 14d or 2w/);
  });

  it('rejects durations too large to count in milliseconds', () => {
    expect(() => parseDuration('99999999999999w')).toThrow(/too large/);
  });

  it.each([
    [0, '0s'],
    [1_000, '1s'],
    [90_000, '90s'],
    [3_600_000, '1h'],
    [86_400_000, '1d'],
    [604_800_000, '1w'],
    [8 * 86_400_000, '8d'],
    [1_500, '1500ms'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('parse ∘ format is the identity on whole seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), (seconds) => {
        expect(parseDuration(formatDuration(seconds * 1000))).toBe(seconds * 1000);
      }),
    );
  });

  it('format ∘ parse gives the canonical form, which parses to the same value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom('s', 'm', 'h', 'd', 'w'), (n, unit) => {
        const ms = parseDuration(`${n}${unit}`);
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});

describe('parseSize', () => {
  it.each([
    ['0B', 0],
    ['123B', 123],
    ['1kB', 1000],
    ['1KB', 1000],
    ['1KiB', 1024],
    ['500MiB', 500 * 1024 ** 2],
    ['500MB', 500_000_000],
    ['20GB', 20_000_000_000],
    ['20GiB', 20 * 1024 ** 3],
    ['2TB', 2_000_000_000_000],
    ['1TiB', 1024 ** 4],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['1.1GB', 1_100_000_000],
    ['0.5 KiB', 512],
  ])('%s → %i bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', '500', 'MiB', '500mib', '500 MiBs', '1.5B', '0.0001KB', '-1GB', '1e3MB', '20 G'])('rejects %j', (text) => {
    expect(() => parseSize(text)).toThrow(SizeSyntaxError);
  });

  it('names the unit rules and rejects fractions of a byte', () => {
    expect(() => parseSize('500')).toThrow(/powers of 1000; KiB, MiB, GiB, TiB = powers of 1024/);
    expect(() => parseSize('1.5B')).toThrow(/not a whole number of bytes/);
    expect(() => parseSize('99999999TiB')).toThrow(/too large/);
  });

  it.each([
    [0, '0B'],
    [1001, '1001B'],
    [1000, '1kB'],
    [1024, '1KiB'],
    [1_048_576, '1MiB'],
    [20_000_000_000, '20GB'],
  ])('formats %i bytes as %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });

  it('parse ∘ format is the identity on byte counts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (bytes) => {
        expect(parseSize(formatSize(bytes))).toBe(bytes);
      }),
    );
  });

  it('decimal and binary units keep their meaning through format', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4000 }), fc.constantFrom('B', 'kB', 'MB', 'GB', 'KiB', 'MiB', 'GiB', 'TiB'), (n, unit) => {
        const bytes = parseSize(`${n}${unit}`);
        expect(parseSize(formatSize(bytes))).toBe(bytes);
      }),
    );
  });
});
