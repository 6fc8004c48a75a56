/**
 * Epoch milliseconds to ISO-8601 (`2026-05-31T12:00:00.000Z`), as `Date#toISOString` writes it,
 * about five times faster: a plan of a million images formats two million times, and
 * `toISOString` alone would take most of the planner's CPU budget.
 */

const TWO = Array.from({ length: 60 }, (_, i) => (i < 10 ? `0${i}` : `${i}`));
const THREE = Array.from({ length: 1000 }, (_, i) => `${i}`.padStart(3, '0'));
const DAY = 86_400_000;
// Years 0000-9999 have a fixed-width date; outside that range toISOString's own format is used.
const MIN = -62_167_219_200_000;
const MAX = 253_402_300_800_000;
const MAX_CACHED_DAYS = 20_000;
// "YYYY-MM-DDT" per day number; bounded so odd input cannot grow it without limit.
const dayPrefix = new Map<number, string>();

/**
 * Formats an epoch-ms time exactly as `new Date(ms).toISOString()` does.
 *
 * @example isoTime(0) // '1970-01-01T00:00:00.000Z'
 * @throws RangeError for times a Date cannot hold, like `toISOString`.
 */
export function isoTime(ms: number): string {
  if (!(ms >= MIN && ms < MAX) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY);
  let rest = ms - days * DAY;
  let prefix = dayPrefix.get(days);
  if (prefix === undefined) {
    if (dayPrefix.size >= MAX_CACHED_DAYS) dayPrefix.clear();
    prefix = new Date(days * DAY).toISOString().slice(0, 11);
    dayPrefix.set(days, prefix);
  }
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  return `${prefix}${TWO[h]}:${TWO[m]}:${TWO[s]}.${THREE[rest - s * 1000]}Z`;
}
