/**
 * Short human durations for messages (`3d`, `36h`, `90m`). Pure.
 */

const UNITS: readonly [string, number][] = [
  ['w', 7 * 24 * 3_600_000],
  ['d', 24 * 3_600_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/**
 * The largest unit that divides `ms` exactly, so `3d` stays `3d` and `36h` stays `36h`;
 * sub-second remainders print as milliseconds.
 *
 * @example formatDurationShort(259_200_000) // '3d'
 */
export function formatDurationShort(ms: number): string {
  for (const [unit, size] of UNITS) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
