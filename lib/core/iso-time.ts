/**
 * Epoch milliseconds to ISO-8601 (`2026-05-31T12:00:00.000Z`), as `Date#toISOString` writes it,
 * several times faster and as one flat 24-character string: a plan of a million images formats two
 * million times, and concatenated pieces would keep a rope of nine strings alive per time.
 */

const DAY = 86_400_000;
// Years 0000-9999 have a fixed-width date; outside that range toISOString's own format is used.
const MIN = -62_167_219_200_000;
const MAX = 253_402_300_800_000;
const MAX_CACHED_DAYS = 20_000;
// Character codes of "YYYY-MM-DD" per day number; bounded so odd input cannot grow it without limit.
const dayCodes = new Map<number, number[]>();
const ZERO = 48;

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
  let d = dayCodes.get(days);
  if (d === undefined) {
    if (dayCodes.size >= MAX_CACHED_DAYS) dayCodes.clear();
    const date = new Date(days * DAY).toISOString();
    d = [];
    for (let k = 0; k < 10; k++) d.push(date.charCodeAt(k));
    dayCodes.set(days, d);
  }
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  const f = rest - s * 1000;
  return String.fromCharCode(
    d[0]!, d[1]!, d[2]!, d[3]!, d[4]!, d[5]!, d[6]!, d[7]!, d[8]!, d[9]!,
    84, // T
    ZERO + Math.floor(h / 10), ZERO + (h % 10), 58,
    ZERO + Math.floor(m / 10), ZERO + (m % 10), 58,
    ZERO + Math.floor(s / 10), ZERO + (s % 10), 46,
    ZERO + Math.floor(f / 100), ZERO + (Math.floor(f / 10) % 10), ZERO + (f % 10),
    90, // Z
  );
}
