/**
 * Durations in rules files: a whole number and one unit, e.g. `30m`, `12h`, `14d`, `2w`.
 * One unit only, so a duration reads the same everywhere it is printed back (plan reasons,
 * exported policies) and `formatDuration(parseDuration(s))` is the canonical form of `s`.
 */
import { millisecondsInDay, millisecondsInHour, millisecondsInMinute, millisecondsInSecond, millisecondsInWeek } from 'date-fns/constants';
import { EcrSweeperError } from '../errors.js';

const UNIT_MS = {
  s: millisecondsInSecond,
  m: millisecondsInMinute,
  h: millisecondsInHour,
  d: millisecondsInDay,
  w: millisecondsInWeek,
} as const;

export type DurationUnit = keyof typeof UNIT_MS;

/** Source of the duration syntax, shared with the JSON Schema so editors flag bad values too. */
export const DURATION_PATTERN = '^[0-9]+(s|m|h|d|w)$';

const DURATION_RE = new RegExp(DURATION_PATTERN);

/** Milliseconds in one day, the only unit native lifecycle policies know. */
export const DAY_MS = UNIT_MS.d;

/** Thrown by {@link parseDuration}; callers turn it into a positioned rules issue. */
export class DurationSyntaxError extends EcrSweeperError {}

/**
 * Parses `14d`-style text into milliseconds.
 *
 * @example parseDuration('12h') // 43_200_000
 * @throws DurationSyntaxError when the text is not a number followed by s, m, h, d or w.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (!DURATION_RE.test(trimmed)) {
    throw new DurationSyntaxError(
      `expected a duration such as 30m, 12h, 14d or 2w (a whole number and one of the units s, m, h, d, w), got ${JSON.stringify(text)}`,
    );
  }
  const unit = trimmed.slice(-1) as DurationUnit;
  const amount = Number(trimmed.slice(0, -1));
  const ms = amount * UNIT_MS[unit];
  if (!Number.isSafeInteger(ms)) {
    throw new DurationSyntaxError(`duration ${JSON.stringify(text)} is too large`);
  }
  return ms;
}

/**
 * Formats milliseconds with the largest unit that divides them exactly (`1209600000` → `2w`).
 * Values that are not whole seconds fall back to `<n>ms`, which {@link parseDuration} rejects on
 * purpose: rules never need sub-second precision.
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}
